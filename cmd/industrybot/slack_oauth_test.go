package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	slackadapter "github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/adapters/slack/slacktest"
	"github.com/industrybot/industrybot/adapters/sqlite"
	"github.com/industrybot/industrybot/bot"
)

// testEncryptionKey is a store.encryption_key for the tests.
var testEncryptionKey = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x17}, 32))

// TestOAuthSettings: installs to many Slack workspaces need every one of
// their settings; a missing or malformed one stops the start with one line
// naming the key and its variable, never printing a secret.
func TestOAuthSettings(t *testing.T) {
	full := map[string]string{
		"INDUSTRYBOT_SLACK_MODE":           "http",
		"INDUSTRYBOT_SLACK_SIGNING_SECRET": "0123456789abcdef0123456789abcdef",
		"INDUSTRYBOT_SLACK_CLIENT_ID":      "1111.2222",
		"INDUSTRYBOT_SLACK_CLIENT_SECRET":  "sentinel-client-secret",
		"INDUSTRYBOT_SLACK_PUBLIC_URL":     "https://bot.example.com",
		"INDUSTRYBOT_STORE_ENCRYPTION_KEY": testEncryptionKey,
		"INDUSTRYBOT_SLACK_API_URL":        "http://127.0.0.1:1/api",
	}
	tests := []struct {
		name   string
		change map[string]string
		want   string
	}{
		{"no encryption key", map[string]string{"INDUSTRYBOT_STORE_ENCRYPTION_KEY": ""}, "store.encryption_key is empty but slack.client_id is set"},
		{"a malformed encryption key", map[string]string{"INDUSTRYBOT_STORE_ENCRYPTION_KEY": "sentinel-not-a-key"}, "store.encryption_key is not 32 bytes in base64 or hex"},
		{"a short encryption key", map[string]string{"INDUSTRYBOT_STORE_ENCRYPTION_KEY": base64.StdEncoding.EncodeToString([]byte("sixteen byte key"))}, "store.encryption_key is not 32 bytes"},
		{"no client secret", map[string]string{"INDUSTRYBOT_SLACK_CLIENT_SECRET": ""}, "slack.client_secret is empty but slack.client_id is set"},
		{"a client secret alone", map[string]string{"INDUSTRYBOT_SLACK_CLIENT_ID": ""}, "slack.client_id is empty but slack.client_secret is set"},
		{"no public url", map[string]string{"INDUSTRYBOT_SLACK_PUBLIC_URL": ""}, "slack.public_url is empty but slack.client_id is set"},
		{"a plain http public url", map[string]string{"INDUSTRYBOT_SLACK_PUBLIC_URL": "http://bot.example.com"}, "slack.public_url is \"http://bot.example.com\": Slack redirects installs only to https"},
		{"socket mode", map[string]string{"INDUSTRYBOT_SLACK_MODE": "socket", "INDUSTRYBOT_SLACK_APP_TOKEN": "xapp-1-A1-1-x", "INDUSTRYBOT_SLACK_BOT_TOKEN": "xoxb-1-x"}, "slack.mode is socket but slack.client_id is set"},
		{"no signing secret", map[string]string{"INDUSTRYBOT_SLACK_SIGNING_SECRET": ""}, "slack.signing_secret is empty but slack.mode is http"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range full {
				t.Setenv(k, v)
			}
			for k, v := range tc.change {
				t.Setenv(k, v)
			}
			r := runCmd(t, "", "serve")
			key := strings.Fields(tc.want)[0]
			if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, envName(key)) {
				t.Errorf("got %+v, want one line with %q and %s", r, tc.want, envName(key))
			}
			for _, secret := range []string{"sentinel-client-secret", "sentinel-not-a-key", testEncryptionKey} {
				if strings.Contains(r.stderr, secret) {
					t.Errorf("printed a secret: %s", r.stderr)
				}
			}
		})
	}
	// With every setting, and a public URL on this machine for trying it
	// out, the configuration is complete, and the manifest has what
	// installs through OAuth need.
	t.Run("complete", func(t *testing.T) {
		for k, v := range full {
			t.Setenv(k, v)
		}
		t.Setenv("INDUSTRYBOT_SLACK_PUBLIC_URL", "http://localhost:8080")
		r := runCmd(t, "", "slack", "manifest", "--url", "https://bot.example.com")
		for _, want := range []string{"redirect_urls:\n    - https://bot.example.com/slack/oauth/callback", "request_url: https://bot.example.com/slack/events", "- app_uninstalled", "home_tab_enabled: true"} {
			if r.code != 0 || !strings.Contains(r.stdout, want) {
				t.Errorf("manifest with slack.client_id set: exit %d, lacks %q:\n%s%s", r.code, want, r.stdout, r.stderr)
			}
		}
	})
}

// freeAddr returns an address on 127.0.0.1 that nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeSlackTwoWorkspaces runs serve with OAuth installs on an SQLite
// file against a fake Slack: two workspaces install through the OAuth
// flow, each answers commands with its own token, each gets its daily
// picks with its own token; then one uninstalls: its token is gone from
// the store, which never held it in the clear, and its posts stop while
// the other's go on.
func TestServeSlackTwoWorkspaces(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef"
	const teamA, teamB = "T0AAAA", "T0BBBB"
	ctx := waitCtx(t)
	fake := slacktest.New(t)
	fake.AddWorkspace(slacktest.Workspace{ID: teamA, Name: "film-club"})
	fake.AddWorkspace(slacktest.Workspace{ID: teamB, Name: "trading-floor"})
	fake.AddUser(slacktest.User{ID: "UADMINA", Team: teamA, IsAdmin: true})
	fake.AddUser(slacktest.User{ID: "UADMINB", Team: teamB, IsAdmin: true})

	dsn := filepath.Join(t.TempDir(), "state.db")
	addr := freeAddr(t)
	base := "http://" + addr
	t.Setenv("INDUSTRYBOT_SLACK_MODE", "http")
	t.Setenv("INDUSTRYBOT_SLACK_SIGNING_SECRET", secret)
	t.Setenv("INDUSTRYBOT_SLACK_API_URL", fake.APIURL())
	t.Setenv("INDUSTRYBOT_SLACK_CLIENT_ID", slacktest.ClientID)
	t.Setenv("INDUSTRYBOT_SLACK_CLIENT_SECRET", slacktest.ClientSecret)
	t.Setenv("INDUSTRYBOT_SLACK_PUBLIC_URL", base)
	t.Setenv("INDUSTRYBOT_STORE_ENCRYPTION_KEY", testEncryptionKey)
	t.Setenv("INDUSTRYBOT_DAILY_TICK", "100ms")
	s := serve(t, "--addr", addr, "--store-driver", "sqlite", "--store-dsn", dsn)
	fake.SetApp(slacktest.App{EventsURL: base + slackadapter.EventsPath, InteractionsURL: base + slackadapter.InteractionsPath, SigningSecret: secret})

	for _, team := range []string{teamA, teamB} {
		resp, page, err := fake.Install(ctx, base+slackadapter.InstallPath, team, "UINSTALLER")
		if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(page, "industrybot is installed in") {
			t.Fatalf("install to %s: %v %v\n%s", team, err, resp, page)
		}
	}
	tokens := append(fake.Tokens(teamA), fake.Tokens(teamB)...)
	if len(tokens) != 2 {
		t.Fatalf("tokens given %q, want one for each workspace", tokens)
	}

	command := func(team, channel, user, line string) string {
		t.Helper()
		name, text, _ := strings.Cut(line, " ")
		form := slacktest.CommandForm(slackapi.SlashCommand{TeamID: team, ChannelID: channel, UserID: user, Command: name, Text: text, ResponseURL: fake.ResponseURL()})
		req, err := slacktest.SignedRequest(ctx, base+slackadapter.CommandsPath, secret, time.Now(), []byte(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		ans, ok, err := slacktest.Ack{Payload: b.Bytes()}.Answer()
		if resp.StatusCode != http.StatusOK || err != nil || !ok {
			t.Fatalf("%s in %s: %d %s %v", line, team, resp.StatusCode, b.String(), err)
		}
		return ans.PlainText()
	}
	// Each workspace's admin is known by users.info with its own token.
	for _, ws := range []struct{ team, admin string }{{teamA, "UADMINA"}, {teamB, "UADMINB"}} {
		if ans := command(ws.team, "C1", ws.admin, "/daily status"); !strings.Contains(ans, "no daily pick") {
			t.Errorf("/daily status in %s: %q", ws.team, ans)
		}
		if n := fake.CallsIn(ws.team, slacktest.MethodUsersInfo); n != 1 {
			t.Errorf("users.info with %s's token: %d calls, want 1", ws.team, n)
		}
	}
	if ans := command(teamB, "C1", "U1", "/why heat"); !strings.Contains(ans, "Heat (1995)") {
		t.Errorf("/why heat in %s: %q", teamB, ans)
	}

	// Daily picks fall due in a channel of each: each goes out with its
	// workspace's token.
	subscribe := func(channel string) {
		t.Helper()
		side, err := sqlite.Open(ctx, dsn) // beside serve, as `daily status` opens it
		if err != nil {
			t.Fatal(err)
		}
		defer side.Close()
		now := time.Now().UTC()
		for _, team := range []string{teamA, teamB} {
			sub := bot.Subscription{Channel: bot.ChannelKey{Platform: bot.Slack, Channel: slackadapter.ChannelKey(team, channel)},
				Time: now.Add(-time.Minute).Format("15:04"), Timezone: "UTC", Source: "chat", CreatedBy: "UADMIN", Since: now.Add(-time.Hour)}
			if err := side.PutSubscription(ctx, sub); err != nil {
				t.Fatal(err)
			}
		}
	}
	subscribe("CDAILY")
	msgs, err := fake.WaitMessages(ctx, "CDAILY", 2)
	if err != nil {
		t.Fatalf("%v\n%s", err, s.stderr.String())
	}
	if msgs[0].Team == msgs[1].Team {
		t.Errorf("both daily posts went out with the token of %s", msgs[0].Team)
	}
	// The store never held a token in the clear.
	noTokens := func(when string) {
		t.Helper()
		for _, f := range []string{dsn, dsn + "-wal", dsn + "-shm"} {
			b, err := os.ReadFile(f)
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			for _, tok := range tokens {
				if bytes.Contains(b, []byte(tok)) {
					t.Errorf("%s: %s holds the token %s in the clear", when, filepath.Base(f), tok)
				}
			}
			if bytes.Contains(b, []byte("xoxb-")) {
				t.Errorf("%s: %s holds a bot token in the clear", when, filepath.Base(f))
			}
		}
	}
	noTokens("installed")

	// A uninstalls: once Slack has heard back, A's installation and token
	// are gone and its daily pick paused.
	if err := fake.Uninstall(ctx, teamA); err != nil {
		t.Fatal(err)
	}
	side, err := sqlite.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := side.GetInstallation(ctx, bot.Slack, teamA); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("A's installation after its uninstall: %v, want none", err)
	}
	if _, err := side.GetInstallation(ctx, bot.Slack, teamB); err != nil {
		t.Errorf("B's installation: %v", err)
	}
	if sub, err := side.GetSubscription(ctx, bot.ChannelKey{Platform: bot.Slack, Channel: slackadapter.ChannelKey(teamA, "CDAILY")}); err != nil || sub.Paused == "" {
		t.Errorf("A's daily pick after its uninstall: %+v, %v; want it paused", sub, err)
	}
	side.Close()

	// New picks fall due in both: B's goes out, A's never reaches Slack.
	postsA := fake.CallsIn(teamA, slacktest.MethodPostMessage)
	subscribe("CLATE")
	late, err := fake.WaitMessages(ctx, "CLATE", 1)
	if err != nil {
		t.Fatalf("%v\n%s", err, s.stderr.String())
	}
	if late[0].Team != teamB {
		t.Errorf("the late post went out in %s, want %s", late[0].Team, teamB)
	}
	if ans := command(teamA, "C1", "UADMINA", "/random"); !strings.Contains(ans, "not installed") {
		t.Errorf("a command from A after its uninstall: %q", ans)
	}
	if code := s.stop(); code != 0 {
		t.Errorf("exit %d: %s", code, s.stderr.String())
	}
	if n := fake.CallsIn(teamA, slacktest.MethodPostMessage); n != postsA || len(fake.Messages("CLATE")) != 1 {
		t.Errorf("posts with A's token after its uninstall: %d more; CLATE got %d", n-postsA, len(fake.Messages("CLATE")))
	}
	noTokens("uninstalled")
	for _, tok := range append(tokens, slacktest.ClientSecret, testEncryptionKey) {
		if strings.Contains(s.stderr.String(), tok) {
			t.Errorf("a secret was logged:\n%s", s.stderr.String())
		}
	}
}

// TestSlackComponentsWiringOAuth: with slack.client_id, serve gets the
// install routes and the Events API, and a poster without any bot token;
// a store that keeps no installations is refused.
func TestSlackComponentsWiringOAuth(t *testing.T) {
	cfg := &Config{StoreEncryptionKey: testEncryptionKey, StoreDriver: "memory", Slack: SlackConfig{Mode: "http", SigningSecret: "s3cret",
		ClientID: slacktest.ClientID, ClientSecret: slacktest.ClientSecret, PublicURL: "https://bot.example.com"}}
	newServer := func(store bot.Store) *server {
		return &server{
			app:     &app{env: &env{stderr: io.Discard}, cfg: cfg, log: newLogger(io.Discard, "info", "text", nil)},
			bot:     bot.New(bot.Config{Engine: nil, Memory: bot.NewMemoryStore()}),
			mux:     http.NewServeMux(),
			checks:  &readiness{},
			posters: map[bot.Platform]bot.Poster{},
			store:   store,
		}
	}
	s := newServer(bot.NewMemoryStore())
	if _, err := slackComponents(s); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.posters[bot.Slack]; !ok {
		t.Error("no Slack poster with OAuth installs")
	}
	for _, route := range []struct{ method, path string }{
		{http.MethodGet, slackadapter.InstallPath}, {http.MethodGet, slackadapter.OAuthCallbackPath},
		{http.MethodPost, slackadapter.EventsPath}, {http.MethodPost, slackadapter.CommandsPath},
	} {
		if _, pattern := s.mux.Handler(&http.Request{Method: route.method, URL: mustURL(t, route.path)}); pattern == "" {
			t.Errorf("%s %s is not routed", route.method, route.path)
		}
	}
	if _, err := slackComponents(newServer(noInstalls{bot.NewMemoryStore()})); err == nil || !strings.Contains(err.Error(), "keeps no installations") {
		t.Errorf("a store without installations: %v", err)
	}
}

// noInstalls is a store that keeps no installations.
type noInstalls struct{ bot.Store }

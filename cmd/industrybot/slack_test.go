package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	slackadapter "github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/adapters/slack/slacktest"
	"github.com/industrybot/industrybot/adapters/sqlite"
	"github.com/industrybot/industrybot/bot"
)

func TestSlackManifestCommand(t *testing.T) {
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stdout []string // what the manifest must hold
		stderr string
	}{
		{"socket by default", nil, nil, 0, []string{"socket_mode_enabled: true", "command: /recommend", "command: /daily", "- chat:write\n"}, ""},
		{"http", nil, []string{"--mode", "http", "--url", "https://bot.example.com"}, 0,
			[]string{"url: https://bot.example.com/slack/commands", "request_url: https://bot.example.com/slack/interactions"}, ""},
		{"mode from slack.mode", map[string]string{"INDUSTRYBOT_SLACK_MODE": "http"}, []string{"--url", "https://bot.example.com"}, 0,
			[]string{"request_url: https://bot.example.com/slack/interactions"}, ""},
		{"public channels", nil, []string{"--chat-write-public"}, 0, []string{"- chat:write.public"}, ""},
		{"history", nil, []string{"--history"}, 0, []string{"- channels:history", "- groups:history"}, ""},
		{"http without url", nil, []string{"--mode", "http"}, 2, nil, "needs --url"},
		{"plain http url", nil, []string{"--mode", "http", "--url", "http://bot.example.com"}, 2, nil, "https"},
		{"unknown mode", nil, []string{"--mode", "webhook"}, 2, nil, `--mode "webhook"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			r := runCmd(t, "", append([]string{"slack", "manifest"}, tc.args...)...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, tc.code, tc.stderr)
			}
			for _, want := range tc.stdout {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("the manifest lacks %q:\n%s", want, r.stdout)
				}
			}
			if tc.code != 0 && r.stdout != "" {
				t.Errorf("printed %q on failure", r.stdout)
			}
		})
	}
}

// served is a running `industrybot serve`.
type served struct {
	base   string
	stderr *syncBuffer
	stop   func() int
}

// syncBuffer is a bytes.Buffer safe to write from the server while the
// test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serve starts `industrybot serve` on 127.0.0.1 with the environment set by
// the caller and a memory store unless args say otherwise; stop ends it and
// returns its exit code.
func serve(t *testing.T, args ...string) *served {
	t.Helper()
	addrs := make(chan net.Addr, 1)
	ctx, cancel := context.WithCancel(context.Background())
	errb := &syncBuffer{}
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: errb, listening: func(a net.Addr) { addrs <- a }}
	done := make(chan int, 1)
	if len(args) == 0 {
		args = []string{"--store-driver", "memory"}
	}
	go func() { done <- e.execute(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)) }()
	s := &served{stderr: errb}
	var once sync.Once
	code := -1
	s.stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case code = <-done:
			case <-time.After(20 * time.Second):
				t.Error("serve did not stop")
			}
		})
		return code
	}
	t.Cleanup(func() { s.stop() })
	select {
	case a := <-addrs:
		s.base = "http://" + a.String()
	case c := <-done:
		code = c
		once.Do(func() {})
		t.Fatalf("serve exited %d: %s", c, errb.String())
	}
	return s
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestServeSlackSocketMode runs serve against a fake Slack in Socket Mode:
// it connects, answers a command in the acknowledgement, is ready, posts a
// daily pick that is due with the bot token, and logs no token.
func TestServeSlackSocketMode(t *testing.T) {
	fake := slacktest.New(t)
	ctx := waitCtx(t)
	// A subscription made an hour ago whose pick fell due a minute ago: the
	// scheduler's first tick posts it through the Slack poster.
	dsn := filepath.Join(t.TempDir(), "state.db")
	store, err := sqlite.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	sub := bot.Subscription{Channel: bot.ChannelKey{Platform: bot.Slack, Channel: "CDAILY"}, Time: now.Add(-time.Minute).Format("15:04"), Timezone: "UTC", Source: "chat", CreatedBy: "UADMIN", Since: now.Add(-time.Hour)}
	if err := store.PutSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	store.Close()
	t.Setenv("INDUSTRYBOT_SLACK_APP_TOKEN", slacktest.AppToken)
	t.Setenv("INDUSTRYBOT_SLACK_BOT_TOKEN", slacktest.BotToken)
	t.Setenv("INDUSTRYBOT_SLACK_API_URL", fake.URL()+"/api") // no trailing slash, as people write it
	t.Setenv("INDUSTRYBOT_SLACK_ADMINS", "UADMIN")
	s := serve(t, "--store-driver", "sqlite", "--store-dsn", dsn)
	if err := fake.WaitConnected(ctx, 1); err != nil {
		t.Fatal(err)
	}

	ack, err := fake.SendSlashCommand(ctx, slackapi.SlashCommand{ChannelID: "C1", UserID: "U1", Command: "/why", Text: "heat"})
	if err != nil {
		t.Fatal(err)
	}
	ans, ok, err := ack.Answer()
	if err != nil || !ok || ans.ResponseType != slackadapter.InChannel || !strings.Contains(ans.PlainText(), "Heat (1995), film directed by Michael Mann") {
		t.Errorf("/why heat: %+v, %v, %v", ans, ok, err)
	}
	if code, body := get(t, s.base+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz: %d %s", code, body)
	}

	// slack.admins reaches the core: an admin may ask for the status, a
	// member may not.
	for user, want := range map[string]string{
		"UADMIN": "This channel has no daily pick.",
		"U1":     "Only workspace admins and owners, and the users in slack.admins",
	} {
		ack, err := fake.SendSlashCommand(ctx, slackapi.SlashCommand{ChannelID: "C1", UserID: user, Command: "/daily", Text: "status"})
		if err != nil {
			t.Fatal(err)
		}
		if ans, _, _ := ack.Answer(); ans.ResponseType != slackadapter.Ephemeral || !strings.Contains(ans.PlainText(), want) {
			t.Errorf("/daily status from %s: %s %q, want a private %q", user, ans.ResponseType, ans.PlainText(), want)
		}
	}

	msgs, err := fake.WaitMessages(ctx, "CDAILY", 1)
	if err != nil {
		t.Fatalf("the daily pick was not posted: %v\n%s", err, s.stderr.String())
	}
	var labels []string
	for _, b := range msgs[0].Buttons() {
		labels = append(labels, b.Label)
	}
	if msgs[0].Text == "" || strings.Join(labels, ",") != "Another,Why?" {
		t.Errorf("daily post: text %q, buttons %q; want a fallback and Another, Why?", msgs[0].Text, labels)
	}

	if code := s.stop(); code != 0 {
		t.Errorf("exit %d: %s", code, s.stderr.String())
	}
	for _, tok := range []string{slacktest.AppToken, slacktest.BotToken} {
		if strings.Contains(s.stderr.String(), tok) {
			t.Errorf("a token was logged:\n%s", s.stderr.String())
		}
	}
	if !strings.Contains(s.stderr.String(), "Socket Mode connected") {
		t.Errorf("logs lack the connection:\n%s", s.stderr.String())
	}
}

// TestServeSlackHTTPMode runs serve in HTTP mode: the routes are on the
// serve server, signed requests are answered and unsigned ones refused.
func TestServeSlackHTTPMode(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef"
	fake := slacktest.New(t)
	t.Setenv("INDUSTRYBOT_SLACK_MODE", "http")
	t.Setenv("INDUSTRYBOT_SLACK_SIGNING_SECRET", secret)
	t.Setenv("INDUSTRYBOT_SLACK_API_URL", fake.APIURL())
	s := serve(t)
	ctx := waitCtx(t)

	send := func(path string, body []byte, sign bool) (int, []byte) {
		t.Helper()
		req, err := slacktest.SignedRequest(ctx, s.base+path, secret, time.Now(), body)
		if err != nil {
			t.Fatal(err)
		}
		if !sign {
			req.Header.Del(slackadapter.HeaderSignature)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, out
	}
	cmd := slackapi.SlashCommand{ChannelID: "C1", UserID: "U1", Command: "/random", Text: "tv", ResponseURL: fake.ResponseURL()}
	form := []byte(slacktest.CommandForm(cmd).Encode())
	if code, body := send(slackadapter.CommandsPath, form, false); code != http.StatusUnauthorized || len(body) != 0 {
		t.Errorf("unsigned: %d %q, want 401 and nothing more", code, body)
	}
	code, body := send(slackadapter.CommandsPath, form, true)
	var msg struct {
		ResponseType string          `json:"response_type"`
		Blocks       json.RawMessage `json:"blocks"`
	}
	if code != http.StatusOK || json.Unmarshal(body, &msg) != nil || msg.ResponseType != slackadapter.InChannel || len(msg.Blocks) < 10 {
		t.Fatalf("signed /random tv: %d %s", code, body)
	}
	ans, _, err := slacktest.Ack{Payload: body}.Answer()
	if err != nil {
		t.Fatal(err)
	}
	var why slacktest.Button
	for _, b := range ans.Buttons() {
		if b.Label == "Why?" {
			why = b
		}
	}
	press := slacktest.Press{Button: why, Channel: "C1", User: "U1", ResponseURL: fake.ResponseURL()}
	if code, _ := send(slackadapter.InteractionsPath, []byte(slacktest.InteractionForm(slacktest.BlockActionsPayload(press)).Encode()), true); code != http.StatusOK {
		t.Errorf("press: %d", code)
	}
	got, err := fake.WaitResponses(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got[0].PlainText(), "series created by") {
		t.Errorf("Why? answered %q, want the commentary on the series", got[0].PlainText())
	}
	if code, body := get(t, s.base+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz: %d %s", code, body)
	}
	if code := s.stop(); code != 0 {
		t.Errorf("exit %d: %s", code, s.stderr.String())
	}
}

// TestServeSlackRefusedBotToken: a bot token Slack refuses stops serve with
// one line naming the setting, not the token.
func TestServeSlackRefusedBotToken(t *testing.T) {
	fake := slacktest.New(t, slacktest.WithTokens("xoxb-1-the-right-one", slacktest.AppToken))
	t.Setenv("INDUSTRYBOT_SLACK_APP_TOKEN", slacktest.AppToken)
	t.Setenv("INDUSTRYBOT_SLACK_BOT_TOKEN", slacktest.BotToken)
	t.Setenv("INDUSTRYBOT_SLACK_API_URL", fake.APIURL())
	r := runCmd(t, "", "serve", "--addr", "127.0.0.1:0", "--store-driver", "memory")
	if r.code != 1 || !strings.Contains(r.stderr, "slack.bot_token was refused") || strings.Contains(r.stderr, slacktest.BotToken) {
		t.Errorf("got %+v, want exit 1 naming slack.bot_token without the token", r)
	}
}

// TestSlackComponentsWiring checks what slackComponents leaves in serve for
// each mode.
func TestSlackComponentsWiring(t *testing.T) {
	tests := []struct {
		name   string
		cfg    SlackConfig
		poster bool
		routes bool
		checks int
	}{
		{"off", SlackConfig{Mode: "socket"}, false, false, 0},
		{"socket", SlackConfig{Mode: "socket", AppToken: slacktest.AppToken, BotToken: slacktest.BotToken}, true, false, 1},
		{"http without bot token", SlackConfig{Mode: "http", SigningSecret: "s3cret"}, false, true, 0},
		{"http with bot token", SlackConfig{Mode: "http", SigningSecret: "s3cret", BotToken: slacktest.BotToken}, true, true, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &server{
				app:     &app{env: &env{stderr: io.Discard}, cfg: &Config{Slack: tc.cfg}, log: newLogger(io.Discard, "info", "text", nil)},
				bot:     bot.New(bot.Config{Engine: nil, Memory: bot.NewMemoryStore()}),
				mux:     http.NewServeMux(),
				checks:  &readiness{},
				posters: map[bot.Platform]bot.Poster{},
			}
			comps, err := slackComponents(s)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := s.posters[bot.Slack]; ok != tc.poster {
				t.Errorf("poster registered: %v, want %v", ok, tc.poster)
			}
			if want := map[bool]int{true: 1}[tc.cfg.On()]; len(comps) != want {
				t.Errorf("%d components, want %d", len(comps), want)
			}
			if len(s.checks.checks) != tc.checks {
				t.Errorf("%d readiness checks, want %d", len(s.checks.checks), tc.checks)
			}
			for _, path := range []string{slackadapter.CommandsPath, slackadapter.InteractionsPath} {
				_, pattern := s.mux.Handler(&http.Request{Method: http.MethodPost, URL: mustURL(t, path)})
				if (pattern != "") != tc.routes {
					t.Errorf("POST %s routed to %q, want routed: %v", path, pattern, tc.routes)
				}
			}
		})
	}
}

func mustURL(t *testing.T, path string) *url.URL {
	t.Helper()
	u, err := url.Parse("http://127.0.0.1" + path)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

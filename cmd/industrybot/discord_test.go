package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	discordadapter "github.com/industrybot/industrybot/adapters/discord"
	"github.com/industrybot/industrybot/adapters/discord/discordtest"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

const discordTestToken = "discord-test-token-5e7b"

// discordWait bounds every wait on the fake Discord.
func discordWait(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestDiscordRegister(t *testing.T) {
	f := discordtest.Start(t, discordtest.Options{Token: discordTestToken})
	t.Setenv("INDUSTRYBOT_DISCORD_TOKEN", discordTestToken)
	t.Setenv("INDUSTRYBOT_DISCORD_API_URL", f.URL)

	r := runCmd(t, "", "discord", "register", "--guild", "123")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{
		"Registered 5 commands in guild 123 for application " + f.ApplicationID(),
		"/recommend [query] [kind]", "/why [title]", "/random [kind]", "/help",
		"/daily subscribe [time] [timezone] [days] [thread] [mention] | unsubscribe | status | skip (Manage Server)",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if n := len(f.Commands("123")); n != 5 || f.Overwrites("123") != 1 {
		t.Errorf("the fake holds %d commands in guild 123 after %d overwrites, want 5 after 1", n, f.Overwrites("123"))
	}

	t.Setenv("INDUSTRYBOT_DISCORD_APPLICATION_ID", f.ApplicationID())
	t.Setenv("INDUSTRYBOT_DISCORD_GUILD_ID", "456")
	if r := runCmd(t, "", "discord", "register"); r.code != 0 || !strings.Contains(r.stdout, "in guild 456") || len(f.Commands("456")) != 5 {
		t.Errorf("discord.guild_id: exit %d, %s%s", r.code, r.stdout, r.stderr)
	}
	if r := runCmd(t, "", "discord", "register", "--guild", ""); r.code != 0 || !strings.Contains(r.stdout, "globally") || len(f.Commands("")) != 5 {
		t.Errorf("--guild \"\": exit %d, %s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, discordTestToken) {
		t.Error("the token was printed")
	}
}

func TestDiscordRegisterFailures(t *testing.T) {
	f := discordtest.Start(t, discordtest.Options{Token: discordTestToken})
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no token", map[string]string{"INDUSTRYBOT_DISCORD_PUBLIC_KEY": strings.Repeat("ab", 32), "INDUSTRYBOT_DISCORD_MODE": "http"}, "discord.token is empty"},
		{"refused token", map[string]string{"INDUSTRYBOT_DISCORD_TOKEN": "wrong-token-value", "INDUSTRYBOT_DISCORD_API_URL": f.URL}, "INDUSTRYBOT_DISCORD_TOKEN"},
		{"someone else's application", map[string]string{"INDUSTRYBOT_DISCORD_TOKEN": discordTestToken, "INDUSTRYBOT_DISCORD_API_URL": f.URL, "INDUSTRYBOT_DISCORD_APPLICATION_ID": "999"}, "HTTP 403"},
		{"an application id that is no number", map[string]string{"INDUSTRYBOT_DISCORD_TOKEN": discordTestToken, "INDUSTRYBOT_DISCORD_API_URL": f.URL, "INDUSTRYBOT_DISCORD_APPLICATION_ID": "my app"}, "discord.application_id is not a Discord id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			r := runCmd(t, "", "discord", "register")
			if r.code != 1 || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q: want 1 and one line containing %q", r.code, r.stderr, tc.want)
			}
			if strings.Contains(r.stderr, "wrong-token-value") || strings.Contains(r.stderr, discordTestToken) {
				t.Errorf("a token was printed: %s", r.stderr)
			}
		})
	}
}

func TestDiscordInvite(t *testing.T) {
	f := discordtest.Start(t, discordtest.Options{Token: discordTestToken, ApplicationID: "31337"})
	id42 := map[string]string{"INDUSTRYBOT_DISCORD_APPLICATION_ID": "42"}
	tests := []struct {
		name  string
		env   map[string]string
		flags []string
		code  int
		want  string
	}{
		{"application id", id42, nil, 0,
			"https://discord.com/oauth2/authorize?client_id=42&integration_type=0&permissions=19456&scope=bot+applications.commands\n"},
		{"with threads", id42, []string{"--threads"}, 0,
			"https://discord.com/oauth2/authorize?client_id=42&integration_type=0&permissions=309237664768&scope=bot+applications.commands\n"},
		{"a user install", id42, []string{"--user"}, 0,
			"https://discord.com/oauth2/authorize?client_id=42&integration_type=1&scope=applications.commands\n"},
		{"a user install with threads", id42, []string{"--user", "--threads"}, 1, "none of the others can be"},
		{"looked up with the token", map[string]string{"INDUSTRYBOT_DISCORD_TOKEN": discordTestToken, "INDUSTRYBOT_DISCORD_API_URL": f.URL}, []string{"--user"}, 0,
			"client_id=31337&integration_type=1"},
		{"an application id that is no number", map[string]string{"INDUSTRYBOT_DISCORD_APPLICATION_ID": "industrybot"}, []string{"--user"}, 1,
			"discord.application_id is not a Discord id (a number)"},
		{"neither", nil, nil, 1, "discord.application_id is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			r := runCmd(t, "", append([]string{"discord", "invite"}, tc.flags...)...)
			if r.code != tc.code || !strings.Contains(r.stdout+r.stderr, tc.want) {
				t.Errorf("exit %d, %q %q: want %d and %q", r.code, r.stdout, r.stderr, tc.code, tc.want)
			}
			if tc.code != 0 && strings.Contains(r.stdout, "https://") {
				t.Errorf("a link was printed all the same: %s", r.stdout)
			}
		})
	}
}

// discordServe runs `industrybot serve` (the shared harness in
// slack_test.go) until the test ends, which must find it exiting cleanly,
// and returns its base URL and its log.
func discordServe(t *testing.T) (string, *syncBuffer) {
	t.Helper()
	s := serve(t)
	t.Cleanup(func() {
		if code := s.stop(); code != 0 {
			t.Errorf("serve exited %d: %s", code, s.stderr.String())
		}
	})
	return s.base, s.stderr
}

func discordGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServeDiscordGateway: serve connects the gateway with its shard,
// answers interactions over it, reports ready once connected, and never
// logs the token.
func TestServeDiscordGateway(t *testing.T) {
	f := discordtest.Start(t, discordtest.Options{Token: discordTestToken, HeartbeatInterval: 200 * time.Millisecond})
	t.Setenv("INDUSTRYBOT_DISCORD_TOKEN", discordTestToken)
	t.Setenv("INDUSTRYBOT_DISCORD_API_URL", f.URL)
	t.Setenv("INDUSTRYBOT_DISCORD_SHARD_ID", "1")
	t.Setenv("INDUSTRYBOT_DISCORD_SHARD_COUNT", "2")
	base, logs := discordServe(t)

	err := f.Wait(discordWait(t), func() bool { return len(f.Sessions()) == 1 && f.Heartbeats() >= 2 })
	if err != nil {
		t.Fatalf("the gateway did not connect: %v\n%s", err, logs.String())
	}
	if s := f.Sessions()[0]; s.Shard != [2]int{1, 2} {
		t.Errorf("shard %v, want [1 2]", s.Shard)
	}
	if code, body := discordGet(t, base+"/readyz"); code != 200 {
		t.Errorf("/readyz: %d %s", code, body)
	}
	// A guild on shard 1 of 2: (id >> 22) % 2 == 1.
	c := discordtest.Caller{GuildID: "4194304", ChannelID: "700", UserID: "1", Username: "ana"}
	i := f.Command(c, "why", discordtest.String("title", "heat"))
	if _, err := f.Dispatch(i); err != nil {
		t.Fatal(err)
	}
	cb, err := f.WaitCallback(discordWait(t), i)
	if err != nil {
		t.Fatalf("no answer: %v\n%s", err, logs.String())
	}
	if !strings.Contains(string(cb), `"title":"Heat"`) {
		t.Errorf("answer %s, want Heat's commentary", cb)
	}
	if strings.Contains(logs.String(), discordTestToken) {
		t.Errorf("the token was logged:\n%s", logs.String())
	}
}

// TestServeDiscordHTTP: with only the public key, serve answers signed
// interactions at /discord/interactions and refuses unsigned ones.
func TestServeDiscordHTTP(t *testing.T) {
	f := discordtest.Start(t, discordtest.Options{Token: discordTestToken})
	signer := discordtest.NewSigner()
	t.Setenv("INDUSTRYBOT_DISCORD_MODE", "http")
	t.Setenv("INDUSTRYBOT_DISCORD_PUBLIC_KEY", signer.PublicKeyHex())
	t.Setenv("INDUSTRYBOT_DISCORD_API_URL", f.URL)
	base, logs := discordServe(t)
	url := base + discordadapter.InteractionsPath

	post := func(v any, sign bool) (int, string) {
		t.Helper()
		req, err := signer.Request(url, v, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if !sign {
			req.Header.Del("X-Signature-Ed25519")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := post(f.Ping(), true); code != 200 || body != `{"type":1}` {
		t.Errorf("PING: %d %s", code, body)
	}
	if code, _ := post(f.Ping(), false); code != http.StatusUnauthorized {
		t.Errorf("unsigned PING: %d, want 401", code)
	}
	code, body := post(f.Command(discordtest.Caller{GuildID: "1", ChannelID: "2", UserID: "3"}, "help"), true)
	var w struct {
		Type int `json:"type"`
		Data struct {
			Flags int `json:"flags"`
		} `json:"data"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &w) != nil || w.Type != 4 || w.Data.Flags != 64 {
		t.Errorf("/help: %d %s, want a private message", code, body)
	}
	if code, _ := discordGet(t, base+"/readyz"); code != 200 {
		t.Errorf("/readyz: %d: HTTP mode has no gateway to wait for\n%s", code, logs.String())
	}
}

// TestDiscordComponents checks the wiring: a poster exactly when there is
// a bot token, the route in HTTP mode, the readiness check in gateway mode.
func TestDiscordComponents(t *testing.T) {
	key := discordtest.NewSigner().PublicKeyHex()
	tests := []struct {
		name   string
		cfg    DiscordConfig
		poster bool
		route  bool
		checks int
	}{
		{"off", DiscordConfig{Mode: "gateway", ShardCount: 1}, false, false, 0},
		{"gateway", DiscordConfig{Mode: "gateway", Token: "t", ShardCount: 1}, true, false, 1},
		{"http with the key alone", DiscordConfig{Mode: "http", PublicKey: key, ShardCount: 1}, false, true, 0},
		{"http with a token for daily posts", DiscordConfig{Mode: "http", PublicKey: key, Token: "t", ShardCount: 1}, true, true, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &server{
				app:     &app{env: &env{stdout: io.Discard, stderr: io.Discard}, cfg: &Config{Discord: tc.cfg}, log: slog.New(slog.DiscardHandler)},
				bot:     bottest.Bot(t),
				engine:  bottest.Engine(t),
				mux:     http.NewServeMux(),
				checks:  &readiness{},
				posters: map[bot.Platform]bot.Poster{},
			}
			comps, err := discordComponents(s)
			if err != nil {
				t.Fatal(err)
			}
			_, poster := s.posters[bot.Discord]
			_, pattern := s.mux.Handler(discordRequest(t, "POST", discordadapter.InteractionsPath))
			if poster != tc.poster || (pattern != "") != tc.route || len(s.checks.checks) != tc.checks {
				t.Errorf("poster %v, route %q, %d checks; want %v, %v, %d", poster, pattern, len(s.checks.checks), tc.poster, tc.route, tc.checks)
			}
			if tc.cfg.On() != (len(comps) == 1) {
				t.Errorf("%d components", len(comps))
			}
		})
	}
}

func discordRequest(t *testing.T, method, path string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, "http://x"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// result is what one run of the command printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// runCmd runs the command line with stdin and returns what it did.
func runCmd(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	// Safe for concurrent writes: a gateway a previous test left
	// reconnecting may log while this run prints.
	var out, errb syncBuffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return result{code, out.String(), errb.String()}
}

func TestAsk(t *testing.T) {
	r := runCmd(t, "", "ask", "/why heat")
	if r.code != 0 || !strings.Contains(r.stdout, "Heat (1995), film directed by Michael Mann") || r.stderr != "" {
		t.Errorf("got %+v", r)
	}
	r = runCmd(t, "", "ask", "/recommend", "something", "tense")
	if r.code != 0 || !strings.Contains(r.stdout, "1. Uncut Gems (2019)") {
		t.Errorf("words as separate arguments: got %+v", r)
	}
	// Piped, the answer is one line a paragraph: grep finds a sentence.
	if !strings.Contains(r.stdout, "Film-making as a sustained panic attack is very much Industry’s shit.") {
		t.Errorf("not a line a paragraph: %s", r.stdout)
	}
	r = runCmd(t, "", "ask", "/why heat")
	if !strings.Contains(r.stdout, "“The action is the juice” is also a great mantra for being on set.") {
		t.Errorf("ask /why heat | grep: the sentence is broken: %s", r.stdout)
	}
	// Words without a slash ask for recommendations.
	if r := runCmd(t, "", "ask", "something", "tense"); r.code != 0 || !strings.Contains(r.stdout, "Picks for “something tense”") {
		t.Errorf("plain words: got %+v", r)
	}
	for _, args := range [][]string{{"ask", "/why zzzzzz"}, {"ask", "/dance"}, {"ask", "/random book"}, {"ask"}, {"ask", " "}} {
		r := runCmd(t, "", args...)
		if r.code == 0 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "industrybot: ") {
			t.Errorf("%q: got %+v, want a non-zero exit and one line on stderr", args, r)
		}
	}
}

func TestConsoleIsTheDefaultWithoutCredentials(t *testing.T) {
	r := runCmd(t, "/why the social netwrok\n/quit\n")
	if r.code != 0 || !strings.Contains(r.stdout, "More Sorkin.") || !strings.Contains(r.stdout, "/quit leaves") {
		t.Errorf("got %+v", r)
	}
	// Ctrl-D ends it too.
	if r := runCmd(t, "/help\n", "console"); r.code != 0 || !strings.Contains(r.stdout, "/random [film|tv]") {
		t.Errorf("console: got %+v", r)
	}
}

func TestCatalogCheck(t *testing.T) {
	r := runCmd(t, "", "catalog", "check")
	if r.code != 0 || !strings.Contains(r.stdout, "12 picks (8 films, 4 series), 6 titles mentioned in passing") {
		t.Errorf("built-in: got %+v", r)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"source":{"article":"a","speakers":["b"],"speakers_role":"c"},
		"picks":[{"id":"x","title":"X","kind":"podcast","year":1700,"credit":{"role":"director","names":["d"]},"commentary":["c"]}]}`), 0o644)
	r = runCmd(t, "", "catalog", "check", bad)
	if r.code != 1 || !strings.Contains(r.stderr, `picks[0] (x): field kind: "podcast" is unknown`) || !strings.Contains(r.stderr, "field year: 1700 is impossible") {
		t.Errorf("bad catalog: got %+v", r)
	}
	r = runCmd(t, "", "ask", "/why heat", "--catalog", bad)
	if r.code == 0 || !strings.Contains(r.stderr, "kind") {
		t.Errorf("a bad catalog.path must stop the start: %+v", r)
	}
	r = runCmd(t, "", "ask", "/why heat", "--catalog", filepath.Join(t.TempDir(), "missing.json"))
	if r.code == 0 || !strings.Contains(r.stderr, "catalog.path") || !strings.Contains(r.stderr, "INDUSTRYBOT_CATALOG_PATH") {
		t.Errorf("missing catalog: got %+v", r)
	}
}

func TestBadConfigNamesKeyAndVariable(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"INDUSTRYBOT_DISCORD_MODE": "gatway"}, `config: discord.mode is "gatway": it must be gateway or http: set discord.mode in config.yaml or INDUSTRYBOT_DISCORD_MODE`},
		{map[string]string{"INDUSTRYBOT_DISCORD_SHARD_COUNT": "two"}, "discord.shard_count is \"two\", not a whole number"},
		{map[string]string{"INDUSTRYBOT_DAILY_TIME": "25:00"}, "INDUSTRYBOT_DAILY_TIME"},
		{map[string]string{"INDUSTRYBOT_DAILY_TIMEZONE": "Mars/Olympus"}, "daily.timezone"},
		{map[string]string{"INDUSTRYBOT_DAILY_CATCH_UP": "soon"}, "INDUSTRYBOT_DAILY_CATCH_UP"},
		{map[string]string{"INDUSTRYBOT_DAILY_DAYS": "fri,funday"}, `daily.days is "fri,funday": “funday” is not a day`},
		{map[string]string{"INDUSTRYBOT_DAILY_CHANNELS": `[{"platform":"slack","channel":"C1","days":"someday"}]`}, `daily.channels [0]: days "someday": “someday” is not a day`},
		{map[string]string{"INDUSTRYBOT_HTTP_ADDR": "nowhere"}, "INDUSTRYBOT_HTTP_ADDR"},
		{map[string]string{"INDUSTRYBOT_LOG_LEVEL": "loud"}, "INDUSTRYBOT_LOG_LEVEL"},
		{map[string]string{"INDUSTRYBOT_DISCORD_PUBLIC_KEY": "abc", "INDUSTRYBOT_DISCORD_MODE": "http"}, "discord.public_key is not a 64-digit hex"},
		{map[string]string{"INDUSTRYBOT_DISCORD_TOKEN": "sekret-token-value"}, ""},
		{map[string]string{"INDUSTRYBOT_SLACK_SIGNING_SECRET": "s3cret"}, "slack.app_token is empty but slack.mode is socket"},
		{map[string]string{"INDUSTRYBOT_SLACK_MODE": "http", "INDUSTRYBOT_SLACK_SIGNING_SECRET": "s", "INDUSTRYBOT_SLACK_BOT_TOKEN": "xoxp-user"}, "slack.bot_token does not start with xoxb-"},
		{map[string]string{"INDUSTRYBOT_DAILY_CHANNELS": `[{"platform":"irc","channel":"#x"}]`}, `daily.channels [0]: platform "irc" must be discord or slack`},
		{map[string]string{"INDUSTRYBOT_DAILY_CHANNELS": `not json`}, "INDUSTRYBOT_DAILY_CHANNELS"},
		{map[string]string{"INDUSTRYBOT_DISCORD_SHARD_ID": "2", "INDUSTRYBOT_DISCORD_SHARD_COUNT": "2"}, "discord.shard_id is 2 but discord.shard_count is 2"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			r := runCmd(t, "", "daily", "status", "--store-driver", "memory")
			if tc.want == "" {
				// A token alone in gateway mode is a valid configuration; the
				// check is that loading it never prints it.
				if strings.Contains(r.stdout+r.stderr, "sekret-token-value") {
					t.Errorf("the token was printed: %+v", r)
				}
				return
			}
			if r.code != 1 || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("got %+v, want one line containing %q", r, tc.want)
			}
		})
	}
}

func TestConfigFileEnvironmentAndFlagPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	os.WriteFile(file, []byte("http:\n  addr: \"127.0.0.1:1111\"\nlog:\n  level: warn\ndaily:\n  channels:\n    - {platform: slack, channel: C1, time: \"7:05\"}\n"), 0o644)
	e := &env{stdout: io.Discard, stderr: io.Discard}
	root := e.newRoot()
	load := func(args ...string) *Config {
		t.Helper()
		root.SetArgs(args)
		var cfg *Config
		serve, _, err := root.Find([]string{"serve"})
		if err != nil {
			t.Fatal(err)
		}
		if err := serve.ParseFlags(args[1:]); err != nil {
			t.Fatal(err)
		}
		if cfg, err = loadConfig(serve.Flags()); err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	cfg := load("serve", "--config", file)
	if cfg.HTTPAddr != "127.0.0.1:1111" || cfg.LogLevel != "warn" || len(cfg.Daily.Channels) != 1 || cfg.Daily.Channels[0].Time != "07:05" {
		t.Errorf("file: got %+v", cfg)
	}
	t.Setenv("INDUSTRYBOT_HTTP_ADDR", "127.0.0.1:2222")
	if cfg := load("serve", "--config", file); cfg.HTTPAddr != "127.0.0.1:2222" || cfg.LogLevel != "warn" {
		t.Errorf("environment over file: got %s", cfg.HTTPAddr)
	}
	if cfg := load("serve", "--config", file, "--addr", "127.0.0.1:3333"); cfg.HTTPAddr != "127.0.0.1:3333" {
		t.Errorf("flag over environment: got %s", cfg.HTTPAddr)
	}
}

func TestServeHealthAndGracefulShutdown(t *testing.T) {
	addrs := make(chan net.Addr, 1)
	ctx, cancel := context.WithCancel(context.Background())
	var errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &errb, listening: func(a net.Addr) { addrs <- a }}
	done := make(chan int, 1)
	go func() { done <- e.execute(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--store-driver", "memory"}) }()
	var base string
	select {
	case a := <-addrs:
		base = "http://" + a.String()
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, errb.String())
	}
	for path, want := range map[string]string{"/healthz": "ok\n", "/readyz": "ready\n"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != want {
			t.Errorf("%s: %d %q", path, resp.StatusCode, body)
		}
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `industrybot_http_requests_total{code="200",route="GET /healthz"} 1`) || !strings.Contains(string(body), "go_goroutines") {
		t.Errorf("/metrics:\n%s", body)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d: %s", code, errb.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(errb.String(), "shutting down") {
		t.Errorf("logs: %s", errb.String())
	}
	// With no platform, serve says which settings turn one on.
	if !strings.Contains(errb.String(), "no platform is configured") || !strings.Contains(errb.String(), "INDUSTRYBOT_DISCORD_TOKEN") || !strings.Contains(errb.String(), "INDUSTRYBOT_SLACK_APP_TOKEN") {
		t.Errorf("serve without a platform gave no hint: %s", errb.String())
	}
}

func TestServeAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	r := runCmd(t, "", "serve", "--addr", ln.Addr().String(), "--store-driver", "memory")
	if r.code != 1 || !strings.Contains(r.stderr, "http.addr") || !strings.Contains(r.stderr, "INDUSTRYBOT_HTTP_ADDR") {
		t.Errorf("got %+v", r)
	}
}

func TestPanicInHandlerAnswers500(t *testing.T) {
	var logs bytes.Buffer
	h := recoverPanics(newLogger(&logs, "info", "text", nil), http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("kaboom") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 500 || !strings.Contains(logs.String(), "kaboom") {
		t.Errorf("got %d, logs %q", rec.Code, logs.String())
	}
}

// TestServeTunesTheCollectorUnlessGOGCIsSet: serve runs the collector at
// serveGCPercent, and leaves the percent GOGC asked for alone.
func TestServeTunesTheCollectorUnlessGOGCIsSet(t *testing.T) {
	was := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(was) })
	unset := func(string) (string, bool) { return "", false }
	if got := tuneGC(unset); got != serveGCPercent {
		t.Errorf("without GOGC: tuneGC = %d, want %d", got, serveGCPercent)
	}
	if now := debug.SetGCPercent(50); now != serveGCPercent {
		t.Errorf("without GOGC the collector runs at %d, want %d", now, serveGCPercent)
	}
	set := func(k string) (string, bool) { return "50", k == "GOGC" }
	if got := tuneGC(set); got != 50 {
		t.Errorf("with GOGC=50: tuneGC = %d, want 50", got)
	}
	if now := debug.SetGCPercent(100); now != 50 {
		t.Errorf("with GOGC=50 the collector runs at %d, want 50 (left alone)", now)
	}
}

package discord

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/industrybot/industrybot/adapters/discord/discordtest"
)

// TestGatewayShards: the session identifies with its shard, and receives
// the interactions of the guilds that shard owns, answering them.
func TestGatewayShards(t *testing.T) {
	t.Parallel()
	h := startGateway(t, harnessConfig{shardID: 1, shardCount: 2})
	ids := h.f.Identifies()
	if len(ids) != 1 || ids[0].Shard != [2]int{1, 2} || !ids[0].Accepted || ids[0].Intents != 0 {
		t.Fatalf("identifies = %+v, want one accepted IDENTIFY with shard [1 2] and no intents", ids)
	}
	// Guild ids whose shard (id >> 22 % 2) is 1 and 0.
	mine, other := "4194304", "8388608"
	if discordtest.ShardOf(mine, 2) != 1 || discordtest.ShardOf(other, 2) != 0 {
		t.Fatal("test guild ids are on the wrong shards")
	}
	c := (&channels{}).next(mine)
	if w := decode(t, h.ask(t, h.f.Command(c, "help"))); !w.private() {
		t.Errorf("shard 1's guild: answer %+v, want the private help", w)
	}
	c = (&channels{}).next(other)
	if _, err := h.f.Dispatch(h.f.Command(c, "help")); !errors.Is(err, discordtest.ErrNoSession) {
		t.Errorf("shard 0's guild reached shard 1: err = %v", err)
	}
}

// TestGatewayReconnectsAndResumes: a dropped connection is reconnected and
// the session resumed by discordgo, and interactions are answered again.
// (discordgo may close and resume again right after: a heartbeat goroutine
// of the dropped connection that starts late fails and closes the new
// one. Resuming replays what was dispatched meanwhile, as Discord does.)
func TestGatewayReconnectsAndResumes(t *testing.T) {
	t.Parallel()
	h := startGateway(t, harnessConfig{})
	if n := h.f.DropConnections(); n != 1 {
		t.Fatalf("dropped %d connections, want 1", n)
	}
	err := h.f.Wait(waitCtx(t), func() bool { return h.f.Resumes() >= 1 && len(h.f.Sessions()) == 1 })
	if err != nil {
		t.Fatalf("not resumed: %v (identifies %+v)", err, h.f.Identifies())
	}
	if n := len(h.f.Identifies()); n != 1 {
		t.Errorf("%d IDENTIFYs, want 1: a resume needs none", n)
	}
	if w := decode(t, h.ask(t, h.f.Command((&channels{}).next(testGuild), "help"))); !w.private() {
		t.Errorf("after the resume: answer %+v, want the private help", w)
	}
}

// TestGatewayReadiness: Ready fails until the gateway connection is up and
// heartbeating, and after it closes.
func TestGatewayReadiness(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, discordtest.Options{Token: testToken, HeartbeatInterval: 200 * time.Millisecond})
	sess, err := NewSession(SessionConfig{Token: testToken, APIURL: f.URL})
	if err != nil {
		t.Fatal(err)
	}
	a := harnessConfig{}.adapter(t, sess)
	if err := a.Ready(context.Background()); err == nil {
		t.Fatal("ready before connecting")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	// discordgo marks the session ready after its first heartbeat, before
	// it waits for the second: the second proves the first was marked.
	if err := f.Wait(waitCtx(t), func() bool { return f.Heartbeats() >= 2 }); err != nil {
		t.Fatalf("no heartbeats: %v", err)
	}
	if err := a.Ready(context.Background()); err != nil {
		t.Errorf("connected and heartbeating, Ready = %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := a.Ready(context.Background()); err == nil {
		t.Error("ready after closing")
	}
}

// TestGatewayRefusedToken: a wrong token stops Run with an error saying
// what to do, without the token.
func TestGatewayRefusedToken(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, discordtest.Options{Token: testToken})
	const wrong = "wrong-token-77aa"
	sess, err := NewSession(SessionConfig{Token: wrong, APIURL: f.URL})
	if err != nil {
		t.Fatal(err)
	}
	a := harnessConfig{}.adapter(t, sess)
	err = a.Run(waitCtx(t))
	if err == nil || !strings.Contains(err.Error(), "INDUSTRYBOT_DISCORD_TOKEN") || strings.Contains(err.Error(), wrong) {
		t.Errorf("Run = %v, want an error naming INDUSTRYBOT_DISCORD_TOKEN and not the token", err)
	}
}

// TestGatewayRetriesFirstConnection: a failure that may pass (Discord's
// API answering 503) is retried until the connection is made.
func TestGatewayRetriesFirstConnection(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, discordtest.Options{Token: testToken})
	target, err := url.Parse(f.URL)
	if err != nil {
		t.Fatal(err)
	}
	var failed atomic.Int32
	proxy := httputil.NewSingleHostReverseProxy(target)
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/gateway") && failed.Add(1) <= 2 {
			http.Error(w, `{"message":"unavailable","code":0}`, http.StatusServiceUnavailable)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(flaky.Close)
	sess, err := NewSession(SessionConfig{Token: testToken, APIURL: flaky.URL})
	if err != nil {
		t.Fatal(err)
	}
	a := harnessConfig{}.adapter(t, sess)
	a.gw.retryDelay = func(int) time.Duration { return 0 }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	err = f.Wait(waitCtx(t), func() bool { return len(f.Sessions()) == 1 })
	cancel()
	if err != nil {
		t.Fatalf("never connected: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := failed.Load(); n < 3 {
		t.Errorf("%d gateway lookups, want 2 failed and 1 more", n)
	}
}

// TestDiscordgoLogsGoToTheAdapter: discordgo's own log lines reach the
// running adapter's logger, through slog. Not parallel: discordgo has one
// logger for the whole process, and the adapter that ran last holds it.
func TestDiscordgoLogsGoToTheAdapter(t *testing.T) {
	f := discordtest.Start(t, discordtest.Options{Token: testToken})
	sess, err := NewSession(SessionConfig{Token: testToken, APIURL: f.URL})
	if err != nil {
		t.Fatal(err)
	}
	sess.LogLevel = discordgo.LogInformational
	logs := &logBuffer{}
	a := harnessConfig{logs: logs}.adapter(t, sess)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	err = f.Wait(waitCtx(t), func() bool { return f.Heartbeats() > 0 })
	cancel()
	if err != nil {
		t.Fatalf("the gateway did not connect: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := logs.String(); !strings.Contains(got, `level=DEBUG msg="discordgo: `) || !strings.Contains(got, "connecting to gateway") {
		t.Errorf("discordgo's lines did not reach the adapter's logger:\n%s", got)
	}
}

package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	discordadapter "github.com/industrybot/industrybot/adapters/discord"
	"github.com/industrybot/industrybot/adapters/discord/discordtest"
	"github.com/industrybot/industrybot/adapters/prometheus"
	slackadapter "github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/adapters/slack/slacktest"
	"github.com/industrybot/industrybot/adapters/sqlite"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

// virtualClock is the scheduler's clock in these tests: the test sets it,
// and a wait moves it forward at once.
type virtualClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func (c *virtualClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *virtualClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
		c.waits = append(c.waits, d)
	}
	return ctx.Err()
}

func (c *virtualClock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// TestDailyPicksThroughTheFakes runs the scheduler on a moved clock and an
// SQLite file with the real Discord and Slack posters against the fake
// APIs: the posts land once a day at 09:00 local across a daylight-saving
// change, transient failures (429 with Retry-After, 5xx) are retried,
// permanent ones (unknown channel, not in channel) pause the channel, and a
// restart on the same file carries on.
func TestDailyPicksThroughTheFakes(t *testing.T) {
	ctx := waitCtx(t)
	disc := discordtest.Start(t, discordtest.Options{Token: discordTestToken})
	sl := slacktest.New(t)
	sess, err := discordadapter.NewSession(discordadapter.SessionConfig{Token: discordTestToken, APIURL: disc.URL})
	if err != nil {
		t.Fatal(err)
	}
	slackPoster, err := slackadapter.NewPoster(slackadapter.PosterConfig{BotToken: slacktest.BotToken, APIURL: sl.APIURL()})
	if err != nil {
		t.Fatal(err)
	}
	posters := map[bot.Platform]bot.Poster{bot.Discord: discordadapter.NewPoster(sess, slog.New(slog.DiscardHandler)), bot.Slack: slackPoster}
	cat := bottest.Catalog(t)
	path := t.TempDir() + "/daily.db"
	clock := &virtualClock{now: time.Date(2026, 3, 27, 12, 0, 0, 0, time.UTC)}
	start := func() (*bot.Scheduler, func()) {
		store, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		s := bot.NewScheduler(bot.SchedulerConfig{Store: store, Catalog: cat, Posters: posters, Clock: clock, Owner: "test", CatchUp: time.Hour})
		return s, func() { store.Close() }
	}
	sched, stop := start()
	channels := map[bot.ChannelKey]bool{
		{Platform: bot.Discord, Channel: "100"}:  true,
		{Platform: bot.Discord, Channel: "404"}:  false, // unknown channel
		{Platform: bot.Slack, Channel: "COK"}:    true,
		{Platform: bot.Slack, Channel: "CAWAY"}:  false, // not in channel
		{Platform: bot.Discord, Channel: "429"}:  true,  // rate limited once
		{Platform: bot.Slack, Channel: "CBUSY"}:  true,  // 500 twice
		{Platform: bot.Slack, Channel: "CSLOWR"}: true,  // 429 once
	}
	for ch := range channels {
		if _, err := sched.Subscribe(ctx, ch, bot.User{ID: "admin"}, bot.Schedule{Time: "09:00", Timezone: "Europe/London"}); err != nil {
			t.Fatal(err)
		}
	}
	disc.FailChannel("404", discordtest.UnknownChannel())
	sl.FailPosts("CAWAY", slacktest.NotInChannel)
	f := discordtest.RateLimited(3 * time.Second)
	f.Times = 1
	disc.FailChannel("429", f)
	busy := slacktest.ServerError
	busy.Times = 2
	sl.FailPosts("CBUSY", busy)
	slow := slacktest.RateLimited(5 * time.Second)
	slow.Times = 1
	sl.FailPosts("CSLOWR", slow)

	tick := func(s *bot.Scheduler, at string) {
		t.Helper()
		when, err := time.Parse(time.DateTime, at)
		if err != nil {
			t.Fatal(err)
		}
		clock.set(when)
		if err := s.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// London moves to summer time on 29 March: 09:00 local is 09:00 UTC the
	// day before and 08:00 UTC from then on.
	tick(sched, "2026-03-28 08:59:30")
	tick(sched, "2026-03-28 09:00:10")
	tick(sched, "2026-03-29 07:59:30")
	tick(sched, "2026-03-29 08:00:10")
	tick(sched, "2026-03-29 08:30:00") // again: nothing twice
	stop()
	sched, stop = start() // a restart on the same file
	defer stop()
	tick(sched, "2026-03-29 08:45:00")
	tick(sched, "2026-03-30 08:00:05")

	count := func(ch bot.ChannelKey) int {
		if ch.Platform == bot.Discord {
			return disc.MessageCount(ch.Channel)
		}
		return sl.Count(ch.Channel)
	}
	for ch, ok := range channels {
		want := 0
		if ok {
			want = 3
		}
		if got := count(ch); got != want {
			t.Errorf("%s: %d posts over three days, want %d", ch, got, want)
		}
	}
	// The permanent failures were tried once and paused.
	for _, ch := range []bot.ChannelKey{{Platform: bot.Discord, Channel: "404"}, {Platform: bot.Slack, Channel: "CAWAY"}} {
		st, err := sched.Status(ctx, ch)
		if err != nil {
			t.Fatal(err)
		}
		if st.Subscription.Paused == "" {
			t.Errorf("%s is not paused", ch)
		}
	}
	if disc.Attempts("404") != 1 || sl.Attempts("CAWAY") != 1 {
		t.Errorf("permanent failures retried: discord %d, slack %d attempts", disc.Attempts("404"), sl.Attempts("CAWAY"))
	}
	// The 429s were waited out as long as asked.
	clock.mu.Lock()
	waits := slices.Clone(clock.waits)
	clock.mu.Unlock()
	for _, want := range []time.Duration{3 * time.Second, 5 * time.Second} {
		if !slices.Contains(waits, want) {
			t.Errorf("waits %v lack the %s a 429 asked for", waits, want)
		}
	}
	// Each channel got three different picks, as its deck dealt them.
	for _, ch := range []string{"COK", "CBUSY"} {
		var titles []string
		for _, m := range sl.Messages(ch) {
			titles = append(titles, m.Text)
		}
		if len(titles) == 3 && (titles[0] == titles[1] || titles[1] == titles[2] || titles[0] == titles[2]) {
			t.Errorf("%s got a repeat: %q", ch, titles)
		}
	}
}

// TestLostAnswersAreNotSentTwice runs the scheduler on a moved clock and an
// SQLite file with the real posters against the fake APIs, which take some
// posts and lose their answers: a reset after acceptance, an answer after
// the client's timeout, every answer lost. No post goes out twice: each day
// is posted once, or, where the bot cannot tell, posted at most once and
// reported unknown in /daily status and the metrics.
func TestLostAnswersAreNotSentTwice(t *testing.T) {
	ctx := waitCtx(t)
	clock := &virtualClock{now: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)}
	disc := discordtest.Start(t, discordtest.Options{Token: discordTestToken})
	sl := slacktest.New(t, slacktest.WithClock(clock.Now))
	// The fakes answer late only once the client has given up: this
	// timeout is what a late answer waits, and ample for any request to
	// reach the fakes on a loaded machine.
	const timeout = 3 * time.Second
	sess, err := discordadapter.NewSession(discordadapter.SessionConfig{Token: discordTestToken, APIURL: disc.URL, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	slackPoster, err := slackadapter.NewPoster(slackadapter.PosterConfig{BotToken: slacktest.BotToken, APIURL: sl.APIURL(), HTTPClient: &http.Client{Timeout: timeout}})
	if err != nil {
		t.Fatal(err)
	}
	metrics := prometheus.New()
	raw, err := sqlite.Open(ctx, t.TempDir()+"/daily.db")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	store := metrics.Store(raw)
	posters := map[bot.Platform]bot.Poster{
		bot.Discord: metrics.Poster(bot.Discord, discordadapter.NewPoster(sess, slog.New(slog.DiscardHandler))),
		bot.Slack:   metrics.Poster(bot.Slack, slackPoster),
	}
	engine := bottest.Engine(t)
	sched := bot.NewScheduler(bot.SchedulerConfig{Store: store, Catalog: engine.Catalog(), Posters: posters, Clock: clock, Owner: "test", CatchUp: time.Hour})
	type channel struct {
		key  bot.ChannelKey
		lose func(string)
		want bot.PostState
	}
	discord := func(id string) bot.ChannelKey { return bot.ChannelKey{Platform: bot.Discord, Channel: id} }
	slack := func(id string) bot.ChannelKey { return bot.ChannelKey{Platform: bot.Slack, Channel: id} }
	channels := []channel{
		{discord("500"), nil, bot.PostSent},
		{discord("501"), func(c string) { disc.LoseAnswers(c, discordtest.LoseReset, 1) }, bot.PostSent},
		{discord("502"), func(c string) { disc.LoseAnswers(c, discordtest.LoseLate, 1) }, bot.PostSent},
		// Every answer lost: sent again with its nonce while Discord drops
		// the copy, then reported.
		{discord("503"), func(c string) { disc.LoseAnswers(c, discordtest.LoseReset, 100) }, bot.PostUnknown},
		{slack("COK"), nil, bot.PostSent},
		{slack("CRESET"), func(c string) { sl.LoseAnswers(c, slacktest.LoseReset, 1) }, bot.PostSent},
		{slack("CLATE"), func(c string) { sl.LoseAnswers(c, slacktest.LoseLate, 1) }, bot.PostSent},
		// The bot cannot read this channel's history to look.
		{slack("CBLIND"), func(c string) {
			sl.LoseAnswers(c, slacktest.LoseReset, 1)
			sl.Fail(slacktest.MethodHistory, c, slacktest.Failure{Error: "missing_scope", Needed: "channels:history"})
		}, bot.PostUnknown},
	}
	for _, c := range channels {
		if _, err := sched.Subscribe(ctx, c.key, bot.User{ID: "admin"}, bot.Schedule{Time: "09:00", Timezone: "UTC"}); err != nil {
			t.Fatal(err)
		}
		if c.lose != nil {
			c.lose(c.key.Channel)
		}
	}
	for _, at := range []string{"2026-11-26 09:00:10", "2026-11-26 09:05:00", "2026-11-26 09:30:00"} {
		when, _ := time.Parse(time.DateTime, at)
		clock.set(when)
		if err := sched.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range channels {
		n := sl.Count(c.key.Channel)
		if c.key.Platform == bot.Discord {
			n = disc.MessageCount(c.key.Channel)
		}
		if n != 1 {
			t.Errorf("%s: %d messages, want 1", c.key, n)
		}
		p, err := raw.GetPost(ctx, c.key, "2026-11-26")
		if err != nil {
			t.Fatalf("%s: %v", c.key, err)
		}
		if p.State != c.want {
			t.Errorf("%s: %s (%s), want %s", c.key, p.State, p.Error, c.want)
		}
	}
	if disc.Dropped("501") != 1 || disc.Dropped("502") != 1 || disc.Dropped("503") == 0 {
		t.Errorf("Discord dropped %d, %d and %d copies, want 1, 1 and some: the lost posts are sent again with their nonce",
			disc.Dropped("501"), disc.Dropped("502"), disc.Dropped("503"))
	}
	if n := sl.Attempts("CRESET") + sl.Attempts("CLATE") + sl.Attempts("CBLIND"); n != 3 {
		t.Errorf("%d chat.postMessage calls to the Slack channels that lost an answer, want 3: a post in doubt is looked for, not sent again", n)
	}
	b := bot.New(bot.Config{Engine: engine, Memory: store, Daily: sched})
	st := b.Handle(ctx, bot.Request{Platform: bot.Slack, Channel: "CBLIND", User: bot.User{ID: "admin", Admin: true}, Command: bot.CmdDaily, Options: map[string]string{bot.OptAction: bot.DailyStatus}})
	if !strings.Contains(st.Text, "unknown") || !strings.Contains(st.Text, "may or may not be in the channel") || !strings.Contains(st.Text, "channels:history") {
		t.Errorf("/daily status does not report the unknown post:\n%s", st.Text)
	}
	rec := httptest.NewRecorder()
	metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{
		`industrybot_daily_posts_total{platform="discord",result="sent"} 3`,
		`industrybot_daily_posts_total{platform="discord",result="unknown"} 1`,
		`industrybot_daily_posts_total{platform="slack",result="sent"} 3`,
		`industrybot_daily_posts_total{platform="slack",result="unknown"} 1`,
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// serveProcess is an `industrybot serve` started by a test.
type serveProcess struct {
	cmd    *exec.Cmd
	logs   *bytes.Buffer
	exited chan struct{}
}

// startServe runs the test binary as `industrybot serve` with env (and no
// INDUSTRYBOT_ variable of the test's own), stopped when the test ends.
func startServe(t *testing.T, env ...string) *serveProcess {
	t.Helper()
	p := &serveProcess{cmd: exec.Command(os.Args[0], "serve"), logs: &bytes.Buffer{}, exited: make(chan struct{})}
	p.cmd.Dir = t.TempDir()
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "INDUSTRYBOT_") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	p.cmd.Env = append(p.cmd.Env, "INDUSTRYBOT_TEST_AS_MAIN=1")
	p.cmd.Env = append(p.cmd.Env, env...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("serve (pid %d) logs:\n%s", p.cmd.Process.Pid, p.logs)
		}
	})
	return p
}

// stop stops the process with SIGTERM, and SIGKILL if it is slow to go.
func (p *serveProcess) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
}

// settled sums the daily posts a process's /metrics counts as finished.
func settled(addr string) int {
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get("http://" + addr + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	n := 0
	for _, line := range strings.Split(string(body), "\n") {
		if !strings.HasPrefix(line, "industrybot_daily_posts_total{") || strings.Contains(line, `result="pending"`) {
			continue
		}
		if v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64); err == nil {
			n += int(v)
		}
	}
	return n
}

// TestDailyPostKilledDuringTheCall kills `serve` with SIGKILL while the
// platforms have taken its daily posts and it has not heard so (the fakes
// hold their answers), then starts it again on the same SQLite file and
// address: the restart settles each post instead of sending it anew.
// Discord drops the copy it is sent again (the same nonce); Slack's is
// found in the channel's history, or, where the bot cannot read it, the
// day is reported unknown. No post goes out twice.
func TestDailyPostKilledDuringTheCall(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	path := t.TempDir() + "/industrybot.db"
	now := time.Now().UTC()
	due := now.Truncate(time.Minute)
	want := map[bot.ChannelKey]bot.PostState{
		{Platform: bot.Discord, Channel: "601"}:  bot.PostSent,
		{Platform: bot.Slack, Channel: "CKILL"}:  bot.PostSent,
		{Platform: bot.Slack, Channel: "CBLIND"}: bot.PostUnknown,
	}
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for ch := range want {
		if err := store.PutSubscription(ctx, bot.Subscription{Channel: ch, Time: due.Format("15:04"), Timezone: "UTC", Source: "chat", Since: now.Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	store.Close()
	disc := discordtest.Start(t, discordtest.Options{Token: discordTestToken})
	sl := slacktest.New(t)
	sl.Fail(slacktest.MethodHistory, "CBLIND", slacktest.Failure{Error: "missing_scope", Needed: "channels:history"})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	env := []string{
		"INDUSTRYBOT_HTTP_ADDR=" + addr, // the same on restart: the same owner, which takes its claims back at once
		"INDUSTRYBOT_STORE_DRIVER=sqlite",
		"INDUSTRYBOT_STORE_DSN=" + path,
		"INDUSTRYBOT_SLACK_MODE=http",
		"INDUSTRYBOT_SLACK_SIGNING_SECRET=killed-test-signing-secret",
		"INDUSTRYBOT_SLACK_BOT_TOKEN=" + slacktest.BotToken,
		"INDUSTRYBOT_SLACK_API_URL=" + sl.APIURL(),
		"INDUSTRYBOT_DISCORD_MODE=http",
		"INDUSTRYBOT_DISCORD_PUBLIC_KEY=" + discordtest.NewSigner().PublicKeyHex(),
		"INDUSTRYBOT_DISCORD_TOKEN=" + discordTestToken,
		"INDUSTRYBOT_DISCORD_API_URL=" + disc.URL,
		"INDUSTRYBOT_DAILY_CATCH_UP=1h",
		"INDUSTRYBOT_DAILY_TICK=1s",
		"INDUSTRYBOT_LOG_LEVEL=info",
	}
	releases := []func(){disc.HoldAnswers(), sl.HoldAnswers()}
	first := startServe(t, env...)
	waitCond(t, ctx, "the platforms to take every post", func() bool { return disc.HeldAnswers() == 1 && sl.HeldAnswers() == 2 })
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-first.exited
	for _, release := range releases {
		release() // the answers go to a dead process
	}
	second := startServe(t, env...)
	waitCond(t, ctx, "the restart to settle every post", func() bool { return settled(addr) >= len(want) })
	second.stop()

	if n := disc.MessageCount("601"); n != 1 || disc.Dropped("601") != 1 {
		t.Errorf("Discord: %d messages, %d copies dropped; want 1 message, and the restart's copy dropped", n, disc.Dropped("601"))
	}
	for _, ch := range []string{"CKILL", "CBLIND"} {
		if n := sl.Count(ch); n != 1 {
			t.Errorf("Slack %s: %d messages, want 1", ch, n)
		}
	}
	check, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close()
	for ch, state := range want {
		p, err := check.GetPost(ctx, ch, due.Format(bot.DateLayout))
		if err != nil {
			t.Fatalf("%s: %v", ch, err)
		}
		if p.State != state || p.Attempts != 2 {
			t.Errorf("%s: %s after %d claims (%s), want %s after 2", ch, p.State, p.Attempts, p.Error, state)
		}
	}
}

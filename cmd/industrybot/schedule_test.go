package main

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	discordadapter "github.com/industrybot/industrybot/adapters/discord"
	"github.com/industrybot/industrybot/adapters/discord/discordtest"
	slackadapter "github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/adapters/slack/slacktest"
	"github.com/industrybot/industrybot/adapters/sqlite"
	"github.com/industrybot/industrybot/bot"
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
	engine := bot.NewEngine(mustCatalog(t))
	path := t.TempDir() + "/daily.db"
	clock := &virtualClock{now: time.Date(2026, 3, 27, 12, 0, 0, 0, time.UTC)}
	start := func() (*bot.Scheduler, func()) {
		store, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		s := bot.NewScheduler(bot.SchedulerConfig{Store: store, Engine: engine, Posters: posters, Clock: clock, Owner: "test", CatchUp: time.Hour})
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
		if _, err := sched.Subscribe(ctx, ch, bot.User{ID: "admin"}, "09:00", "Europe/London"); err != nil {
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

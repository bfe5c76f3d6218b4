package sqlite_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

// stepClock is a clock the test sets; Sleep moves it forward.
type stepClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *stepClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *stepClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return ctx.Err()
}

type recorder struct {
	mu    sync.Mutex
	picks []string
}

func (r *recorder) Post(_ context.Context, _, _ string, reply bot.Reply) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.picks = append(r.picks, reply.Picks[0].Title.ID)
	return nil
}

func (r *recorder) Look(context.Context, string, string, time.Time) (bool, error) {
	return false, bot.ErrCannotLook
}

func (r *recorder) Dedup() time.Duration { return 0 }

// TestScheduleSurvivesRestart runs the scheduler on an SQLite file, stops
// it, and starts a new one on the same file: the subscription and the
// deck carry on, and no day posts twice.
func TestScheduleSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	cat := bottest.Catalog(t)
	path := filepath.Join(t.TempDir(), "industrybot.db")
	clock := &stepClock{now: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	rec := &recorder{}
	start := func() (*bot.Scheduler, func()) {
		s := MustOpen(t, path)
		return bot.NewScheduler(bot.SchedulerConfig{Store: s, Catalog: cat, Clock: clock, Owner: "host", CatchUp: time.Hour,
			Posters: map[bot.Platform]bot.Poster{bot.Slack: rec}}), func() { s.Close() }
	}
	ch := bot.ChannelKey{Platform: bot.Slack, Channel: "C1"}
	// What the channel's deck deals over the five days, as a scheduler on a
	// fresh store previews it before anything is posted.
	fresh := bot.NewScheduler(bot.SchedulerConfig{Store: bot.NewMemoryStore(), Catalog: cat, Clock: clock, Owner: "preview"})
	days, err := fresh.Preview(ctx, bot.Subscription{Channel: ch, Time: "09:00", Timezone: "Europe/London"}, 5)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, d := range days {
		want = append(want, d.Pick.ID)
	}
	sched, stop := start()
	if _, err := sched.Subscribe(ctx, ch, bot.User{ID: "U1"}, bot.Schedule{Time: "09:00", Timezone: "Europe/London"}); err != nil {
		t.Fatal(err)
	}
	tick := func(s *bot.Scheduler, at string) {
		t.Helper()
		when, _ := time.Parse(time.DateTime, at)
		clock.mu.Lock()
		clock.now = when
		clock.mu.Unlock()
		if err := s.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, day := range []string{"2026-11-21", "2026-11-22", "2026-11-23"} {
		tick(sched, day+" 09:00:05")
	}
	stop()
	sched, stop = start()
	defer stop()
	tick(sched, "2026-11-23 09:05:00") // the same day again, after the restart
	for _, day := range []string{"2026-11-24", "2026-11-25"} {
		tick(sched, day+" 09:00:05")
	}
	if len(rec.picks) != 5 {
		t.Fatalf("%d posts over five days with a restart, want 5: %v", len(rec.picks), rec.picks)
	}
	if !slices.Equal(rec.picks, want) {
		t.Errorf("posts %v, want the channel's deck in order %v", rec.picks, want)
	}
}

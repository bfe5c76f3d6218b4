package bot_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

// fakeClock is virtual time: Sleep moves it forward at once and records how
// long it was asked to wait.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.slept = append(c.slept, d)
		c.now = c.now.Add(d)
	}
	return ctx.Err()
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *fakeClock) sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.slept)
}

// fakePoster records posts; fail, when set, decides the fate of each
// attempt (n counts attempts on that channel from 1) before it posts, and
// lose whether the answer to one that posted is lost. With dedup set it
// drops a post whose key it took within dedup, as Discord does with a
// nonce; Look finds posts by key unless lookErr says otherwise.
type fakePoster struct {
	mu      sync.Mutex
	posts   []posted
	tries   map[string]int
	looks   int
	fail    func(channel string, n int) error
	lose    func(channel string, n int) bool
	dedup   time.Duration
	lookErr func(channel string) error
	clock   *fakeClock
}

type posted struct {
	channel, key, pick string
	at                 time.Time
}

// errLost is the answer of a post that went in and whose answer was lost.
var errLost = &bot.PostError{Unknown: true, Err: errors.New("connection reset after the request was sent")}

func (p *fakePoster) Post(ctx context.Context, channel, key string, r bot.Reply) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tries == nil {
		p.tries = map[string]int{}
	}
	p.tries[channel]++
	n := p.tries[channel]
	if p.fail != nil {
		if err := p.fail(channel, n); err != nil {
			return err
		}
	}
	if len(r.Picks) != 1 || r.Attribution == "" || len(r.Actions) != 2 {
		return fmt.Errorf("a daily post needs one pick, an attribution and two buttons: %+v", r)
	}
	now := p.clock.Now()
	dup := slices.ContainsFunc(p.posts, func(x posted) bool {
		return x.channel == channel && x.key == key && now.Sub(x.at) < p.dedup
	})
	if !dup {
		p.posts = append(p.posts, posted{channel, key, r.Picks[0].Title.ID, now})
	}
	if p.lose != nil && p.lose(channel, n) {
		return errLost
	}
	return nil
}

func (p *fakePoster) Look(ctx context.Context, channel, key string, since time.Time) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.looks++
	if p.lookErr != nil {
		if err := p.lookErr(channel); err != nil {
			return false, err
		}
	}
	return slices.ContainsFunc(p.posts, func(x posted) bool { return x.channel == channel && x.key == key }), nil
}

func (p *fakePoster) Dedup() time.Duration { return p.dedup }

func (p *fakePoster) picks(channel string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, x := range p.posts {
		if x.channel == channel {
			out = append(out, x.pick)
		}
	}
	return out
}

func (p *fakePoster) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.posts)
}

// rig is a scheduler on a fake clock with a fake Slack poster.
type rig struct {
	t      *testing.T
	clock  *fakeClock
	store  bot.Store
	poster *fakePoster
	logs   *bytes.Buffer
	sched  *bot.Scheduler
	cfg    bot.SchedulerConfig
}

func newRig(t *testing.T, start time.Time, store bot.Store) *rig {
	t.Helper()
	clock := &fakeClock{now: start}
	r := &rig{t: t, clock: clock, store: store, poster: &fakePoster{clock: clock}, logs: &bytes.Buffer{}}
	r.cfg = bot.SchedulerConfig{
		Store: store, Catalog: bottest.Catalog(t), Clock: clock, Owner: "host-a",
		Posters: map[bot.Platform]bot.Poster{bot.Slack: r.poster, bot.Discord: r.poster},
		Logger:  slog.New(slog.NewTextHandler(syncWriter{mu: &sync.Mutex{}, w: r.logs}, nil)),
		CatchUp: 2 * time.Hour,
	}
	r.sched = bot.NewScheduler(r.cfg)
	return r
}

type syncWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (s syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (r *rig) subscribe(ch bot.ChannelKey, hhmm, zone string, since time.Time) {
	r.t.Helper()
	if err := r.store.PutSubscription(context.Background(), bot.Subscription{Channel: ch, Time: hhmm, Timezone: zone, Source: "chat", Since: since}); err != nil {
		r.t.Fatal(err)
	}
}

// at sets the clock and runs one tick.
func (r *rig) at(t time.Time) {
	r.t.Helper()
	r.clock.set(t)
	if err := r.sched.Tick(context.Background()); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) post(ch bot.ChannelKey, date string) bot.Post {
	r.t.Helper()
	p, err := r.store.GetPost(context.Background(), ch, date)
	if err != nil {
		r.t.Fatalf("post %s %s: %v", ch, date, err)
	}
	return p
}

var (
	slackC1  = bot.ChannelKey{Platform: bot.Slack, Channel: "C1"}
	london   = mustZone("Europe/London")
	newYork  = mustZone("America/New_York")
	longAgo  = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	utc      = func(s string) time.Time { t, _ := time.Parse("2006-01-02 15:04", s); return t }
	mustZone = func(name string) *time.Location {
		l, err := time.LoadLocation(name)
		if err != nil {
			panic(err)
		}
		return l
	}
)

func TestDueAt(t *testing.T) {
	tests := []struct {
		name, date, hhmm string
		loc              *time.Location
		want             string // UTC
	}{
		{"London winter", "2026-03-28", "09:00", london, "2026-03-28 09:00"},
		{"London summer, the day clocks go forward", "2026-03-29", "09:00", london, "2026-03-29 08:00"},
		{"London: 01:30 does not exist, so 02:00 BST", "2026-03-29", "01:30", london, "2026-03-29 01:00"},
		{"London: 01:30 happens twice, the first", "2026-10-25", "01:30", london, "2026-10-25 00:30"},
		{"London after falling back", "2026-10-25", "09:00", london, "2026-10-25 09:00"},
		{"New York before", "2026-03-07", "09:00", newYork, "2026-03-07 14:00"},
		{"New York after", "2026-03-08", "09:00", newYork, "2026-03-08 13:00"},
		{"New York: 02:30 does not exist, so 03:00 EDT", "2026-03-08", "02:30", newYork, "2026-03-08 07:00"},
		{"New York: 01:30 twice, the first (EDT)", "2026-11-01", "01:30", newYork, "2026-11-01 05:30"},
		{"midnight", "2026-06-01", "00:00", london, "2026-05-31 23:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := bot.ParseClock(tc.hhmm)
			got, err := bot.DueAt(tc.date, m, tc.loc)
			if err != nil {
				t.Fatal(err)
			}
			if want := utc(tc.want); !got.Equal(want) {
				t.Errorf("got %s (%s), want %s UTC", got.UTC(), got, tc.want)
			}
		})
	}
}

func TestPostsOncePerDayAtLocalTimeAcrossDST(t *testing.T) {
	for _, tc := range []struct {
		zone  string
		days  []string // local dates around a change
		dueAt []string // when 09:00 local falls, UTC
	}{
		{"Europe/London", []string{"2026-03-28", "2026-03-29", "2026-03-30"}, []string{"2026-03-28 09:00", "2026-03-29 08:00", "2026-03-30 08:00"}},
		{"Europe/London", []string{"2026-10-24", "2026-10-25"}, []string{"2026-10-24 08:00", "2026-10-25 09:00"}},
		{"America/New_York", []string{"2026-03-07", "2026-03-08", "2026-03-09"}, []string{"2026-03-07 14:00", "2026-03-08 13:00", "2026-03-09 13:00"}},
		{"America/New_York", []string{"2026-10-31", "2026-11-01"}, []string{"2026-10-31 13:00", "2026-11-01 14:00"}},
	} {
		t.Run(tc.zone+" "+tc.days[0], func(t *testing.T) {
			r := newRig(t, longAgo, bot.NewMemoryStore())
			r.subscribe(slackC1, "09:00", tc.zone, longAgo)
			for i, date := range tc.days {
				due := utc(tc.dueAt[i])
				r.at(due.Add(-time.Minute))
				if n := len(r.poster.picks("C1")); n != i {
					t.Fatalf("%s: %d posts a minute before 09:00 local, want %d", date, n, i)
				}
				r.at(due.Add(20 * time.Second))
				r.at(due.Add(50 * time.Second))
				r.at(due.Add(time.Hour)) // and an hour later, when clocks may repeat
				if n := len(r.poster.picks("C1")); n != i+1 {
					t.Fatalf("%s: %d posts after 09:00 local, want %d", date, n, i+1)
				}
				if p := r.post(slackC1, date); p.State != bot.PostSent || !p.Due.Equal(due) {
					t.Errorf("%s: record %+v, want sent, due %s", date, p, due)
				}
			}
		})
	}
}

func TestRepeatedAndSkippedTimes(t *testing.T) {
	r := newRig(t, longAgo, bot.NewMemoryStore())
	r.subscribe(slackC1, "01:30", "Europe/London", longAgo)
	// Spring forward: 01:30 never happens; it posts at 02:00 BST (01:00 UTC).
	r.at(utc("2026-03-29 00:59"))
	if n := r.poster.count(); n != 0 {
		t.Fatalf("posted %d before the gap ended", n)
	}
	r.at(utc("2026-03-29 01:00"))
	if n := r.poster.count(); n != 1 {
		t.Fatalf("posted %d at 02:00 BST, want 1", n)
	}
	// Fall back: 01:30 BST then 01:30 GMT: one post.
	r.at(utc("2026-10-25 00:30"))
	r.at(utc("2026-10-25 01:30"))
	r.at(utc("2026-10-25 01:45"))
	if n := r.poster.count(); n != 2 {
		t.Errorf("posted %d in all, want 2 (the repeated hour posts once)", n)
	}
}

func TestRestartDoesNotPostTwice(t *testing.T) {
	store := bot.NewMemoryStore()
	r := newRig(t, longAgo, store)
	r.subscribe(slackC1, "09:00", "Europe/London", longAgo)
	r.at(utc("2026-11-26 09:00"))
	// A new process on the same store, same owner name or another.
	for _, owner := range []string{"host-a", "host-b"} {
		cfg := r.cfg
		cfg.Owner = owner
		sched := bot.NewScheduler(cfg)
		r.clock.set(utc("2026-11-26 09:01"))
		if err := sched.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := r.poster.count(); n != 1 {
		t.Errorf("%d posts after restarts, want 1", n)
	}
}

func TestCrashBetweenClaimAndSend(t *testing.T) {
	ctx := context.Background()
	claimAt := func(r *rig, owner string, at time.Time) {
		t.Helper()
		_, won, err := r.store.ClaimPost(ctx, bot.Post{Channel: slackC1, Date: "2026-11-26", Pick: "heat", State: bot.PostClaimed, Owner: owner, Due: utc("2026-11-26 09:00"), ClaimedAt: at}, at)
		if err != nil || !won {
			t.Fatalf("claim: %v %v", won, err)
		}
	}
	t.Run("the same process restarts within catch-up: sent at once, with the claimed pick", func(t *testing.T) {
		r := newRig(t, longAgo, bot.NewMemoryStore())
		r.subscribe(slackC1, "09:00", "Europe/London", longAgo)
		claimAt(r, "host-a", utc("2026-11-26 09:00"))
		r.at(utc("2026-11-26 09:10"))
		if got := r.poster.picks("C1"); !slices.Equal(got, []string{"heat"}) {
			t.Errorf("posted %v, want [heat]", got)
		}
		if p := r.post(slackC1, "2026-11-26"); p.State != bot.PostSent || p.Attempts != 2 {
			t.Errorf("record %+v", p)
		}
	})
	t.Run("another process: waits for the lease, then takes over", func(t *testing.T) {
		r := newRig(t, longAgo, bot.NewMemoryStore())
		r.subscribe(slackC1, "09:00", "Europe/London", longAgo)
		claimAt(r, "host-dead", utc("2026-11-26 09:00"))
		r.at(utc("2026-11-26 09:01"))
		if n := r.poster.count(); n != 0 {
			t.Fatalf("took over a fresh claim: %d posts", n)
		}
		r.at(utc("2026-11-26 09:03"))
		if got := r.poster.picks("C1"); !slices.Equal(got, []string{"heat"}) {
			t.Errorf("after the lease: posted %v, want [heat]", got)
		}
	})
	t.Run("too late: recorded missed, not posted", func(t *testing.T) {
		r := newRig(t, longAgo, bot.NewMemoryStore())
		r.subscribe(slackC1, "09:00", "Europe/London", longAgo)
		claimAt(r, "host-a", utc("2026-11-26 09:00"))
		r.at(utc("2026-11-26 11:30"))
		if n := r.poster.count(); n != 0 {
			t.Errorf("posted %d, want 0", n)
		}
		if p := r.post(slackC1, "2026-11-26"); p.State != bot.PostMissed {
			t.Errorf("record %+v, want missed", p)
		}
		if !strings.Contains(r.logs.String(), "daily pick missed") {
			t.Errorf("the miss was not logged: %s", r.logs)
		}
	})
	t.Run("a claim from days ago is resolved as missed", func(t *testing.T) {
		r := newRig(t, longAgo, bot.NewMemoryStore())
		r.subscribe(slackC1, "09:00", "Europe/London", longAgo)
		claimAt(r, "host-dead", utc("2026-11-26 09:00"))
		r.at(utc("2026-11-29 08:00"))
		if p := r.post(slackC1, "2026-11-26"); p.State != bot.PostMissed {
			t.Errorf("record %+v, want missed", p)
		}
		if un, _ := r.store.UnfinishedPosts(ctx); len(un) != 0 {
			t.Errorf("still unfinished: %v", un)
		}
	})
}

func TestCatchUpAfterDowntime(t *testing.T) {
	for _, tc := range []struct {
		name    string
		catchUp time.Duration
		wake    string
		want    bot.PostState
	}{
		{"within catch-up", 2 * time.Hour, "2026-11-26 10:59", bot.PostSent},
		{"beyond catch-up", 2 * time.Hour, "2026-11-26 11:01", bot.PostMissed},
		{"catch-up off, on time", 0, "2026-11-26 09:02", bot.PostSent},
		{"catch-up off, after downtime", 0, "2026-11-26 09:30", bot.PostMissed},
		{"past midnight, yesterday's late post", 4 * time.Hour, "2026-11-27 01:00", bot.PostSent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, longAgo, bot.NewMemoryStore())
			hhmm := "09:00"
			if tc.name == "past midnight, yesterday's late post" {
				hhmm = "22:30"
			}
			r.cfg.CatchUp = tc.catchUp
			r.sched = bot.NewScheduler(r.cfg)
			r.subscribe(slackC1, hhmm, "Europe/London", longAgo)
			r.at(utc(tc.wake))
			if p := r.post(slackC1, "2026-11-26"); p.State != tc.want {
				t.Errorf("record %+v, want %s", p, tc.want)
			}
			if want := map[bot.PostState]int{bot.PostSent: 1, bot.PostMissed: 0}[tc.want]; r.poster.count() != want {
				t.Errorf("%d posts, want %d", r.poster.count(), want)
			}
		})
	}
}

func TestNothingBeforeTheSubscription(t *testing.T) {
	r := newRig(t, longAgo, bot.NewMemoryStore())
	r.subscribe(slackC1, "09:00", "Europe/London", utc("2026-11-26 10:00"))
	r.at(utc("2026-11-26 10:01"))
	if _, err := r.store.GetPost(context.Background(), slackC1, "2026-11-26"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("a day before the subscription was recorded: %v", err)
	}
	r.at(utc("2026-11-27 09:00"))
	if n := r.poster.count(); n != 1 {
		t.Errorf("%d posts, want 1 on the first day after subscribing", n)
	}
}

func TestDeckDealsEveryPickThenReshuffles(t *testing.T) {
	r := newRig(t, longAgo, bot.NewMemoryStore())
	r.subscribe(slackC1, "09:00", "UTC", longAgo)
	ctx := context.Background()
	preview, err := r.sched.Preview(ctx, bot.Subscription{Channel: slackC1, Time: "09:00", Timezone: "UTC"}, 24)
	if err != nil {
		t.Fatal(err)
	}
	day := utc("2026-01-05 09:00")
	const cycles = 6
	for i := range 12 * cycles {
		r.at(day.AddDate(0, 0, i))
	}
	got := r.poster.picks("C1")
	if len(got) != 12*cycles {
		t.Fatalf("%d posts, want %d", len(got), 12*cycles)
	}
	for c := range cycles {
		cycle := got[12*c : 12*c+12]
		seen := map[string]bool{}
		for _, id := range cycle {
			if seen[id] {
				t.Fatalf("shuffle %d repeats %s: %v", c+1, id, cycle)
			}
			seen[id] = true
		}
		if c > 0 && cycle[0] == got[12*c-1] {
			t.Errorf("shuffle %d starts with %s, the card that ended shuffle %d", c+1, cycle[0], c)
		}
	}
	if slices.Equal(got[:12], got[12:24]) {
		t.Error("two shuffles in the same order")
	}
	var want []string
	for _, d := range preview {
		want = append(want, d.Pick.ID)
	}
	if !slices.Equal(got[:24], want) {
		t.Errorf("preview %v\n  posts %v", want, got[:24])
	}
	// Another channel deals another order.
	other := bot.Shuffle(bottest.Catalog(t), bot.ChannelKey{Platform: bot.Slack, Channel: "C2"}, 0, "")
	if slices.Equal(other, got[:12]) {
		t.Error("two channels deal the same order")
	}
}

// TestShuffleNeverStartsWithLast runs the constraint over many seeds.
func TestShuffleNeverStartsWithLast(t *testing.T) {
	cat := bottest.Catalog(t)
	for i := range 500 {
		ch := bot.ChannelKey{Platform: bot.Discord, Channel: fmt.Sprint(i)}
		first := bot.Shuffle(cat, ch, 1, "heat")
		if first[0] == "heat" {
			t.Fatalf("channel %d: shuffle starts with the last card", i)
		}
		if again := bot.Shuffle(cat, ch, 1, "heat"); !slices.Equal(first, again) {
			t.Fatalf("channel %d: the shuffle is not deterministic", i)
		}
	}
}

func TestTransientFailuresAreRetried(t *testing.T) {
	r := newRig(t, longAgo, bot.NewMemoryStore())
	r.subscribe(slackC1, "09:00", "UTC", longAgo)
	r.poster.fail = func(_ string, n int) error {
		switch n {
		case 1:
			return &bot.PostError{Err: errors.New("HTTP 503")}
		case 2:
			return &bot.PostError{RetryAfter: 7 * time.Second, Err: errors.New("HTTP 429")}
		}
		return nil
	}
	r.at(utc("2026-11-26 09:00"))
	if n := r.poster.count(); n != 1 {
		t.Fatalf("%d posts, want 1", n)
	}
	sleeps := r.clock.sleeps()
	if !slices.Contains(sleeps, time.Second) || !slices.Contains(sleeps, 7*time.Second) {
		t.Errorf("waits %v, want a 1s backoff and the 7s Retry-After", sleeps)
	}
}

func TestTransientFailureLeftPendingIsRetriedNextTick(t *testing.T) {
	r := newRig(t, longAgo, bot.NewMemoryStore())
	r.subscribe(slackC1, "09:00", "UTC", longAgo)
	down := true
	r.poster.fail = func(string, int) error {
		if down {
			return &bot.PostError{Err: errors.New("connection refused")}
		}
		return nil
	}
	r.at(utc("2026-11-26 09:00"))
	if p := r.post(slackC1, "2026-11-26"); p.State != bot.PostPending || !strings.Contains(p.Error, "connection refused") {
		t.Fatalf("record %+v, want pending with the error", p)
	}
	down = false
	r.at(utc("2026-11-26 09:05"))
	if p := r.post(slackC1, "2026-11-26"); p.State != bot.PostSent || r.poster.count() != 1 {
		t.Errorf("record %+v, %d posts; want sent once", p, r.poster.count())
	}
}

func TestPermanentFailurePausesAndIsReported(t *testing.T) {
	r := newRig(t, longAgo, bot.NewMemoryStore())
	r.subscribe(slackC1, "09:00", "UTC", longAgo)
	r.poster.fail = func(string, int) error {
		return &bot.PostError{Permanent: true, Err: errors.New("not_in_channel"), Hint: "invite the bot to the channel"}
	}
	r.at(utc("2026-11-26 09:00"))
	r.at(utc("2026-11-27 09:00"))
	if n := r.poster.tries["C1"]; n != 1 {
		t.Errorf("%d attempts, want 1: a permanent failure is not retried", n)
	}
	if p := r.post(slackC1, "2026-11-26"); p.State != bot.PostFailed {
		t.Errorf("record %+v, want failed", p)
	}
	st, err := r.sched.Status(context.Background(), slackC1)
	if err != nil {
		t.Fatal(err)
	}
	if text := st.String(); !strings.Contains(text, "not_in_channel") || !strings.Contains(text, "invite the bot") {
		t.Errorf("status does not show the problem:\n%s", text)
	}
	if n := strings.Count(r.logs.String(), "cannot be posted"); n != 1 {
		t.Errorf("logged %d times, want once:\n%s", n, r.logs)
	}
	// Subscribing again resumes.
	r.poster.fail = nil
	if _, err := r.sched.Subscribe(context.Background(), slackC1, bot.User{ID: "U1"}, bot.Schedule{Time: "09:00", Timezone: "UTC"}); err != nil {
		t.Fatal(err)
	}
	r.at(utc("2026-11-28 09:00"))
	if n := r.poster.count(); n != 1 {
		t.Errorf("%d posts after resuming, want 1", n)
	}
}

func TestTwoSchedulersPostEachChannelOnce(t *testing.T) {
	store := bot.NewMemoryStore()
	r := newRig(t, longAgo, store)
	const channels = 60
	for i := range channels {
		r.subscribe(bot.ChannelKey{Platform: bot.Slack, Channel: fmt.Sprint("C", i)}, "09:00", "UTC", longAgo)
	}
	r.clock.set(utc("2026-11-26 09:00"))
	var wg sync.WaitGroup
	for _, owner := range []string{"host-a", "host-b", "host-c"} {
		cfg := r.cfg
		cfg.Owner = owner
		s := bot.NewScheduler(cfg)
		wg.Go(func() {
			if err := s.Tick(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := r.poster.count(); n != channels {
		t.Errorf("%d posts, want %d", n, channels)
	}
	for i := range channels {
		if got := r.poster.picks(fmt.Sprint("C", i)); len(got) != 1 {
			t.Errorf("C%d got %d posts", i, len(got))
		}
	}
}

func TestPacingSpacesPostsToAPlatform(t *testing.T) {
	r := newRig(t, longAgo, bot.NewMemoryStore())
	r.cfg.Pace = map[bot.Platform]time.Duration{bot.Slack: time.Second}
	r.cfg.Workers = 3
	r.sched = bot.NewScheduler(r.cfg)
	for i := range 10 {
		r.subscribe(bot.ChannelKey{Platform: bot.Slack, Channel: fmt.Sprint("C", i)}, "09:00", "UTC", longAgo)
	}
	start := utc("2026-11-26 09:00")
	r.at(start)
	r.poster.mu.Lock()
	defer r.poster.mu.Unlock()
	if len(r.poster.posts) != 10 {
		t.Fatalf("%d posts", len(r.poster.posts))
	}
	times := make([]time.Time, 0, 10)
	for _, p := range r.poster.posts {
		times = append(times, p.at)
	}
	// The pacer gives the posts slots a second apart from the start, and
	// each goes out at its slot or later; the workers' sleeps all move the
	// one fake clock, so a post may be seen later than its slot but never
	// earlier. Sorted, the i-th post is at least i seconds after the start.
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	for i, at := range times {
		if min := start.Add(time.Duration(i) * time.Second); at.Before(min) {
			t.Errorf("post %d of 10 at %s, want it no earlier than %s: a second apart", i+1, at.Format(time.TimeOnly), min.Format(time.TimeOnly))
		}
	}
}

// TestShutdownFinishesAPostUnderWay: a shutdown while a post is being sent
// lets it finish and be recorded, so the restart does not send it again.
func TestShutdownFinishesAPostUnderWay(t *testing.T) {
	r := newRig(t, longAgo, bot.NewMemoryStore())
	r.subscribe(slackC1, "09:00", "UTC", longAgo)
	started, release := make(chan struct{}), make(chan struct{})
	r.poster.fail = func(string, int) error {
		close(started)
		<-release
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.clock.set(utc("2026-11-26 09:00"))
	done := make(chan error, 1)
	go func() { done <- r.sched.Tick(ctx) }()
	<-started
	cancel() // SIGTERM while the platform is answering
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if p := r.post(slackC1, "2026-11-26"); p.State != bot.PostSent {
		t.Errorf("record %+v, want sent", p)
	}
}

// cannotLook is a poster that has no way to look for a post.
func cannotLook(string) error { return fmt.Errorf("%w: no history scope", bot.ErrCannotLook) }

// TestLostAnswerIsNeverSentAsNew: a post that reached the platform but
// whose answer was lost (a reset after the request went out, an answer
// slower than the timeout) is settled, never sent as new: sent again where
// the platform drops the copy, looked for where it can be, reported unknown
// where neither.
func TestLostAnswerIsNeverSentAsNew(t *testing.T) {
	firstLost := func(_ string, n int) bool { return n == 1 }
	firstNeverArrived := func(_ string, n int) error {
		if n == 1 {
			return &bot.PostError{Unknown: true, Err: errors.New("reset before the platform read it")}
		}
		return nil
	}
	for _, tc := range []struct {
		name         string
		dedup        time.Duration
		lookErr      func(string) error
		lose         func(string, int) bool
		fail         func(string, int) error
		want         bot.PostState
		tries, looks int
	}{
		{"the platform drops the copy (Discord's nonce): sent again", 2 * time.Minute, cannotLook, firstLost, nil, bot.PostSent, 2, 0},
		{"looked for and found (Slack with the history scope)", 0, nil, firstLost, nil, bot.PostSent, 1, 1},
		{"looked for and not there: sent again", 0, nil, nil, firstNeverArrived, bot.PostSent, 2, 1},
		{"cannot look: unknown, not sent again", 0, cannotLook, firstLost, nil, bot.PostUnknown, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, longAgo, bot.NewMemoryStore())
			r.subscribe(slackC1, "09:00", "UTC", longAgo)
			r.poster.dedup, r.poster.lookErr, r.poster.lose, r.poster.fail = tc.dedup, tc.lookErr, tc.lose, tc.fail
			r.at(utc("2026-11-26 09:00"))
			r.at(utc("2026-11-26 09:10"))
			r.at(utc("2026-11-26 12:00"))
			if n := len(r.poster.picks("C1")); n != 1 {
				t.Errorf("%d posts in the channel, want 1", n)
			}
			if p := r.post(slackC1, "2026-11-26"); p.State != tc.want {
				t.Errorf("record %+v, want %s", p, tc.want)
			}
			if r.poster.tries["C1"] != tc.tries || r.poster.looks != tc.looks {
				t.Errorf("%d sends and %d looks, want %d and %d", r.poster.tries["C1"], r.poster.looks, tc.tries, tc.looks)
			}
			if tc.want != bot.PostUnknown {
				return
			}
			st, err := r.sched.Status(context.Background(), slackC1)
			if err != nil {
				t.Fatal(err)
			}
			if text := st.String(); !strings.Contains(text, "unknown") || !strings.Contains(text, "may or may not be in the channel") || !strings.Contains(text, "no history scope") {
				t.Errorf("status does not report the unknown post:\n%s", text)
			}
			if !strings.Contains(r.logs.String(), "may or may not be in the channel") {
				t.Errorf("the unknown post was not logged:\n%s", r.logs)
			}
		})
	}
}

// TestLostAnswerAfterTheDedupWindow: a post whose answers stay lost is
// sent again with its key only while the platform would drop the copy;
// after that, where the bot cannot look, it is reported unknown.
func TestLostAnswerAfterTheDedupWindow(t *testing.T) {
	r := newRig(t, longAgo, bot.NewMemoryStore())
	r.subscribe(slackC1, "09:00", "UTC", longAgo)
	r.poster.dedup, r.poster.lookErr = 2*time.Minute, cannotLook
	r.poster.lose = func(string, int) bool { return true }
	r.at(utc("2026-11-26 09:00"))
	if p := r.post(slackC1, "2026-11-26"); p.State != bot.PostSending || !p.Sending.Equal(utc("2026-11-26 09:00")) {
		t.Fatalf("after a tick of lost answers: %+v, want sending since 09:00", p)
	}
	tries := r.poster.tries["C1"]
	r.at(utc("2026-11-26 09:10"))
	if p := r.post(slackC1, "2026-11-26"); p.State != bot.PostUnknown {
		t.Errorf("after the window: %+v, want unknown", p)
	}
	if n := r.poster.tries["C1"]; n != tries {
		t.Errorf("sent again after the window: %d tries, want %d", n, tries)
	}
	if n := len(r.poster.picks("C1")); n != 1 {
		t.Errorf("%d posts, want 1", n)
	}
}

// TestKilledDuringTheCall: a process killed while the platform was
// answering left its post "sending"; whoever takes it over settles it
// instead of sending it anew, whether or not the call had reached the
// platform.
func TestKilledDuringTheCall(t *testing.T) {
	ctx := context.Background()
	date, due := "2026-11-26", utc("2026-11-26 09:00")
	for _, tc := range []struct {
		name    string
		reached bool // the killed call had reached the platform
		dedup   time.Duration
		lookErr func(string) error
		owner   string
		at      string
		want    bot.PostState
		posts   int
	}{
		{"restart, the platform drops the copy, it had arrived", true, 2 * time.Minute, cannotLook, "host-a", "2026-11-26 09:01", bot.PostSent, 1},
		{"restart, the platform drops the copy, it had not arrived", false, 2 * time.Minute, cannotLook, "host-a", "2026-11-26 09:01", bot.PostSent, 1},
		{"restart, looked for and found", true, 0, nil, "host-a", "2026-11-26 09:01", bot.PostSent, 1},
		{"restart, looked for and not there", false, 0, nil, "host-a", "2026-11-26 09:01", bot.PostSent, 1},
		{"restart, cannot look", true, 0, cannotLook, "host-a", "2026-11-26 09:01", bot.PostUnknown, 1},
		{"another process after the lease and the window: cannot tell", true, 2 * time.Minute, cannotLook, "host-b", "2026-11-26 09:03", bot.PostUnknown, 1},
		{"too late to post, looked for and found", true, 0, nil, "host-a", "2026-11-26 11:30", bot.PostSent, 1},
		{"too late to post, looked for and not there", false, 0, nil, "host-a", "2026-11-26 11:30", bot.PostMissed, 0},
		{"too late to post, cannot look", true, 2 * time.Minute, cannotLook, "host-a", "2026-11-26 11:30", bot.PostUnknown, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, longAgo, bot.NewMemoryStore())
			r.subscribe(slackC1, "09:00", "UTC", longAgo)
			r.poster.dedup, r.poster.lookErr = tc.dedup, tc.lookErr
			// host-a claimed the post, marked it sending and died in the call.
			p, won, err := r.store.ClaimPost(ctx, bot.Post{Channel: slackC1, Date: date, Pick: "heat", State: bot.PostClaimed, Owner: "host-a", Due: due, ClaimedAt: due}, due)
			if err != nil || !won {
				t.Fatalf("claim: %v %v", won, err)
			}
			p.State, p.Sending = bot.PostSending, due
			if err := r.store.MarkSending(ctx, p); err != nil {
				t.Fatal(err)
			}
			if tc.reached {
				r.poster.posts = append(r.poster.posts, posted{"C1", p.Key(), "heat", due})
			}
			cfg := r.cfg
			cfg.Owner = tc.owner
			r.sched = bot.NewScheduler(cfg)
			r.at(utc(tc.at))
			if got := r.post(slackC1, date); got.State != tc.want {
				t.Errorf("record %+v, want %s", got, tc.want)
			}
			if got := r.poster.picks("C1"); len(got) != tc.posts || len(got) == 1 && got[0] != "heat" {
				t.Errorf("posts %v, want %d of heat", got, tc.posts)
			}
		})
	}
}

package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Scheduler posts the daily pick to every subscribed channel once per
// channel and local date, however many processes run it on one store. A
// post the platform may have taken without the bot hearing so (its answer
// lost, its process killed during the call) is never sent again as new: it
// is sent again where the platform drops the copy, looked for where it can
// be, and otherwise recorded unknown.
type Scheduler struct {
	store   Store
	cat     *Catalog
	posters map[Platform]Poster
	clock   Clock
	log     *slog.Logger
	owner   string
	catchUp time.Duration
	lease   time.Duration
	tick    time.Duration
	workers int
	defTime string
	defZone string
	defDays Days
	pacers  map[Platform]*pacer
	setup   map[Platform]string

	zones sync.Map // name → *time.Location
	// warned remembers the permanent failures already logged, so each is
	// logged once.
	warned sync.Map
}

// SchedulerConfig holds what a Scheduler needs. Store, Catalog and Owner
// are required.
type SchedulerConfig struct {
	Store   Store
	Catalog *Catalog            // the picks it deals
	Posters map[Platform]Poster // platforms that can post; read, never changed, once Run starts
	// Setup says, for each platform without a poster, what the operator
	// must do for its posts to go out: "set discord.token".
	Setup  map[Platform]string
	Clock  Clock // default: SystemClock
	Logger *slog.Logger
	// Owner names this process in claims. It must differ between processes
	// sharing a store and should stay the same across restarts of one, so a
	// restarted process takes its own claims back at once.
	Owner string
	// CatchUp is how late a post may still go out after downtime
	// (daily.catch_up); later, the day is recorded as missed.
	CatchUp time.Duration
	// Lease is how long a claim holds before other processes presume its
	// owner dead and take it over. Default 2 minutes.
	Lease time.Duration
	// Tick is how often the schedule is checked. Default 30 seconds.
	Tick time.Duration
	// Workers posts in parallel per platform. Default 4.
	Workers int
	// Pace is the least time between two posts to one platform; platforms
	// not listed default to 100 ms.
	Pace map[Platform]time.Duration
	// DefaultTime, DefaultZone and DefaultDays fill in a /daily subscribe
	// without them (daily.time, daily.timezone, daily.days).
	DefaultTime, DefaultZone string
	DefaultDays              Days
}

// onTime is how late a post may go out in normal running: ticks come every
// Tick, so a post is rarely on the minute. daily.catch_up of 0 means no
// catching up after downtime, not missing every post that is seconds late.
const onTime = 5 * time.Minute

// NewScheduler returns a Scheduler.
func NewScheduler(c SchedulerConfig) *Scheduler {
	s := &Scheduler{
		store: c.Store, cat: c.Catalog, posters: c.Posters, clock: c.Clock, log: c.Logger,
		owner: c.Owner, catchUp: c.CatchUp, lease: c.Lease, tick: c.Tick, workers: c.Workers,
		defTime: c.DefaultTime, defZone: c.DefaultZone, defDays: c.DefaultDays, pacers: map[Platform]*pacer{}, setup: c.Setup,
	}
	if s.clock == nil {
		s.clock = SystemClock()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.lease <= 0 {
		s.lease = 2 * time.Minute
	}
	if s.tick <= 0 {
		s.tick = 30 * time.Second
	}
	if s.workers <= 0 {
		s.workers = 4
	}
	if s.defTime == "" {
		s.defTime = "09:00"
	}
	if s.defZone == "" {
		s.defZone = "Europe/London"
	}
	if s.posters == nil {
		s.posters = map[Platform]Poster{}
	}
	for _, p := range []Platform{Console, Discord, Slack} {
		pace := 100 * time.Millisecond
		if d, ok := c.Pace[p]; ok {
			pace = d
		}
		s.pacers[p] = &pacer{clock: s.clock, interval: pace}
	}
	return s
}

// window is how late a post may go out.
func (s *Scheduler) window() time.Duration { return max(s.catchUp, onTime) }

func (s *Scheduler) zone(name string) (*time.Location, error) {
	if l, ok := s.zones.Load(name); ok {
		return l.(*time.Location), nil
	}
	loc, err := LoadZone(name)
	if err != nil {
		return nil, err
	}
	s.zones.Store(name, loc)
	return loc, nil
}

// timeOfDay returns a subscription's time zone and its time of day in minutes
// after midnight.
func (s *Scheduler) timeOfDay(sub Subscription) (*time.Location, int, error) {
	loc, err := s.zone(sub.Timezone)
	if err != nil {
		return nil, 0, err
	}
	minutes, err := ParseClock(sub.Time)
	if err != nil {
		return nil, 0, err
	}
	return loc, minutes, nil
}

// Run checks the schedule every Tick until ctx ends. A failing check is
// logged and retried at the next tick: a store that is down for a while
// delays posts, it does not stop the bot.
func (s *Scheduler) Run(ctx context.Context) error {
	s.log.Info("daily picks scheduler started", "owner", s.owner, "catch_up", s.catchUp.String(), "tick", s.tick.String())
	for {
		if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("checking the daily schedule failed; retrying at the next tick", "err", err)
		}
		if err := s.clock.Sleep(ctx, s.tick); err != nil {
			return nil
		}
	}
}

// job is one post to make.
type job struct {
	sub  Subscription
	date string
	due  time.Time
}

// Tick posts what is due: for every subscription, today's and yesterday's
// pick (a post at 23:30 may be caught up after midnight), and any claim
// left unfinished by a process that died. It returns once every post it
// started has finished.
func (s *Scheduler) Tick(ctx context.Context) error {
	now := s.clock.Now()
	subs, err := s.store.ListSubscriptions(ctx)
	if err != nil {
		return fmt.Errorf("listing subscriptions: %w", err)
	}
	bySub := map[ChannelKey]Subscription{}
	var jobs []job
	for _, sub := range subs {
		bySub[sub.Channel] = sub
		if sub.Paused != "" {
			continue
		}
		if _, ok := s.posters[sub.Channel.Platform]; !ok {
			continue
		}
		js, err := s.due(ctx, sub, now)
		if err != nil {
			s.log.Error("daily schedule of a channel failed", "channel", sub.Channel.String(), "err", err)
			continue
		}
		jobs = append(jobs, js...)
	}
	jobs = append(jobs, s.orphans(ctx, now, bySub, jobs)...)
	s.runJobs(ctx, jobs)
	return nil
}

// due returns the posts of one subscription that are due now, and records
// the days that are too late to post as missed.
func (s *Scheduler) due(ctx context.Context, sub Subscription, now time.Time) ([]job, error) {
	loc, minutes, err := s.timeOfDay(sub)
	if err != nil {
		return nil, err
	}
	today := now.In(loc)
	var jobs []job
	for _, day := range []time.Time{today.AddDate(0, 0, -1), today} {
		if !sub.Days.On(day.Weekday()) {
			continue // not a posting day
		}
		date := day.Format(DateLayout)
		due, err := dueAt(date, minutes, loc)
		if err != nil {
			return nil, err
		}
		if due.After(now) || due.Before(sub.Since) {
			continue
		}
		p, err := s.store.GetPost(ctx, sub.Channel, date)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return nil, err
		case p.Held() && p.Owner != s.owner && !p.ClaimedAt.Before(now.Add(-s.lease)):
			continue // another process is on it
		case !p.Held() && p.State != PostPending:
			continue // done: sent, unknown, missed, skipped or failed
		}
		jobs = append(jobs, job{sub: sub, date: date, due: due})
	}
	return jobs, nil
}

// orphans returns unfinished claims that no subscription check covered:
// a day older than yesterday left claimed by a crash, or a channel whose
// subscription has gone. They are resolved (posted or recorded missed) so
// nothing stays claimed for ever.
func (s *Scheduler) orphans(ctx context.Context, now time.Time, subs map[ChannelKey]Subscription, planned []job) []job {
	posts, err := s.store.UnfinishedPosts(ctx)
	if err != nil {
		s.log.Error("listing unfinished daily posts failed", "err", err)
		return nil
	}
	var out []job
	for _, p := range posts {
		if slices.ContainsFunc(planned, func(j job) bool { return j.sub.Channel == p.Channel && j.date == p.Date }) {
			continue
		}
		if p.Held() && p.Owner != s.owner && !p.ClaimedAt.Before(now.Add(-s.lease)) {
			continue
		}
		sub, ok := subs[p.Channel]
		if !ok {
			sub = Subscription{Channel: p.Channel, Paused: "unsubscribed"}
		}
		out = append(out, job{sub: sub, date: p.Date, due: p.Due})
	}
	return out
}

// runJobs posts on up to Workers goroutines per platform and waits.
func (s *Scheduler) runJobs(ctx context.Context, jobs []job) {
	byPlatform := map[Platform][]job{}
	for _, j := range jobs {
		byPlatform[j.sub.Channel.Platform] = append(byPlatform[j.sub.Channel.Platform], j)
	}
	var wg sync.WaitGroup
	for _, list := range byPlatform {
		queue := make(chan job, len(list))
		for _, j := range list {
			queue <- j
		}
		close(queue)
		for range min(s.workers, len(list)) {
			wg.Go(func() {
				for j := range queue {
					if ctx.Err() != nil {
						return
					}
					s.post(ctx, j)
				}
			})
		}
	}
	wg.Wait()
}

// post claims one channel's post for one date and sends it, or records why
// it did not go out.
func (s *Scheduler) post(ctx context.Context, j job) {
	ch := j.sub.Channel
	now := s.clock.Now()
	log := s.log.With("channel", ch.String(), "date", j.date)
	deck, card, err := s.deal(ctx, ch)
	if err != nil {
		log.Error("reading the channel's deck failed", "err", err)
		return
	}
	// Claim even a day that is too late, so a claim left by a crash is
	// taken over and resolved, then record it missed.
	late := now.Sub(j.due) > s.window()
	p, won, err := s.store.ClaimPost(ctx, Post{Channel: ch, Date: j.date, Pick: card, State: PostClaimed, Owner: s.owner, Due: j.due, ClaimedAt: now}, now.Add(-s.lease))
	if err != nil {
		log.Error("claiming the daily post failed; retrying at the next tick", "err", err)
		return
	}
	if !won {
		return
	}
	// From the claim on, a shutdown must not cut the work in half: a post
	// the platform took but the store never recorded would have to be
	// settled after the restart. The claim's work finishes on a context of
	// its own; only waits between retries end with ctx.
	work, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.lease/2+30*time.Second)
	defer cancel()
	finish := func(state PostState, errText string, d *Deck) {
		p.State, p.FinishedAt, p.Error = state, s.clock.Now(), errText
		if err := s.store.FinishPost(work, p, d); errors.Is(err, ErrNotOwner) {
			log.Warn("another process took this post over while it was being sent", "state", state)
		} else if err != nil {
			log.Error("recording the daily post failed", "state", state, "err", err)
		}
	}
	// A post taken over while it was being sent (its process died during
	// the call, or the platform's answer was lost) may be in the channel.
	doubt := p.State == PostSending
	title := s.cat.Pick(p.Pick)
	next := deck.after(p.Pick)
	// A record that already existed (a takeover) may be past the window
	// now, or belong to a channel that unsubscribed.
	var unsent string
	switch {
	case late:
		unsent = "the bot was down longer than daily.catch_up"
	case j.sub.Paused != "":
		unsent = "the channel unsubscribed"
	case title == nil:
		unsent = fmt.Sprintf("pick %q is no longer in the catalog", p.Pick)
	}
	if unsent != "" && !doubt {
		finish(PostMissed, unsent, nil)
		if late {
			log.Warn("daily pick missed: the bot was down longer than daily.catch_up", "due", j.due, "late", now.Sub(j.due).Round(time.Second).String())
		} else if title == nil {
			log.Warn("daily pick missed: its title left the catalog", "pick", p.Pick)
		}
		return
	}
	var state PostState
	if unsent != "" {
		// Not to be sent, but it may have been: only look.
		state, err = s.look(ctx, work, p)
		if state == PostMissed {
			err = errors.New(unsent)
		}
	} else {
		if _, ok := s.posters[ch.Platform]; !ok {
			return // an orphan on a platform this process cannot post to: left to one that can
		}
		if !doubt {
			p.Sending = s.clock.Now()
		}
		p.State, p.Error = PostSending, ""
		if err := s.store.MarkSending(work, p); errors.Is(err, ErrNotOwner) {
			log.Warn("another process took this post over before it was sent")
			return
		} else if err != nil {
			// Without the mark a crash during the call could not be told
			// from one before it: do not call.
			log.Error("recording the daily post as being sent failed; retrying at the next tick", "err", err)
			return
		}
		reply := dailyReply(title, s.cat.Source.Attribution(), j.sub)
		if next, ok := s.following(j.sub, j.date); ok {
			reply.Text += ". The next is due " + reply.Stamp(next)
		}
		state, err = s.send(ctx, work, p, reply, doubt)
	}
	errText := ""
	if err != nil {
		errText = err.Error()
	}
	var perr *PostError
	permanent := errors.As(err, &perr) && perr.Permanent
	switch state {
	case PostSent:
		finish(PostSent, errText, &next)
		if err != nil {
			log.Warn("daily pick posted, but what follows it failed", "err", err)
		}
		if title != nil {
			if err := s.store.Remember(work, ch, []string{title.ID}); err != nil {
				log.Warn("recording the daily pick in channel memory failed", "err", err)
			}
		}
		log.Info("daily pick posted", "pick", p.Pick, "attempt", p.Attempts, "settled", doubt)
	case PostSending:
		p.Error = errText
		if err := s.store.MarkSending(work, p); err != nil && !errors.Is(err, ErrNotOwner) {
			log.Error("recording the daily post failed", "state", PostSending, "err", err)
		}
		log.Warn("daily pick may be in the channel: the platform's answer was lost; settling it at the next tick", "err", err)
	case PostUnknown:
		finish(PostUnknown, errText, &next)
		log.Error("daily pick may or may not be in the channel: the platform's answer was lost and the post cannot be looked for, so it is not sent again; check the channel", "err", err)
	case PostMissed:
		finish(PostMissed, errText, nil)
	case PostFailed:
		finish(PostFailed, errText, nil)
	default:
		finish(PostPending, errText, nil)
		log.Warn("daily pick not posted yet; retrying at the next tick", "err", err)
	}
	if permanent {
		if err := s.store.PauseSubscription(work, ch, errText); err != nil && !errors.Is(err, ErrNotFound) {
			log.Error("pausing the subscription failed", "err", err)
		}
		if _, seen := s.warned.LoadOrStore(ch.String()+"|"+errText, true); !seen {
			log.Error("daily pick cannot be posted to this channel: its subscription is paused until someone subscribes it again", "err", errText)
		}
	}
}

// maxTries bounds the attempts at one post within one claim.
const maxTries = 4

// send posts p's reply as the post p.Key names. A post in doubt, which an
// earlier try may have delivered, is settled before each try: sent again
// only when that cannot make a second copy, recorded sent if it is found.
// It returns the state to record and the last error: PostSent, PostFailed
// (permanently, with nothing in the channel), PostPending (a failure that
// may pass, with nothing in the channel), PostSending (still in doubt: the
// next tick settles it) or PostUnknown (it may be in the channel and no
// one can tell, so it is not sent again).
func (s *Scheduler) send(ctx, work context.Context, p Post, reply Reply, doubt bool) (PostState, error) {
	poster := s.posters[p.Channel.Platform]
	found := false
	var followUp *FollowUpError
	err := s.retry(ctx, p.Channel, func() error {
		if doubt {
			v, err := s.settle(work, p)
			switch {
			case err != nil:
				return err
			case v == present:
				found = true
				return nil
			case v == absent:
				doubt = false
			}
		}
		err := poster.Post(work, p.Channel.Channel, p.Key(), reply)
		if errors.As(err, &followUp) {
			return nil // sent: what failed after it must not send it again
		}
		var perr *PostError
		if errors.As(err, &perr) && perr.Unknown {
			doubt = true
		}
		return err
	})
	var perr *PostError
	permanent := errors.As(err, &perr) && perr.Permanent
	switch {
	case err == nil:
		if found {
			s.log.Info("daily pick found in the channel: it had been sent, its answer lost", "channel", p.Channel.String(), "date", p.Date)
		}
		if followUp != nil {
			return PostSent, followUp
		}
		return PostSent, nil
	case errors.Is(err, ErrCannotLook), doubt && permanent:
		return PostUnknown, err
	case doubt:
		return PostSending, err
	case permanent:
		return PostFailed, err
	}
	return PostPending, err
}

// look settles a post in doubt that is not to be sent any more (too late,
// unsubscribed, its title gone): PostSent if the channel has it,
// PostMissed if it does not, PostUnknown if no one can tell.
func (s *Scheduler) look(ctx, work context.Context, p Post) (PostState, error) {
	poster := s.posters[p.Channel.Platform]
	if poster == nil {
		return PostUnknown, fmt.Errorf("%w: this process cannot reach %s", ErrCannotLook, p.Channel.Platform)
	}
	found := false
	err := s.retry(ctx, p.Channel, func() (err error) {
		found, err = poster.Look(work, p.Channel.Channel, p.Key(), p.Sending)
		return err
	})
	switch {
	case err != nil:
		return PostUnknown, err
	case found:
		return PostSent, nil
	}
	return PostMissed, nil
}

// verdict is what can be said of a post in doubt.
type verdict int

const (
	resend  verdict = iota // sending it again cannot make a second copy
	absent                 // the poster looked: it is not in the channel
	present                // the poster looked: it is in the channel
)

// settle decides about a post in doubt: a send began at p.Sending and its
// outcome is not known. Sending it again is safe while the platform drops
// a copy with the same key (Discord's nonce); after that, or on a platform
// that never does, the poster looks for it. An error wrapping
// ErrCannotLook means no one can tell.
func (s *Scheduler) settle(ctx context.Context, p Post) (verdict, error) {
	poster := s.posters[p.Channel.Platform]
	if d := poster.Dedup(); d > 0 && !p.Sending.IsZero() && s.clock.Now().Sub(p.Sending) < d {
		return resend, nil
	}
	found, err := poster.Look(ctx, p.Channel.Channel, p.Key(), p.Sending)
	switch {
	case err != nil:
		return 0, err
	case found:
		return present, nil
	}
	return absent, nil
}

// retry calls try until it succeeds, fails permanently or cannot look,
// retrying other failures with backoff and waiting what a platform's 429
// asks: this channel waits, and every post to the platform waits too when
// the limit is the platform's global one. It gives up, returning the
// last error, before half the claim's lease is spent, or when ctx ends
// between tries.
func (s *Scheduler) retry(ctx context.Context, ch ChannelKey, try func() error) error {
	pace := s.pacers[ch.Platform]
	start := s.clock.Now()
	backoff := time.Second
	var err error
	for n := 1; n <= maxTries; n++ {
		if err := pace.wait(ctx); err != nil {
			return err
		}
		if err = try(); err == nil || errors.Is(err, ErrCannotLook) {
			return err
		}
		var perr *PostError
		wait := backoff
		if errors.As(err, &perr) {
			if perr.Permanent {
				return err
			}
			if perr.RetryAfter > 0 {
				wait = perr.RetryAfter
				if perr.Global {
					pace.hold(perr.RetryAfter) // the whole platform waits
				}
			}
		}
		if n == maxTries || s.clock.Now().Add(wait).Sub(start) > s.lease/2 {
			break
		}
		s.log.Debug("daily post failed; retrying", "channel", ch.String(), "try", n, "wait", wait.String(), "err", err)
		if err := s.clock.Sleep(ctx, wait); err != nil {
			return err
		}
		backoff *= 2
	}
	return err
}

// following is when sub's next post after the one of date is due: the next
// posting day, at its time. It reads nothing from the store, so a day
// already skipped still counts.
func (s *Scheduler) following(sub Subscription, date string) (time.Time, bool) {
	loc, err := s.zone(sub.Timezone)
	if err != nil {
		return time.Time{}, false
	}
	day, err := time.ParseInLocation(DateLayout, date, loc)
	if err != nil {
		return time.Time{}, false
	}
	var next time.Time
	err = s.upcoming(sub, day.AddDate(0, 0, 1), 7, func(_ string, due time.Time) (bool, error) {
		next = due.In(loc)
		return false, nil
	})
	return next, err == nil && !next.IsZero()
}

// dailyReply is the message of a daily pick to sub's channel.
func dailyReply(t *Title, attribution string, sub Subscription) Reply {
	return Reply{
		Thread: sub.Thread,
		Ping:   sub.Mention,
		Text:   "Today's pick from the creators of Industry",
		Picks:  []Pick{{Title: t, Excerpt: Clip(firstSentence(t), excerptRunes)}},
		Actions: []Action{
			{Label: "Another", Command: CmdRandom},
			{Label: "Why?", Command: CmdWhy, Arg: t.ID},
		},
		Attribution: attribution,
		Scheduled:   true,
	}
}

// pacer spaces posts to one platform and holds them all when the platform
// says to wait.
type pacer struct {
	mu       sync.Mutex
	clock    Clock
	interval time.Duration
	next     time.Time
}

func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	now := p.clock.Now()
	at := p.next
	if at.Before(now) {
		at = now
	}
	p.next = at.Add(p.interval)
	p.mu.Unlock()
	return p.clock.Sleep(ctx, at.Sub(now))
}

func (p *pacer) hold(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until := p.clock.Now().Add(d); until.After(p.next) {
		p.next = until
	}
}

// PostState is where a daily post stands.
type PostState string

// The states of a daily post.
const (
	PostClaimed PostState = "claimed" // a process is posting it
	// PostSending: a process holds it and has called the platform, which
	// may have the post whatever the process heard back (or if it died).
	// Whoever takes it over settles it before sending anything anew.
	PostSending PostState = "sending"
	PostPending PostState = "pending" // a failure that left nothing in the channel: the next tick retries
	PostSent    PostState = "sent"
	// PostUnknown: the platform may have the post, its answer was lost,
	// and the bot could not find out; it does not send it again.
	PostUnknown PostState = "unknown"
	PostMissed  PostState = "missed"  // too late to post
	PostSkipped PostState = "skipped" // /daily skip
	PostFailed  PostState = "failed"  // a permanent failure: the subscription is paused
)

// Post is the record of one channel's daily pick on one local date.
type Post struct {
	Channel    ChannelKey
	Date       string // local date, "2026-11-26"
	Pick       string // id of the pick
	State      PostState
	Owner      string    // the process that claimed it
	Due        time.Time // when it was due
	ClaimedAt  time.Time
	FinishedAt time.Time
	Attempts   int // claims so far: more than one means a retry or a takeover
	// Sending is when the first call to the platform that may have reached
	// it began, while the post is PostSending.
	Sending time.Time
	Error   string
}

// Held reports whether a process holds the post: PostClaimed or
// PostSending.
func (p Post) Held() bool { return p.State == PostClaimed || p.State == PostSending }

// Dealt reports whether the post's pick is dealt from the channel's deck:
// sent, or unknown (it may be in the channel, so it must not come again
// the next day).
func (p Post) Dealt() bool { return p.State == PostSent || p.State == PostUnknown }

// Key names the post on its platform, the same for every attempt, process
// and restart: a Discord nonce is made of it, a Slack message carries it.
func (p Post) Key() string { return p.Channel.String() + "/" + p.Date }

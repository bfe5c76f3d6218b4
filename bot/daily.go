package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The actions of /daily and their options.
const (
	DailySubscribe   = "subscribe"
	DailyUnsubscribe = "unsubscribe"
	DailyStatus      = "status"
	DailySkip        = "skip"

	OptAction   = "action"   // daily: subscribe, unsubscribe, status, skip
	OptTime     = "time"     // daily subscribe: HH:MM
	OptTimezone = "timezone" // daily subscribe: an IANA zone
)

// ParseClock reads a local time of day, "09:00" or "9:00", into minutes
// after midnight.
func ParseClock(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%s is not a time of day: use HH:MM, such as 09:00", Quote(s, 20))
	}
	return t.Hour()*60 + t.Minute(), nil
}

// FormatClock renders minutes after midnight as HH:MM.
func FormatClock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// LoadZone reads an IANA time zone name such as "Europe/London".
func LoadZone(name string) (*time.Location, error) {
	if name == "" || strings.EqualFold(name, "local") {
		return nil, fmt.Errorf("timezone %s: name an IANA zone such as Europe/London", Quote(name, 40))
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%s is not a time zone: name an IANA zone such as Europe/London or America/New_York", Quote(name, 40))
	}
	return loc, nil
}

// parseDaily reads "/daily subscribe 09:00 Europe/London" and friends.
func parseDaily(text string) (map[string]string, error) {
	words := strings.Fields(text)
	if len(words) == 0 {
		return map[string]string{OptAction: DailyStatus}, nil
	}
	action := strings.ToLower(words[0])
	opts := map[string]string{OptAction: action}
	args := words[1:]
	switch action {
	case DailySubscribe:
		for _, a := range args {
			switch {
			case strings.Contains(a, ":") && opts[OptTime] == "":
				m, err := ParseClock(a)
				if err != nil {
					return nil, err
				}
				opts[OptTime] = FormatClock(m)
			case opts[OptTimezone] == "":
				if _, err := LoadZone(a); err != nil {
					return nil, err
				}
				opts[OptTimezone] = a
			default:
				return nil, fmt.Errorf("/daily subscribe takes a time and a timezone, not %s", Quote(a, 40))
			}
		}
		return opts, nil
	case DailyUnsubscribe, DailyStatus, DailySkip:
		if len(args) > 0 {
			return nil, fmt.Errorf("/daily %s takes nothing more, not %s", action, Quote(strings.Join(args, " "), 40))
		}
		return opts, nil
	}
	return nil, fmt.Errorf("/daily takes subscribe, unsubscribe, status or skip, not %s", Quote(action, 30))
}

// Poster sends a scheduled message, such as the daily pick, to a channel on
// one platform. Discord and Slack adapters implement it.
type Poster interface {
	// Post sends reply to channel as the post named key (Post.Key): every
	// attempt at one post has the same key. A failure is a *PostError
	// saying whether retrying can help, and whether the platform may have
	// taken the post all the same (Unknown).
	Post(ctx context.Context, channel, key string, reply Reply) error
	// Look reports whether channel has the post named key, sent no
	// earlier than since, for a post whose answer was lost. An error
	// wrapping ErrCannotLook means the poster cannot tell (the platform
	// offers no way, or the bot lacks the permission); another is a
	// *PostError, a failure that may pass.
	Look(ctx context.Context, channel, key string, since time.Time) (bool, error)
	// Dedup is how long after a post its platform answers another with
	// the same key with the first instead of posting it again (Discord's
	// nonce), so that sending a post in doubt again is safe; 0 if never.
	Dedup() time.Duration
}

// ErrCannotLook is wrapped by the error of Poster.Look when the poster
// cannot tell whether a post is in the channel.
var ErrCannotLook = errors.New("cannot look for the post")

// PostError is a failed post.
type PostError struct {
	// Permanent is set when retrying cannot help until someone acts: the
	// channel is unknown, the bot is not in it or lacks permission.
	Permanent bool
	// Unknown is set when the request may have reached the platform and
	// no answer came back (the connection broke after it was sent, or the
	// answer was slower than the client's timeout): the post may be in
	// the channel. Sending it again as new could post it twice.
	Unknown bool
	// RetryAfter, when set, is how long the platform asked to wait (429).
	RetryAfter time.Duration
	// Hint tells an operator what to do, for a permanent failure.
	Hint string
	Err  error
}

func (e *PostError) Error() string {
	switch {
	case e.Permanent && e.Hint != "":
		return fmt.Sprintf("permanent: %v (%s)", e.Err, e.Hint)
	case e.Permanent:
		return fmt.Sprintf("permanent: %v", e.Err)
	case e.Unknown:
		return fmt.Sprintf("%v (the request was sent: the post may be in the channel)", e.Err)
	case e.RetryAfter > 0:
		return fmt.Sprintf("%v (retry after %s)", e.Err, e.RetryAfter)
	}
	return e.Err.Error()
}

func (e *PostError) Unwrap() error { return e.Err }

// NextDue returns the next post of a subscription after now that has no
// record yet (not sent, skipped or missed): its local date and when it is
// due.
func (s *Scheduler) NextDue(ctx context.Context, sub Subscription, now time.Time) (string, time.Time, error) {
	loc, minutes, err := s.timeOfDay(sub)
	if err != nil {
		return "", time.Time{}, err
	}
	day := now.In(loc)
	for range 366 {
		date := day.Format(DateLayout)
		due, err := DueAt(date, minutes, loc)
		if err != nil {
			return "", time.Time{}, err
		}
		day = day.AddDate(0, 0, 1)
		if !due.After(now) {
			continue
		}
		if _, err := s.store.GetPost(ctx, sub.Channel, date); errors.Is(err, ErrNotFound) {
			return date, due, nil
		} else if err != nil {
			return "", time.Time{}, err
		}
	}
	return "", time.Time{}, errors.New("no day in the coming year is free")
}

// Subscribe starts (or changes) a channel's daily pick. Empty hhmm and zone
// take the configured defaults.
func (s *Scheduler) Subscribe(ctx context.Context, ch ChannelKey, by User, hhmm, zone string) (Subscription, error) {
	if hhmm == "" {
		hhmm = s.defTime
	}
	if zone == "" {
		zone = s.defZone
	}
	m, err := ParseClock(hhmm)
	if err != nil {
		return Subscription{}, err
	}
	if _, err := s.zone(zone); err != nil {
		return Subscription{}, err
	}
	sub := Subscription{Channel: ch, Time: FormatClock(m), Timezone: zone, Source: "chat", CreatedBy: by.ID, Since: s.clock.Now()}
	return sub, s.store.PutSubscription(ctx, sub)
}

// Sync makes the subscriptions from the configuration (daily.channels)
// those of the store: new or changed ones are written, ones no longer
// configured are removed. Subscriptions made in chat are left alone, and an
// unchanged one keeps its pause and history.
func (s *Scheduler) Sync(ctx context.Context, configured []Subscription) error {
	have, err := s.store.ListSubscriptions(ctx)
	if err != nil {
		return err
	}
	want := map[ChannelKey]Subscription{}
	for _, sub := range configured {
		sub.Source = "config"
		if sub.Time == "" {
			sub.Time = s.defTime
		}
		if sub.Timezone == "" {
			sub.Timezone = s.defZone
		}
		want[sub.Channel] = sub
	}
	current := map[ChannelKey]Subscription{}
	for _, sub := range have {
		current[sub.Channel] = sub
		if _, ok := want[sub.Channel]; !ok && sub.Source == "config" {
			if err := s.store.DeleteSubscription(ctx, sub.Channel); err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			s.log.Info("daily pick removed: the channel left daily.channels", "channel", sub.Channel.String())
		}
	}
	for ch, sub := range want {
		if cur, ok := current[ch]; ok && cur.Source == "config" && cur.Time == sub.Time && cur.Timezone == sub.Timezone {
			continue
		}
		sub.Since = s.clock.Now()
		if err := s.store.PutSubscription(ctx, sub); err != nil {
			return err
		}
		s.log.Info("daily pick configured", "channel", ch.String(), "time", sub.Time, "timezone", sub.Timezone)
	}
	return nil
}

// Skip records the channel's next post as skipped and returns its date and
// due time.
func (s *Scheduler) Skip(ctx context.Context, ch ChannelKey) (string, time.Time, error) {
	sub, err := s.store.GetSubscription(ctx, ch)
	if err != nil {
		return "", time.Time{}, err
	}
	now := s.clock.Now()
	date, due, err := s.NextDue(ctx, sub, now)
	if err != nil {
		return "", time.Time{}, err
	}
	_, _, err = s.store.ClaimPost(ctx, Post{Channel: ch, Date: date, State: PostSkipped, Owner: s.owner, Due: due, ClaimedAt: now}, now)
	return date, due, err
}

// Status is where a channel's daily pick stands.
type Status struct {
	Subscription Subscription
	Zone         *time.Location
	NextDate     string
	Next         time.Time // when the next post is due
	NextPick     *Title    // what it will be, unless the deck changes first
	Last         *Post     // the latest record, if any
	LastTitle    *Title
	Dealt, Cards int  // position in the rotation
	Cycle        int  // shuffles dealt before this one
	CanPost      bool // this process has the platform's bot token
}

// canPost reports whether a platform's posts can go out from here.
func (s *Scheduler) canPost(p Platform) bool {
	_, ok := s.posters[p]
	return ok
}

// cannotPost says why a platform's daily picks do not go out.
func cannotPost(p Platform) string {
	key := map[Platform]string{Discord: "discord.token", Slack: "slack.bot_token"}[p]
	name := map[Platform]string{Discord: "Discord", Slack: "Slack"}[p]
	return fmt.Sprintf("this bot cannot post to %s yet: its operator must set %s.", name, key)
}

// Status reports a channel's daily pick; ErrNotFound if it has none.
func (s *Scheduler) Status(ctx context.Context, ch ChannelKey) (Status, error) {
	sub, err := s.store.GetSubscription(ctx, ch)
	if err != nil {
		return Status{}, err
	}
	st := Status{Subscription: sub, Cards: len(s.engine.cat.Picks), CanPost: s.canPost(ch.Platform)}
	if st.Zone, err = s.zone(sub.Timezone); err != nil {
		return Status{}, err
	}
	if st.NextDate, st.Next, err = s.NextDue(ctx, sub, s.clock.Now()); err != nil {
		return Status{}, err
	}
	recent, err := s.store.RecentPosts(ctx, ch, 1)
	if err != nil {
		return Status{}, err
	}
	if len(recent) > 0 {
		st.Last = &recent[0]
		st.LastTitle = s.engine.cat.Pick(recent[0].Pick)
	}
	d, card, err := s.deal(ctx, ch)
	if err != nil {
		return Status{}, err
	}
	st.NextPick = s.engine.cat.Pick(card)
	st.Cycle = d.Cycle
	st.Dealt = st.Cards - len(d.Cards)
	return st, nil
}

// PreviewDay is one coming daily pick.
type PreviewDay struct {
	Date string
	Due  time.Time
	Pick *Title // nil when the day is already recorded (see State)
	// State is the day's record when there is one: sent, skipped, missed…
	State PostState
}

// Preview returns a channel's picks for the coming days, dealt from its
// deck as the scheduler will deal them.
func (s *Scheduler) Preview(ctx context.Context, sub Subscription, days int) ([]PreviewDay, error) {
	loc, minutes, err := s.timeOfDay(sub)
	if err != nil {
		return nil, err
	}
	d, _, err := s.deal(ctx, sub.Channel)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	day := now.In(loc)
	var out []PreviewDay
	for len(out) < days {
		date := day.Format(DateLayout)
		day = day.AddDate(0, 0, 1)
		due, err := DueAt(date, minutes, loc)
		if err != nil {
			return nil, err
		}
		if due.Before(now) {
			continue
		}
		p, err := s.store.GetPost(ctx, sub.Channel, date)
		switch {
		case err == nil && !p.Held() && p.State != PostPending:
			out = append(out, PreviewDay{Date: date, Due: due, State: p.State, Pick: s.engine.cat.Pick(p.Pick)})
			continue
		case err != nil && !errors.Is(err, ErrNotFound):
			return nil, err
		}
		card := d.Cards[0]
		if err == nil { // claimed and under way: its pick is decided
			card = p.Pick
		}
		d.Deck = d.after(card)
		d.fill()
		out = append(out, PreviewDay{Date: date, Due: due, Pick: s.engine.cat.Pick(card)})
	}
	return out, nil
}

// daily answers /daily. Only admins manage a channel's daily pick.
func (b *Bot) daily(ctx context.Context, req Request) Reply {
	private := func(format string, args ...any) Reply {
		return Reply{Private: true, Text: fmt.Sprintf(format, args...)}
	}
	switch {
	case b.schedule == nil:
		return Reply{Private: true, Error: "Daily picks are not running in this process."}
	case req.Platform == Console:
		return Reply{Private: true, Error: "Daily picks post to Discord and Slack channels.", Text: "To see what a channel would get, run: industrybot daily preview"}
	case !req.User.Admin:
		who := "admins"
		switch req.Platform {
		case Discord:
			who = "members with the Manage Server permission"
		case Slack:
			who = "workspace admins and owners, and the users in slack.admins"
		}
		return Reply{Private: true, Error: "Only " + who + " can manage this channel's daily pick."}
	}
	ch := req.ChannelKey()
	s := b.schedule
	now := s.clock.Now()
	switch req.Opt(OptAction) {
	case DailySubscribe:
		sub, err := s.Subscribe(ctx, ch, req.User, req.Opt(OptTime), req.Opt(OptTimezone))
		if err != nil {
			return b.dailyFailed(err)
		}
		_, next, err := s.NextDue(ctx, sub, now)
		if err != nil {
			return b.dailyFailed(err)
		}
		loc, _ := s.zone(sub.Timezone)
		r := private("Daily pick on: every day at %s %s. The first is due %s (%s).",
			sub.Time, sub.Timezone, next.In(loc).Format(localFormat), next.UTC().Format(utcFormat))
		if !s.canPost(ch.Platform) {
			r.Text += " But " + cannotPost(ch.Platform)
		}
		return r
	case DailyUnsubscribe:
		if err := s.store.DeleteSubscription(ctx, ch); errors.Is(err, ErrNotFound) {
			return private("This channel has no daily pick.")
		} else if err != nil {
			return b.dailyFailed(err)
		}
		return private("Daily pick off for this channel.")
	case DailySkip:
		date, due, err := s.Skip(ctx, ch)
		if errors.Is(err, ErrNotFound) {
			return private("This channel has no daily pick to skip.")
		} else if err != nil {
			return b.dailyFailed(err)
		}
		sub, _ := s.store.GetSubscription(ctx, ch)
		loc, _ := s.zone(sub.Timezone)
		_, next, _ := s.NextDue(ctx, sub, now)
		return private("Skipping the pick of %s, due %s. The next is due %s.", date, due.In(loc).Format(localFormat), next.In(loc).Format(localFormat))
	}
	st, err := s.Status(ctx, ch)
	if errors.Is(err, ErrNotFound) {
		return private("This channel has no daily pick. An admin can start one with /daily subscribe [HH:MM] [timezone].")
	} else if err != nil {
		return b.dailyFailed(err)
	}
	return Reply{Private: true, Text: st.String()}
}

const (
	localFormat = "Mon 2 Jan 2006 15:04 MST"
	utcFormat   = "Mon 2 Jan 15:04 UTC"
)

func (b *Bot) dailyFailed(err error) Reply {
	b.log.Error("/daily failed", "err", err)
	return Failure()
}

// String renders a status for /daily status and `industrybot daily status`.
func (st Status) String() string {
	sub := st.Subscription
	var b strings.Builder
	how := "set in chat"
	if sub.Source == "config" {
		how = "from daily.channels"
	}
	fmt.Fprintf(&b, "Daily pick: every day at %s %s (%s).\n", sub.Time, sub.Timezone, how)
	switch {
	case sub.Paused != "":
		fmt.Fprintf(&b, "Problem: paused after a failure: %s. Fix it, then /daily subscribe again to resume.\n", sub.Paused)
	case !st.CanPost:
		fmt.Fprintf(&b, "Problem: %s\n", cannotPost(sub.Channel.Platform))
	default:
		next := "Next: " + st.Next.In(st.Zone).Format(localFormat) + " (" + st.Next.UTC().Format(utcFormat) + ")"
		if st.NextPick != nil {
			next += ": " + st.NextPick.Title
		}
		b.WriteString(next + ".\n")
	}
	if l := st.Last; l != nil {
		title := l.Pick
		if st.LastTitle != nil {
			title = st.LastTitle.Title
		}
		line := fmt.Sprintf("Last: %s, %s: %s", l.Date, title, l.State)
		switch l.State {
		case PostSkipped:
			line = fmt.Sprintf("Last: %s: skipped", l.Date)
		case PostUnknown:
			line += ": it may or may not be in the channel; the platform's answer was lost and the bot could not look for it, so it did not send it again"
		case PostSending:
			line += ": the platform may have it; the bot checks before sending it again"
		}
		if l.Error != "" {
			line += " (" + l.Error + ")"
		}
		b.WriteString(line + ".\n")
	}
	fmt.Fprintf(&b, "Rotation: %d of %d dealt in shuffle %d.", st.Dealt, st.Cards, st.Cycle+1)
	return b.String()
}

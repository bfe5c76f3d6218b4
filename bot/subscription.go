package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"
)

// NextDue returns the next post of a subscription after now that has no
// record yet (not sent, skipped or missed): its local date and when it is
// due.
func (s *Scheduler) NextDue(ctx context.Context, sub Subscription, now time.Time) (string, time.Time, error) {
	var date string
	var due time.Time
	err := s.upcoming(sub, now, 366, func(d string, at time.Time) (bool, error) {
		if !at.After(now) {
			return true, nil
		}
		_, err := s.store.GetPost(ctx, sub.Channel, d)
		switch {
		case errors.Is(err, ErrNotFound):
			date, due = d, at
			return false, nil
		case err != nil:
			return false, err
		}
		return true, nil
	})
	if err == nil && date == "" {
		err = errors.New("no day in the coming year is free")
	}
	return date, due, err
}

// upcoming calls f with the local date and due time of each of sub's
// posting days from now's local date on, over at most span calendar days,
// until f says no more or fails.
func (s *Scheduler) upcoming(sub Subscription, now time.Time, span int, f func(date string, due time.Time) (more bool, err error)) error {
	loc, minutes, err := s.timeOfDay(sub)
	if err != nil {
		return err
	}
	day := now.In(loc)
	for range span {
		date, weekday := day.Format(DateLayout), day.Weekday()
		day = day.AddDate(0, 0, 1)
		if !sub.Days.On(weekday) {
			continue
		}
		due, err := dueAt(date, minutes, loc)
		if err != nil {
			return err
		}
		if more, err := f(date, due); !more || err != nil {
			return err
		}
	}
	return nil
}

// Schedule is what /daily subscribe asks for. Empty fields take the
// configured defaults (daily.time, daily.timezone, daily.days).
type Schedule struct {
	Time     string // "18:30"
	Timezone string // "Europe/London"
	Days     string // as ParseDays reads them: "fri", "weekdays"
	Thread   bool   // open a thread on each post
	Mention  string // the id of a role or user group to mention with each post
}

// Subscribe starts (or changes) a channel's daily pick.
func (s *Scheduler) Subscribe(ctx context.Context, ch ChannelKey, by User, want Schedule) (Subscription, error) {
	sub := Subscription{Channel: ch, Source: "chat", CreatedBy: by.ID, Since: s.clock.Now(), Thread: want.Thread, Mention: want.Mention}
	if err := s.schedule(&sub, want); err != nil {
		return Subscription{}, err
	}
	return sub, s.store.PutSubscription(ctx, sub)
}

// schedule fills in a subscription's time, zone and days from want and
// the defaults, checking each.
func (s *Scheduler) schedule(sub *Subscription, want Schedule) error {
	hhmm, zone, days := cmp.Or(want.Time, s.defTime), cmp.Or(want.Timezone, s.defZone), s.defDays
	m, err := ParseClock(hhmm)
	if err != nil {
		return err
	}
	if _, err := s.zone(zone); err != nil {
		return err
	}
	if want.Days != "" {
		if days, err = ParseDays(want.Days); err != nil {
			return err
		}
	}
	sub.Time, sub.Timezone, sub.Days = FormatClock(m), zone, days
	return nil
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
		if cur, ok := current[ch]; ok && cur.Source == "config" && cur.Time == sub.Time && cur.Timezone == sub.Timezone &&
			cur.Days == sub.Days && cur.Thread == sub.Thread && cur.Mention == sub.Mention {
			continue
		}
		sub.Since = s.clock.Now()
		if err := s.store.PutSubscription(ctx, sub); err != nil {
			return err
		}
		s.log.Info("daily pick configured", "channel", ch.String(), "time", sub.Time, "timezone", sub.Timezone, "days", sub.Days.String())
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
	Dealt, Cards int    // position in the rotation
	Cycle        int    // shuffles dealt before this one
	CanPost      bool   // this process has the platform's bot token
	Unavailable  string // without CanPost: why, and what the operator must do
}

// canPost reports whether a platform's posts can go out from here.
func (s *Scheduler) canPost(p Platform) bool {
	_, ok := s.posters[p]
	return ok
}

// cannotPost says why a platform's daily picks do not go out.
func (s *Scheduler) cannotPost(p Platform) string {
	fix := s.setup[p]
	if fix == "" {
		fix = "set it up"
	}
	return fmt.Sprintf("this bot cannot post to %s yet: its operator must %s.", p.Name(), fix)
}

// Status reports a channel's daily pick; ErrNotFound if it has none.
func (s *Scheduler) Status(ctx context.Context, ch ChannelKey) (Status, error) {
	sub, err := s.store.GetSubscription(ctx, ch)
	if err != nil {
		return Status{}, err
	}
	st := Status{Subscription: sub, Cards: len(s.cat.Picks), CanPost: s.canPost(ch.Platform)}
	if !st.CanPost {
		st.Unavailable = s.cannotPost(ch.Platform)
	}
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
		st.LastTitle = s.cat.Pick(recent[0].Pick)
	}
	d, card, err := s.deal(ctx, ch)
	if err != nil {
		return Status{}, err
	}
	st.NextPick = s.cat.Pick(card)
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
	if days <= 0 {
		return nil, nil
	}
	d, _, err := s.deal(ctx, sub.Channel)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var out []PreviewDay
	// Every week has a posting day, so days weeks (and one more for the
	// rest of this one) hold days posts.
	err = s.upcoming(sub, now, 7*days+7, func(date string, due time.Time) (bool, error) {
		if due.Before(now) {
			return true, nil
		}
		p, err := s.store.GetPost(ctx, sub.Channel, date)
		switch {
		case err == nil && !p.Held() && p.State != PostPending:
			out = append(out, PreviewDay{Date: date, Due: due, State: p.State, Pick: s.cat.Pick(p.Pick)})
			return len(out) < days, nil
		case err != nil && !errors.Is(err, ErrNotFound):
			return false, err
		}
		card := d.Cards[0]
		if err == nil { // claimed and under way: its pick is decided
			card = p.Pick
		}
		d.Deck = d.after(card)
		d.fill()
		out = append(out, PreviewDay{Date: date, Due: due, Pick: s.cat.Pick(card)})
		return len(out) < days, nil
	})
	return out, err
}

// Subscription asks for a daily pick in a channel at a local time.
type Subscription struct {
	Channel  ChannelKey
	Time     string // local time of day, "09:00"
	Timezone string // IANA zone, "Europe/London"
	Days     Days   // the days it posts on; the zero Days is every day
	// Thread opens a thread on each post, where the whole commentary goes.
	Thread bool
	// Mention is the id of a Discord role or Slack user group that each
	// post mentions, and no one else; empty for none.
	Mention string
	// Source is "config" for daily.channels, "chat" for /daily subscribe.
	Source    string
	CreatedBy string    // user id, for chat
	Since     time.Time // when it was created or last changed: no day before it is missed
	Paused    string    // why posting stopped, empty while it runs
}

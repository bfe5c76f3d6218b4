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
	OptDays     = "days"     // daily subscribe: as ParseDays reads them
	OptThread   = "thread"   // daily subscribe: "true" to open a thread on each post
	OptMention  = "mention"  // daily subscribe: a role or user group id
)

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
			if err := subscribeWord(opts, a); err != nil {
				return nil, err
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

// subscribeWord reads one word of "/daily subscribe 18:30 Europe/London
// fri thread @role" into opts.
func subscribeWord(opts map[string]string, a string) error {
	lower := strings.ToLower(a)
	switch {
	case (strings.Contains(a, ":") || a[0] >= '0' && a[0] <= '9') && !strings.Contains(a, "/") && opts[OptTime] == "":
		m, err := ParseClock(a)
		if err != nil {
			return err
		}
		opts[OptTime] = FormatClock(m)
	case lower == "thread" && opts[OptThread] == "":
		opts[OptThread] = "true"
	case mentionID(a) != "" && opts[OptMention] == "":
		opts[OptMention] = mentionID(a)
	case strings.Contains(a, "/") && opts[OptTimezone] == "" || lower == "utc":
		if _, err := LoadZone(a); err != nil {
			return err
		}
		opts[OptTimezone] = a
	case opts[OptDays] == "":
		if _, err := ParseDays(a); err != nil {
			if opts[OptTimezone] == "" {
				if _, zerr := LoadZone(a); zerr == nil {
					opts[OptTimezone] = a
					return nil
				}
			}
			return fmt.Errorf("/daily subscribe takes a time (18:30), a time zone (Europe/London), days (fri, weekdays, mon,wed,fri), thread and a role or group to mention, not %s: %w", Quote(a, 40), err)
		}
		opts[OptDays] = lower
	default:
		return fmt.Errorf("/daily subscribe takes a time (18:30), a time zone (Europe/London), days (fri, weekdays, mon,wed,fri), thread and a role or group to mention, not %s", Quote(a, 40))
	}
	return nil
}

// mentionID reads the id of a role or user group from how a chat passes a
// mention of it: Discord's "<@&123>", Slack's "<!subteam^S123|@team>".
func mentionID(word string) string {
	if id, ok := strings.CutPrefix(word, "<@&"); ok {
		if id, ok = strings.CutSuffix(id, ">"); ok && id != "" && strings.Trim(id, "0123456789") == "" {
			return id
		}
	}
	if id, ok := strings.CutPrefix(word, "<!subteam^"); ok {
		id, _, _ = strings.Cut(strings.TrimSuffix(id, ">"), "|")
		if id != "" && strings.Trim(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == "" {
			return id
		}
	}
	return ""
}

// daily answers /daily. Only admins manage a channel's daily pick.
func (b *Bot) daily(ctx context.Context, req Request) Reply {
	private := func(format string, args ...any) Reply {
		return Reply{Private: true, Text: fmt.Sprintf(format, args...)}
	}
	switch {
	case b.schedule == nil:
		return Reply{Private: true, Error: "Daily picks are not running in this process."}
	case req.NoPost != "":
		return Reply{Private: true, Error: "Daily picks need a channel the bot can post to by itself, and " + req.NoPost + ".",
			Text: "Use /daily in a channel of a server or workspace the bot was added to."}
	case !req.User.Admin:
		who := b.admins[req.Platform]
		if who == "" {
			who = "admins"
		}
		return Reply{Private: true, Error: "Only " + who + " can manage this channel's daily pick."}
	}
	ch := req.ChannelKey()
	s := b.schedule
	now := s.clock.Now()
	switch req.Opt(OptAction) {
	case DailySubscribe:
		if why := req.NoThread; why != "" && req.Opt(OptThread) == "true" {
			return Reply{Private: true, Error: "The bot cannot open a thread on each post here: " + why + ".",
				Text: "Grant that and subscribe again, or subscribe without thread."}
		}
		if why := req.NoMention; why != "" && req.Opt(OptMention) != "" {
			return Reply{Private: true, Error: "The bot cannot mention that role or group with each post here: " + why + ".",
				Text: "Fix that and subscribe again, or subscribe without the mention."}
		}
		sub, err := s.Subscribe(ctx, ch, req.User, Schedule{
			Time: req.Opt(OptTime), Timezone: req.Opt(OptTimezone), Days: req.Opt(OptDays),
			Thread: req.Opt(OptThread) == "true", Mention: req.Opt(OptMention),
		})
		if err != nil {
			return b.dailyFailed(err)
		}
		_, next, err := s.NextDue(ctx, sub, now)
		if err != nil {
			return b.dailyFailed(err)
		}
		loc, _ := s.zone(sub.Timezone)
		r := Reply{Private: true}
		r.Text = fmt.Sprintf("Daily pick on: %s at %s %s. The first is due %s.%s",
			sub.Days.Phrase(), sub.Time, sub.Timezone, r.Stamp(next.In(loc)), extras(sub))
		if !s.canPost(ch.Platform) {
			r.Text += " But " + s.cannotPost(ch.Platform)
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
		r := Reply{Private: true}
		r.Text = fmt.Sprintf("Skipping the pick of %s, due %s. The next is due %s.", date, r.Stamp(due.In(loc)), r.Stamp(next.In(loc)))
		return r
	}
	st, err := s.Status(ctx, ch)
	if errors.Is(err, ErrNotFound) {
		return private("This channel has no daily pick. An admin can start one with /daily subscribe [HH:MM] [timezone].")
	} else if err != nil {
		return b.dailyFailed(err)
	}
	r := Reply{Private: true}
	r.Text = st.text(r.Stamp)
	return r
}

// extras says what a subscription does beyond posting: " Each post opens a
// thread…"; "" when nothing.
func extras(sub Subscription) string {
	var s string
	if sub.Thread {
		s += " Each post opens a thread with the creators' full commentary."
	}
	if sub.Mention != "" {
		s += " Each post mentions the role or group chosen, and no one else."
	}
	return s
}

func (b *Bot) dailyFailed(err error) Reply {
	b.log.Error("/daily failed", "err", err)
	return Failure()
}

// String renders a status for `industrybot daily status`, its times as
// PlainTime writes them.
func (st Status) String() string { return st.text(PlainTime) }

// text renders a status for /daily status, its times written by stamp.
func (st Status) text(stamp func(time.Time) string) string {
	sub := st.Subscription
	var b strings.Builder
	how := "set in chat"
	if sub.Source == "config" {
		how = "from daily.channels"
	}
	fmt.Fprintf(&b, "Daily pick: %s at %s %s (%s).%s\n", sub.Days.Phrase(), sub.Time, sub.Timezone, how, extras(sub))
	switch {
	case sub.Paused != "":
		fmt.Fprintf(&b, "Problem: paused after a failure: %s. Fix it, then /daily subscribe again to resume.\n", sub.Paused)
	case !st.CanPost:
		fmt.Fprintf(&b, "Problem: %s\n", st.Unavailable)
	default:
		next := "Next: " + stamp(st.Next.In(st.Zone))
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
		when := l.Date
		if !l.Due.IsZero() {
			when = stamp(l.Due.In(st.Zone))
		}
		line := fmt.Sprintf("Last: %s, %s: %s", when, title, l.State)
		switch l.State {
		case PostSkipped:
			line = fmt.Sprintf("Last: %s: skipped", when)
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

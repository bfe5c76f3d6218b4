package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

func TestParseDays(t *testing.T) {
	for _, tc := range []struct {
		in, str, phrase string
		want            bot.Days
	}{
		{"", "every day", "every day", bot.EveryDay},
		{"daily", "every day", "every day", bot.EveryDay},
		{"Weekdays", "weekdays", "on weekdays", bot.Weekdays},
		{"mon-fri", "weekdays", "on weekdays", bot.Weekdays},
		{"weekends", "weekends", "at weekends", bot.Weekends},
		{"sat,sun", "weekends", "at weekends", bot.Weekends},
		{"fri", "fri", "on Fridays", 1 << time.Friday},
		{"Fridays", "fri", "on Fridays", 1 << time.Friday},
		{"mon,wed,fri", "mon,wed,fri", "on Mon, Wed and Fri", 1<<time.Monday | 1<<time.Wednesday | 1<<time.Friday},
		{"fri-mon", "mon,fri,sat,sun", "on Mon, Fri, Sat and Sun", 1<<time.Friday | 1<<time.Saturday | 1<<time.Sunday | 1<<time.Monday},
		{"sun,mon,tue,wed,thu,fri,sat", "every day", "every day", bot.EveryDay},
	} {
		got, err := bot.ParseDays(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseDays(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			continue
		}
		if got.String() != tc.str || got.Phrase() != tc.phrase {
			t.Errorf("%q: String %q Phrase %q, want %q %q", tc.in, got.String(), got.Phrase(), tc.str, tc.phrase)
		}
		if again, err := bot.ParseDays(got.String()); err != nil || again != got {
			t.Errorf("%q: String %q reads back as %v, %v", tc.in, got.String(), again, err)
		}
	}
	for _, bad := range []string{"funday", "mon,funday", "mon-xyz", "tomorrow"} {
		if _, err := bot.ParseDays(bad); err == nil || !strings.Contains(err.Error(), "is not a day") {
			t.Errorf("ParseDays(%q): %v, want an error naming the day", bad, err)
		}
	}
}

// TestFridaysAcrossDST: a Friday-only subscription at 18:30 London posts on
// the Friday before the clocks go back (17:30 UTC) and the one after (18:30
// UTC), and on no other day; its deck advances once per post.
func TestFridaysAcrossDST(t *testing.T) {
	r := newRig(t, longAgo, bot.NewMemoryStore())
	fri := bot.Subscription{Channel: slackC1, Time: "18:30", Timezone: "Europe/London", Days: 1 << time.Friday, Source: "chat", Since: longAgo}
	if err := r.store.PutSubscription(context.Background(), fri); err != nil {
		t.Fatal(err)
	}
	r.clock.set(utc("2026-10-22 00:00"))
	preview, err := r.sched.Preview(context.Background(), fri, 2)
	if err != nil {
		t.Fatal(err)
	}
	for now := utc("2026-10-22 00:00"); now.Before(utc("2026-11-01 00:00")); now = now.Add(10 * time.Minute) {
		r.at(now)
	}
	got := r.poster.picks("C1")
	if len(got) != 2 {
		t.Fatalf("%d posts over ten days, want 2 (two Fridays): %v", len(got), got)
	}
	for i, want := range []struct{ date, due string }{{"2026-10-23", "2026-10-23 17:30"}, {"2026-10-30", "2026-10-30 18:30"}} {
		if p := r.post(slackC1, want.date); p.State != bot.PostSent || !p.Due.Equal(utc(want.due)) {
			t.Errorf("%s: %+v, want sent, due %s UTC", want.date, p, want.due)
		}
		if preview[i].Date != want.date || got[i] != preview[i].Pick.ID {
			t.Errorf("post %d: %s on %s, previewed %s on %s", i+1, got[i], want.date, preview[i].Pick.ID, preview[i].Date)
		}
	}
	for _, day := range []string{"2026-10-22", "2026-10-24", "2026-10-25", "2026-10-26", "2026-10-29", "2026-10-31"} {
		if _, err := r.store.GetPost(context.Background(), slackC1, day); err == nil {
			t.Errorf("%s is not a Friday but has a record", day)
		}
	}
}

// TestWeekdaysThroughAWeekendOfDowntime: a weekday subscription posts on
// Friday, the bot is down from Friday noon to Monday 10:30, and Monday's
// post is caught up (catch-up is two hours); Saturday and Sunday have no
// record, and status and preview name the posting days.
func TestWeekdaysThroughAWeekendOfDowntime(t *testing.T) {
	r := newRig(t, longAgo, bot.NewMemoryStore())
	ctx := context.Background()
	r.clock.set(utc("2026-11-26 12:00")) // a Thursday
	sub, err := r.sched.Subscribe(ctx, slackC1, bot.User{ID: "U1"}, bot.Schedule{Time: "09:00", Timezone: "Europe/London", Days: "weekdays"})
	if err != nil {
		t.Fatal(err)
	}
	r.at(utc("2026-11-27 09:00")) // Friday
	st, err := r.sched.Status(ctx, slackC1)
	if err != nil {
		t.Fatal(err)
	}
	if st.NextDate != "2026-11-30" {
		t.Errorf("after Friday's post, next %s, want Monday 2026-11-30", st.NextDate)
	}
	if !strings.Contains(st.String(), "Daily pick: on weekdays at 09:00 Europe/London") {
		t.Errorf("status: %s", st.String())
	}
	r.at(utc("2026-11-27 12:00"))
	// Down until Monday 10:30: the next tick is then.
	r.at(utc("2026-11-30 10:30"))
	if n := r.poster.count(); n != 2 {
		t.Fatalf("%d posts, want Friday's and Monday's caught up", n)
	}
	if p := r.post(slackC1, "2026-11-30"); p.State != bot.PostSent || !p.Due.Equal(utc("2026-11-30 09:00")) {
		t.Errorf("Monday: %+v, want sent, due 09:00", p)
	}
	for _, day := range []string{"2026-11-28", "2026-11-29"} {
		if _, err := r.store.GetPost(ctx, slackC1, day); err == nil {
			t.Errorf("%s (weekend) has a record", day)
		}
	}
	days, err := r.sched.Preview(ctx, sub, 5)
	if err != nil {
		t.Fatal(err)
	}
	var dates []string
	for _, d := range days {
		dates = append(dates, d.Date)
	}
	if want := "2026-12-01 2026-12-02 2026-12-03 2026-12-04 2026-12-07"; strings.Join(dates, " ") != want {
		t.Errorf("preview %v, want %s (weekdays only)", dates, want)
	}
}

// TestDailySubscribeDays: the days reach the subscription from chat, and a
// bad day name is answered with the reason.
func TestDailySubscribeDays(t *testing.T) {
	r := newRig(t, utc("2026-11-26 12:00"), bot.NewMemoryStore())
	b := bot.New(bot.Config{Engine: bottest.Engine(t), Memory: r.store, Daily: r.sched})
	say := func(text string) bot.Reply {
		return b.Handle(context.Background(), bot.Request{Platform: bot.Slack, Channel: "C1", User: bot.User{ID: "U1", Admin: true}, Command: bot.CmdDaily, Text: text})
	}
	got := say("subscribe 18:30 Europe/London fri thread <!subteam^S0123|@film-club>")
	if got.Error != "" || !strings.Contains(got.PlainText(), "on Fridays at 18:30 Europe/London") || !strings.Contains(got.PlainText(), "Fri 27 Nov 2026 18:30 GMT") ||
		!strings.Contains(got.PlainText(), "thread") || !strings.Contains(got.PlainText(), "mentions") {
		t.Errorf("subscribe: %q %q", got.Error, got.PlainText())
	}
	sub, err := r.store.GetSubscription(context.Background(), slackC1)
	if err != nil || sub.Days != 1<<time.Friday || !sub.Thread || sub.Mention != "S0123" {
		t.Errorf("stored %+v, %v", sub, err)
	}
	if got := say("subscribe 18:30 funday"); !got.Private || !strings.Contains(got.Error, "“funday” is not a day") {
		t.Errorf("bad day: %q", got.Error)
	}
	opts := map[string]string{bot.OptAction: bot.DailySubscribe, bot.OptDays: "mon,xyz"}
	if got := b.Handle(context.Background(), bot.Request{Platform: bot.Discord, Channel: "42", User: bot.User{Admin: true}, Command: bot.CmdDaily, Options: opts}); !strings.Contains(got.Error, "“xyz” is not a day") {
		t.Errorf("bad day from Discord's options: %q", got.Error)
	}
}

// TestDailyPostNamesTheNext: a daily post says when the next one is due,
// as a time each platform shows in its reader's zone: a Friday-only
// subscription's post names the next Friday, across the clock change.
func TestDailyPostNamesTheNext(t *testing.T) {
	r := newRig(t, longAgo, bot.NewMemoryStore())
	var seen []bot.Reply
	r.cfg.Posters = map[bot.Platform]bot.Poster{bot.Slack: &threadPoster{fakePoster: r.poster, seen: &seen}}
	r.sched = bot.NewScheduler(r.cfg)
	fri := bot.Subscription{Channel: slackC1, Time: "18:30", Timezone: "Europe/London", Days: 1 << time.Friday, Source: "chat", Since: longAgo}
	if err := r.store.PutSubscription(context.Background(), fri); err != nil {
		t.Fatal(err)
	}
	r.at(utc("2026-10-23 17:30"))
	if len(seen) != 1 {
		t.Fatalf("%d posts, want 1", len(seen))
	}
	if got, want := seen[0].PlainText(), "Today's pick from the creators of Industry. The next is due Fri 30 Oct 2026 18:30 GMT (Fri 30 Oct 18:30 UTC)"; got != want {
		t.Errorf("lead %q, want %q", got, want)
	}
	if len(seen[0].Times) != 1 || !seen[0].Times[0].Equal(utc("2026-10-30 18:30")) {
		t.Errorf("times %v, want the next Friday 18:30 UTC", seen[0].Times)
	}
}

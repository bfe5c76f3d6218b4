package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

func TestDailyCommand(t *testing.T) {
	r := newRig(t, utc("2026-11-26 12:00"), bot.NewMemoryStore())
	b := bot.New(bot.Config{Engine: bottest.Engine(t), Memory: r.store, Daily: r.sched, Admins: map[bot.Platform]string{
		bot.Slack:   "workspace admins and owners",
		bot.Discord: "members with the Manage Server permission",
	}})
	say := func(admin bool, platform bot.Platform, text string) bot.Reply {
		t.Helper()
		opts, err := bot.ParseText("daily", text)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		return b.Handle(context.Background(), bot.Request{Platform: platform, Channel: "C1", User: bot.User{ID: "U1", Admin: admin}, Command: "daily", Options: opts})
	}
	if got := say(false, bot.Slack, "subscribe"); !got.Private || !strings.Contains(got.Error, "Only workspace admins") {
		t.Errorf("non-admin on Slack: %+v", got)
	}
	if got := say(false, bot.Discord, "status"); !got.Private || !strings.Contains(got.Error, "Manage Server") {
		t.Errorf("non-admin on Discord: %+v", got)
	}
	// The console is a channel like any other; this scheduler has no
	// poster for it, and says so.
	if got := say(true, bot.Console, "subscribe"); got.Error != "" || !strings.Contains(got.PlainText(), "Daily pick on: every day at 09:00") || !strings.Contains(got.PlainText(), "cannot post to the console") {
		t.Errorf("console: %+v", got)
	}
	if got := say(true, bot.Slack, "status"); !strings.Contains(got.PlainText(), "no daily pick") {
		t.Errorf("status before subscribing: %+v", got)
	}
	got := say(true, bot.Slack, "subscribe 18:30 America/New_York")
	if !got.Private || !strings.Contains(got.PlainText(), "every day at 18:30 America/New_York") || !strings.Contains(got.PlainText(), "Thu 26 Nov 2026 18:30 EST") || !strings.Contains(got.PlainText(), "Thu 26 Nov 23:30 UTC") {
		t.Errorf("subscribe: %+v", got)
	}
	got = say(true, bot.Slack, "status")
	for _, want := range []string{"every day at 18:30 America/New_York (set in chat)", "Next: Thu 26 Nov 2026 18:30 EST (Thu 26 Nov 23:30 UTC): ", "Rotation: 0 of 12 dealt in shuffle 1."} {
		if !strings.Contains(got.PlainText(), want) {
			t.Errorf("status lacks %q:\n%s", want, got.PlainText())
		}
	}
	got = say(true, bot.Slack, "skip")
	if !strings.Contains(got.PlainText(), "Skipping the pick of 2026-11-26") || !strings.Contains(got.PlainText(), "next is due Fri 27 Nov 2026 18:30 EST") {
		t.Errorf("skip: %+v", got)
	}
	r.at(utc("2026-11-26 23:31"))
	if n := r.poster.count(); n != 0 {
		t.Errorf("the skipped day posted %d", n)
	}
	r.at(utc("2026-11-27 23:30"))
	if n := r.poster.count(); n != 1 {
		t.Errorf("the day after the skip posted %d, want 1", n)
	}
	r.clock.set(utc("2026-11-28 00:00"))
	got = say(true, bot.Slack, "status")
	if !strings.Contains(got.PlainText(), "Last: Fri 27 Nov 2026 ") || !strings.Contains(got.PlainText(), ": sent.") || !strings.Contains(got.PlainText(), "Rotation: 1 of 12") {
		t.Errorf("status after a post:\n%s", got.PlainText())
	}
	if got := say(true, bot.Slack, "unsubscribe"); !strings.Contains(got.PlainText(), "off") {
		t.Errorf("unsubscribe: %+v", got)
	}
	if got := say(true, bot.Slack, "unsubscribe"); !strings.Contains(got.PlainText(), "no daily pick") {
		t.Errorf("unsubscribe twice: %+v", got)
	}
	r.at(utc("2026-11-28 23:30"))
	if n := r.poster.count(); n != 1 {
		t.Errorf("posted after unsubscribing: %d", n)
	}
	// Without a scheduler /daily says so.
	plain := bottest.Bot(t)
	if got := plain.Handle(context.Background(), bot.Request{Platform: bot.Slack, Command: "daily", User: bot.User{Admin: true}}); !strings.Contains(got.Error, "not running") {
		t.Errorf("no scheduler: %+v", got)
	}
}

func TestSyncConfiguredChannels(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, utc("2026-11-26 12:00"), bot.NewMemoryStore())
	chat := bot.ChannelKey{Platform: bot.Discord, Channel: "9"}
	if _, err := r.sched.Subscribe(ctx, chat, bot.User{ID: "U"}, bot.Schedule{}); err != nil {
		t.Fatal(err)
	}
	conf := []bot.Subscription{{Channel: slackC1}, {Channel: bot.ChannelKey{Platform: bot.Slack, Channel: "C2"}, Time: "07:15", Timezone: "Asia/Tokyo"}}
	if err := r.sched.Sync(ctx, conf); err != nil {
		t.Fatal(err)
	}
	subs, _ := r.store.ListSubscriptions(ctx)
	if len(subs) != 3 {
		t.Fatalf("%d subscriptions, want 3: %+v", len(subs), subs)
	}
	c1, _ := r.store.GetSubscription(ctx, slackC1)
	if c1.Time != "09:00" || c1.Timezone != "Europe/London" || c1.Source != "config" {
		t.Errorf("defaults: %+v", c1)
	}
	// An unchanged entry keeps its pause; a removed one goes; chat ones stay.
	if err := r.store.PauseSubscription(ctx, slackC1, "not_in_channel"); err != nil {
		t.Fatal(err)
	}
	r.clock.set(utc("2026-11-27 12:00"))
	if err := r.sched.Sync(ctx, conf[:1]); err != nil {
		t.Fatal(err)
	}
	c1, _ = r.store.GetSubscription(ctx, slackC1)
	if c1.Paused == "" || !c1.Since.Equal(utc("2026-11-26 12:00")) {
		t.Errorf("an unchanged entry was rewritten: %+v", c1)
	}
	subs, _ = r.store.ListSubscriptions(ctx)
	if len(subs) != 2 {
		t.Errorf("after removing C2: %+v", subs)
	}
	if _, err := r.store.GetSubscription(ctx, chat); err != nil {
		t.Errorf("the chat subscription went: %v", err)
	}
	// Changing an entry's days, thread or mention rewrites it.
	changed := conf[0]
	changed.Days, changed.Thread, changed.Mention = bot.Weekdays, true, "S1"
	r.clock.set(utc("2026-11-28 12:00"))
	if err := r.sched.Sync(ctx, []bot.Subscription{changed}); err != nil {
		t.Fatal(err)
	}
	c1, _ = r.store.GetSubscription(ctx, slackC1)
	if c1.Days != bot.Weekdays || !c1.Thread || c1.Mention != "S1" || c1.Paused != "" || !c1.Since.Equal(utc("2026-11-28 12:00")) {
		t.Errorf("a changed entry was not rewritten: %+v", c1)
	}
}

func TestDailyWithoutAPoster(t *testing.T) {
	r := newRig(t, utc("2026-11-26 12:00"), bot.NewMemoryStore())
	r.cfg.Posters = map[bot.Platform]bot.Poster{bot.Slack: r.poster}
	r.cfg.Setup = map[bot.Platform]string{bot.Discord: "set discord.token"}
	sched := bot.NewScheduler(r.cfg)
	b := bot.New(bot.Config{Engine: bottest.Engine(t), Memory: r.store, Daily: sched})
	req := bot.Request{Platform: bot.Discord, Channel: "42", User: bot.User{Admin: true}, Command: "daily", Options: map[string]string{"action": "subscribe"}}
	if got := b.Handle(context.Background(), req); !strings.Contains(got.PlainText(), "must set discord.token") {
		t.Errorf("subscribe: %q", got.PlainText())
	}
	req.Options["action"] = "status"
	if got := b.Handle(context.Background(), req); !strings.Contains(got.PlainText(), "Problem: this bot cannot post to Discord yet") {
		t.Errorf("status: %q", got.PlainText())
	}
}

// TestDailyWhereTheBotCannot: a request that says the bot cannot post to
// its channel on its own (a user install in a group DM) is refused
// /daily with the adapter's reason, before anything else, admin or not;
// a subscription asking for a thread or a mention the bot may not make
// there is refused with the reason, and nothing is subscribed.
func TestDailyWhereTheBotCannot(t *testing.T) {
	r := newRig(t, utc("2026-11-26 12:00"), bot.NewMemoryStore())
	b := bot.New(bot.Config{Engine: bottest.Engine(t), Memory: r.store, Daily: r.sched})
	ctx := context.Background()
	tests := []struct {
		name string
		req  bot.Request
		want string
	}{
		{"no post, not an admin", bot.Request{NoPost: "the bot is not in this group DM", Options: map[string]string{"action": "status"}},
			"Daily picks need a channel the bot can post to by itself, and the bot is not in this group DM."},
		{"no post, an admin", bot.Request{NoPost: "the bot is not in this group DM", User: bot.User{Admin: true}, Options: map[string]string{"action": "subscribe"}},
			"the bot is not in this group DM."},
		{"a thread it may not open", bot.Request{NoThread: "it lacks Create Threads", User: bot.User{Admin: true}, Options: map[string]string{"action": "subscribe", "thread": "true"}},
			"The bot cannot open a thread on each post here: it lacks Create Threads."},
		{"a mention it may not make", bot.Request{NoMention: "the role is locked", User: bot.User{Admin: true}, Options: map[string]string{"action": "subscribe", "mention": "42"}},
			"The bot cannot mention that role or group with each post here: the role is locked."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req
			req.Platform, req.Channel, req.Command = bot.Discord, "C9", bot.CmdDaily
			got := b.Handle(ctx, req)
			if !got.Private || !strings.Contains(got.Error, tc.want) {
				t.Errorf("reply = %+v, want a private error holding %q", got, tc.want)
			}
			if _, err := r.store.GetSubscription(ctx, req.ChannelKey()); err == nil {
				t.Error("subscribed all the same")
			}
		})
	}
	// What the bot may not do matters only when asked for.
	req := bot.Request{Platform: bot.Discord, Channel: "C9", Command: bot.CmdDaily, User: bot.User{Admin: true}, NoThread: "no", NoMention: "no",
		Options: map[string]string{"action": "subscribe", "thread": "false"}}
	if got := b.Handle(ctx, req); got.Error != "" || !strings.Contains(got.PlainText(), "Daily pick on") {
		t.Errorf("a subscription without thread or mention: %+v", got)
	}
}

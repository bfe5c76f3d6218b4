package bot_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

// TestDailySubscribeOptionsAreChecked sends /daily subscribe as Discord
// does, one option at a time: a time or zone the user got wrong is
// answered privately with the reason, and nothing is stored or logged as
// the bot's failure.
func TestDailySubscribeOptionsAreChecked(t *testing.T) {
	r := newRig(t, utc("2026-11-26 12:00"), bot.NewMemoryStore())
	var logs bytes.Buffer
	b := bot.New(bot.Config{Engine: bottest.Engine(t), Memory: r.store, Daily: r.sched, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	tests := []struct {
		opts map[string]string
		want string
	}{
		{map[string]string{bot.OptTime: "25:99"}, "“25:99” is not a time of day: use HH:MM, such as 09:00."},
		{map[string]string{bot.OptTime: "09:00", bot.OptTimezone: "Mars/Olympus"}, "“Mars/Olympus” is not a time zone"},
		{map[string]string{bot.OptTimezone: "Mars/Olympus"}, "“Mars/Olympus” is not a time zone"},
		{map[string]string{bot.OptTime: "noon"}, "“noon” is not a time of day"},
	}
	for _, tc := range tests {
		opts := map[string]string{bot.OptAction: bot.DailySubscribe}
		for k, v := range tc.opts {
			opts[k] = v
		}
		got := b.Handle(context.Background(), bot.Request{Platform: bot.Discord, Channel: "C1", User: bot.User{ID: "U1", Admin: true}, Command: bot.CmdDaily, Options: opts})
		if !got.Private || !strings.Contains(got.Error, tc.want) || got.Error == bot.Failure().Error {
			t.Errorf("%v: %+v, want a private %q", tc.opts, got, tc.want)
		}
	}
	if _, err := r.store.GetSubscription(context.Background(), bot.ChannelKey{Platform: bot.Discord, Channel: "C1"}); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("a subscription was stored: %v", err)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a user's mistake was logged as the bot's failure:\n%s", logs.String())
	}
	// What is right still subscribes.
	got := b.Handle(context.Background(), bot.Request{Platform: bot.Discord, Channel: "C1", User: bot.User{ID: "U1", Admin: true}, Command: bot.CmdDaily,
		Options: map[string]string{bot.OptAction: bot.DailySubscribe, bot.OptTime: "7:05", bot.OptTimezone: "Europe/Paris"}})
	if !strings.Contains(got.Text, "every day at 07:05 Europe/Paris") {
		t.Errorf("a good subscription: %+v", got)
	}
}

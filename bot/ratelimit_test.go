package bot_test

import (
	"errors"
	"testing"
	"time"

	"github.com/industrybot/industrybot/bot"
)

// TestRateLimitHoldsOnlyItsRoute: a 429 on one channel's route holds that
// channel, and another channel on the same platform posts on time; a
// global 429 holds every post to the platform.
func TestRateLimitHoldsOnlyItsRoute(t *testing.T) {
	for _, global := range []bool{false, true} {
		name := map[bool]string{false: "route", true: "global"}[global]
		t.Run(name, func(t *testing.T) {
			r := newRig(t, longAgo, bot.NewMemoryStore())
			r.cfg.Workers = 1 // C1, then C2
			r.cfg.Pace = map[bot.Platform]time.Duration{bot.Discord: 0}
			r.sched = bot.NewScheduler(r.cfg)
			c1 := bot.ChannelKey{Platform: bot.Discord, Channel: "C1"}
			c2 := bot.ChannelKey{Platform: bot.Discord, Channel: "C2"}
			r.subscribe(c1, "09:00", "UTC", longAgo)
			r.subscribe(c2, "09:00", "UTC", longAgo)
			// C1's route asks for an hour: past the retry budget, so its one
			// try fails and waits for the next tick.
			r.poster.fail = func(channel string, _ int) error {
				if channel == "C1" {
					return &bot.PostError{RetryAfter: time.Hour, Global: global, Err: errors.New("HTTP 429")}
				}
				return nil
			}
			due := utc("2026-11-26 09:00")
			r.at(due)
			r.poster.mu.Lock()
			defer r.poster.mu.Unlock()
			if len(r.poster.posts) != 1 || r.poster.posts[0].channel != "C2" {
				t.Fatalf("posts %+v, want C2's alone", r.poster.posts)
			}
			at := r.poster.posts[0].at
			switch {
			case !global && !at.Equal(due):
				t.Errorf("C2 posted at %s, want on time at %s: a 429 on C1's route must not hold it", at, due)
			case global && at.Before(due.Add(time.Hour)):
				t.Errorf("C2 posted at %s, want it held for the global 429 until %s", at, due.Add(time.Hour))
			}
		})
	}
}

package bottest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/industrybot/industrybot/bot"
)

// Clock is a bot.Clock that tests move: Sleep moves it on at once, so a
// scheduler's waits take no time.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

var _ bot.Clock = (*Clock)(nil)

// NewClock returns a Clock at now.
func NewClock(now time.Time) *Clock { return &Clock{now: now} }

// Now implements bot.Clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep implements bot.Clock: it moves the clock on by d.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

// Set moves the clock to a UTC time written "2006-01-02 15:04".
func (c *Clock) Set(tb testing.TB, at string) {
	tb.Helper()
	v, err := time.Parse("2006-01-02 15:04", at)
	if err != nil {
		tb.Fatal(err)
	}
	c.mu.Lock()
	c.now = v
	c.mu.Unlock()
}

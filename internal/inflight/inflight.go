// Package inflight counts the answers an adapter is still sending, so that
// stopping can wait for them: a Discord follow-up after a deferral, a Slack
// answer to a response_url after an empty acknowledgement.
package inflight

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// DrainTime bounds how long an adapter, told to stop, waits for the
// answers it is still sending. Both platforms give up on an answer long
// before: a follow-up of a command that overran its own time is lost
// anyway.
const DrainTime = 10 * time.Second

// Counter counts work in flight. Unlike a sync.WaitGroup it may gain work
// while someone waits, which happens at shutdown: a gateway delivers events
// on goroutines of its own up to the moment it closes, and an HTTP server
// takes requests until it has drained. The zero Counter counts nothing; it
// is safe for concurrent use.
type Counter struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n drops to 0; nil while n is 0
}

// Add counts one more piece of work.
func (c *Counter) Add() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == 0 {
		c.idle = make(chan struct{})
	}
	c.n++
}

// Done marks one piece of work finished. It panics when nothing is in
// flight.
func (c *Counter) Done() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == 0 {
		panic("inflight: Done without Add")
	}
	if c.n--; c.n == 0 {
		close(c.idle)
		c.idle = nil
	}
}

// Go runs f on a goroutine of its own, counted while it runs.
func (c *Counter) Go(f func()) {
	c.Add()
	go func() {
		defer c.Done()
		f()
	}()
}

// Wait waits until nothing is in flight, or ctx ends: then it returns an
// error that wraps ctx's and says how much is left.
func (c *Counter) Wait(ctx context.Context) error {
	c.mu.Lock()
	idle := c.idle
	c.mu.Unlock()
	if idle == nil {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		n := c.n
		c.mu.Unlock()
		return fmt.Errorf("%d still in flight: %w", n, ctx.Err())
	}
}

// Drain is Wait for a component whose ctx has ended: it waits at most
// DrainTime, whatever ctx says, keeping ctx's values.
func (c *Counter) Drain(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), DrainTime)
	defer cancel()
	return c.Wait(ctx)
}

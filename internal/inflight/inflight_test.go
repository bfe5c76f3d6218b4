package inflight

import (
	"context"
	"errors"
	"testing"
)

func TestWaitReturnsAtOnceWhenIdle(t *testing.T) {
	var c Counter
	if err := c.Wait(t.Context()); err != nil {
		t.Fatalf("Wait on a new Counter = %v, want nil", err)
	}
	c.Add()
	c.Done()
	if err := c.Wait(t.Context()); err != nil {
		t.Fatalf("Wait after Add and Done = %v, want nil", err)
	}
}

// TestWorkMayGrowWhileWaiting: work added while someone waits is waited
// for too.
func TestWorkMayGrowWhileWaiting(t *testing.T) {
	var c Counter
	c.Add()
	waited := make(chan error, 1)
	go func() { waited <- c.Wait(context.Background()) }()
	c.Add() // more, while Wait waits
	c.Done()
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Wait(gone); err == nil || err.Error() != "1 still in flight: context canceled" {
		t.Fatalf("Wait = %v, want 1 still in flight", err)
	}
	select {
	case err := <-waited:
		t.Fatalf("Wait returned %v with one still in flight", err)
	default:
	}
	c.Done()
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
}

func TestWaitEndsWithItsContext(t *testing.T) {
	var c Counter
	c.Add()
	defer c.Done()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := c.Wait(ctx)
	if !errors.Is(err, context.Canceled) || err.Error() != "1 still in flight: context canceled" {
		t.Errorf("Wait = %v, want 1 still in flight, wrapping context.Canceled", err)
	}
}

// TestDrainOutlivesItsContext: Drain is called once ctx has ended, and
// still waits for the work.
func TestDrainOutlivesItsContext(t *testing.T) {
	var c Counter
	release := make(chan struct{})
	c.Go(func() { <-release })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	drained := make(chan error, 1)
	go func() { drained <- c.Drain(ctx) }()
	close(release)
	if err := <-drained; err != nil {
		t.Fatalf("Drain = %v, want nil once the work is done", err)
	}
}

func TestDoneWithoutAddPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Done without Add did not panic")
		}
	}()
	var c Counter
	c.Done()
}

// TestIdle: Wait returns when the last piece of work is done, and the
// count may grow again after it did. (Moved from the Discord adapter.)
func TestIdle(t *testing.T) {
	t.Parallel()
	var c Counter
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	idle := func() bool { return c.Wait(gone) == nil }
	steps := []struct {
		do   func()
		idle bool
	}{
		{func() {}, true},
		{c.Add, false},
		{c.Add, false},
		{c.Done, false},
		{c.Done, true},
		{c.Add, false},
		{c.Done, true},
	}
	for n, s := range steps {
		s.do()
		if got := idle(); got != s.idle {
			t.Errorf("step %d: idle = %v, want %v", n, got, s.idle)
		}
	}
}

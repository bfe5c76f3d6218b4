package slowpath

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeTimer stands in for Run's timer: it goes off when the test calls
// fire, on its own goroutine like a real timer, and only then.
type fakeTimer struct {
	mu      sync.Mutex
	f       func()
	stopped bool
	fired   sync.WaitGroup
}

// useFakeTimer makes the next Runs of the test use a fakeTimer.
func useFakeTimer(t *testing.T) *fakeTimer {
	ft := &fakeTimer{}
	real := afterFunc
	afterFunc = func(_ time.Duration, f func()) stopper {
		ft.mu.Lock()
		defer ft.mu.Unlock()
		ft.f, ft.stopped = f, false
		return ft
	}
	t.Cleanup(func() { afterFunc = real })
	return ft
}

func (ft *fakeTimer) Stop() bool {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	was := !ft.stopped
	ft.stopped = true
	return was
}

// fire runs the timer's function on a goroutine of its own, even once the
// timer was stopped: time.Timer.Stop does not stop a function that has
// already started, so Run must cope with one that fires late.
func (ft *fakeTimer) fire() {
	ft.mu.Lock()
	f := ft.f
	ft.mu.Unlock()
	ft.fired.Go(f)
}

func (ft *fakeTimer) isStopped() bool {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return ft.stopped
}

func TestFastWorkIsNotAcknowledged(t *testing.T) {
	ft := useFakeTimer(t)
	var calls atomic.Int32
	v, slow := Run(20*time.Millisecond, func() int { return 7 }, func() { calls.Add(1) })
	if v != 7 || slow {
		t.Fatalf("Run = %d, %v; want 7, false", v, slow)
	}
	if !ft.isStopped() {
		t.Error("the timer was not stopped")
	}
	ft.fire() // too late: the answer is out
	ft.fired.Wait()
	if n := calls.Load(); n != 0 {
		t.Errorf("onSlow ran %d times after a fast answer", n)
	}
}

func TestSlowWorkIsAcknowledgedFirst(t *testing.T) {
	ft := useFakeTimer(t)
	acked, returned := make(chan struct{}), make(chan struct{})
	var ackEnded atomic.Bool
	v, slow := Run(time.Millisecond, func() string {
		ft.fire()
		<-acked // finish only once acknowledged
		defer close(returned)
		return "late"
	}, func() {
		close(acked)
		<-returned // still acknowledging when work returns: Run must wait
		ackEnded.Store(true)
	})
	if v != "late" || !slow {
		t.Fatalf("Run = %q, %v; want late, true", v, slow)
	}
	if !ackEnded.Load() {
		t.Error("Run returned before onSlow did")
	}
}

func TestPanicStopsTheTimer(t *testing.T) {
	ft := useFakeTimer(t)
	var calls atomic.Int32
	func() {
		defer func() {
			if recover() != "boom" {
				t.Error("the panic did not go on")
			}
		}()
		Run(20*time.Millisecond, func() int { panic("boom") }, func() { calls.Add(1) })
	}()
	if !ft.isStopped() {
		t.Error("the timer was not stopped")
	}
	ft.fire()
	ft.fired.Wait()
	if n := calls.Load(); n != 0 {
		t.Errorf("onSlow ran %d times after work panicked", n)
	}
}

// Work that ends just as the timer fires: either onSlow ran to its end
// before Run returned, or it never runs.
func TestRaceAtTheDeadline(t *testing.T) {
	ft := useFakeTimer(t)
	for range 500 {
		var started, ended atomic.Bool
		_, slow := Run(time.Millisecond, func() int {
			ft.fire() // goes off as work returns
			return 0
		}, func() {
			started.Store(true)
			ended.Store(true)
		})
		if slow != ended.Load() {
			t.Fatalf("slow = %v, but onSlow ended = %v when Run returned", slow, ended.Load())
		}
		ft.fired.Wait()
		if !slow && started.Load() {
			t.Fatal("onSlow ran after Run said it would not")
		}
	}
}

func TestPanicInOnSlowReachesTheCaller(t *testing.T) {
	ft := useFakeTimer(t)
	release := make(chan struct{})
	defer func() {
		if p := recover(); p != "ack failed" {
			t.Errorf("recovered %v, want the panic of onSlow", p)
		}
	}()
	Run(time.Millisecond, func() int {
		ft.fire()
		<-release
		return 1
	}, func() {
		close(release)
		panic("ack failed")
	})
	t.Error("Run returned despite the panic of onSlow")
}

// TestRealTimer: without a fake, slow work is acknowledged by time.AfterFunc.
func TestRealTimer(t *testing.T) {
	acked := make(chan struct{})
	v, slow := Run(time.Millisecond, func() int {
		<-acked
		return 1
	}, func() { close(acked) })
	if v != 1 || !slow {
		t.Errorf("Run = %d, %v; want 1, true", v, slow)
	}
}

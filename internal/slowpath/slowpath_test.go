package slowpath

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestFastWorkIsNotAcknowledged(t *testing.T) {
	var calls atomic.Int32
	v, slow := Run(20*time.Millisecond, func() int { return 7 }, func() { calls.Add(1) })
	if v != 7 || slow {
		t.Fatalf("Run = %d, %v; want 7, false", v, slow)
	}
	time.Sleep(50 * time.Millisecond) // past d: the timer must not fire late
	if n := calls.Load(); n != 0 {
		t.Errorf("onSlow ran %d times after a fast answer", n)
	}
}

func TestSlowWorkIsAcknowledgedFirst(t *testing.T) {
	acked := make(chan struct{})
	var ackEnded atomic.Bool
	v, slow := Run(time.Millisecond, func() string {
		<-acked // finish only once acknowledged
		return "late"
	}, func() {
		close(acked)
		time.Sleep(10 * time.Millisecond) // Run must wait for this
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
	var calls atomic.Int32
	func() {
		defer func() {
			if recover() != "boom" {
				t.Error("the panic did not go on")
			}
		}()
		Run(20*time.Millisecond, func() int { panic("boom") }, func() { calls.Add(1) })
	}()
	time.Sleep(50 * time.Millisecond)
	if n := calls.Load(); n != 0 {
		t.Errorf("onSlow ran %d times after work panicked", n)
	}
}

// Work that ends just as the timer fires: either onSlow ran to its end
// before Run returned, or it never runs.
func TestRaceAtTheDeadline(t *testing.T) {
	for range 500 {
		var started, ended atomic.Bool
		_, slow := Run(50*time.Microsecond, func() int {
			time.Sleep(50 * time.Microsecond)
			return 0
		}, func() {
			started.Store(true)
			ended.Store(true)
		})
		if slow != ended.Load() {
			t.Fatalf("slow = %v, but onSlow ended = %v when Run returned", slow, ended.Load())
		}
		if !slow {
			time.Sleep(100 * time.Microsecond)
			if started.Load() {
				t.Fatal("onSlow ran after Run said it would not")
			}
		}
	}
}

func TestPanicInOnSlowReachesTheCaller(t *testing.T) {
	release := make(chan struct{})
	defer func() {
		if p := recover(); p != "ack failed" {
			t.Errorf("recovered %v, want the panic of onSlow", p)
		}
	}()
	Run(time.Millisecond, func() int {
		<-release
		return 1
	}, func() {
		close(release)
		panic("ack failed")
	})
	t.Error("Run returned despite the panic of onSlow")
}

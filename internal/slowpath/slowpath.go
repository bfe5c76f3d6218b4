// Package slowpath runs a command on the caller's goroutine while a timer
// stands ready to acknowledge it if it is slow. Discord wants an answer to
// an interaction within 3 seconds and Slack to a command within 3: most
// answers take microseconds and go out in the response itself, and only a
// slow one needs the "thinking…" or empty acknowledgement, then a
// follow-up. Running the command where the request already is, instead of
// on a goroutine of its own, saves a goroutine, its stack growth and a
// hand-off on every request.
package slowpath

import (
	"sync"
	"time"
)

// afterFunc is time.AfterFunc; tests replace it to fire the timer at the
// point they mean to test, instead of at a moment a loaded machine moves.
var afterFunc = func(d time.Duration, f func()) stopper { return time.AfterFunc(d, f) }

// stopper is the part of *time.Timer that Run uses.
type stopper interface{ Stop() bool }

// Run calls work on this goroutine and returns its result. If work has not
// returned after d, onSlow is called on a timer's goroutine, once; Run
// returns only after onSlow has returned, and slow says whether it was
// called. When slow is false, onSlow has not run and never will. If work
// panics, Run does the same before the panic goes on; if onSlow panics,
// Run panics with the same value on the caller's goroutine, where its
// recovery is, once work has returned.
func Run[T any](d time.Duration, work func() T, onSlow func()) (v T, slow bool) {
	r := &run{onSlow: onSlow}
	t := afterFunc(d, r.fire)
	defer func() {
		if slow = r.finish(); !slow {
			t.Stop()
			return
		}
		<-r.done
		if r.slowPanic != nil {
			panic(r.slowPanic)
		}
	}()
	return work(), false
}

// run is one Run's state, shared with its timer's goroutine: one
// allocation, where variables captured by the timer's closure were one
// each, on every request.
type run struct {
	mu               sync.Mutex
	finished, called bool
	onSlow           func()
	done             chan struct{} // made when onSlow is called, closed when it has returned
	slowPanic        any
}

// fire is the timer's: it calls onSlow unless work has finished.
func (r *run) fire() {
	r.mu.Lock()
	if r.finished {
		r.mu.Unlock()
		return
	}
	r.called = true
	r.done = make(chan struct{})
	r.mu.Unlock()
	defer close(r.done)
	defer func() { r.slowPanic = recover() }()
	r.onSlow()
}

// finish marks work finished and says whether onSlow was called.
func (r *run) finish() (called bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.finished = true
	return r.called
}

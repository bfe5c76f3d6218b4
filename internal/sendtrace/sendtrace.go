// Package sendtrace tells whether an HTTP request may have reached its
// server: a request written in full whose answer never came back may have
// been acted on, while one that failed before (a refused dial, a failed
// handshake, a write cut short) cannot have been.
package sendtrace

import (
	"context"
	"net/http/httptrace"
	"sync/atomic"
)

// Trace records what became of the requests made with its context.
type Trace struct {
	written  atomic.Bool
	answered atomic.Bool
}

// With returns ctx with a new Trace of the requests made with it.
func With(ctx context.Context) (context.Context, *Trace) {
	t := &Trace{}
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				t.written.Store(true)
			}
		},
		GotFirstResponseByte: func() { t.answered.Store(true) },
	}), t
}

// Written reports whether a request was written in full: from then on
// the server may act on it whatever the client hears back.
func (t *Trace) Written() bool { return t.written.Load() }

// Answered reports whether any of the response came back.
func (t *Trace) Answered() bool { return t.answered.Load() }

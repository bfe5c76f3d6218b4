// Package httpbody reads and writes the bodies of the platforms' webhook
// requests. It reads a request's body up to a limit per route, only a few
// large ones at a time, and into buffers it reuses, so that requests
// nobody signed can neither fill the memory nor keep the garbage collector
// busy, nor starve the real ones; it answers a body it refused (413, 503);
// and it writes an answer whole, its length said, closing the connection
// when work goes on after it.
//
// The platforms' own requests are small: a Slack slash command is a form
// of a kilobyte or two, a Discord interaction a few kilobytes. A body that
// says it is at most Small long is read at once: however many arrive
// together, each holds little. A larger one, or one of unknown length,
// first waits for one of a few slots, and then has a few seconds to
// arrive; a request that waits too long for a slot gets ErrBusy. An
// attacker sending large bodies from many connections thus holds at most
// slots × limit bytes of body, and waits behind other large bodies, not
// in front of the small ones.
//
// A body is checked, signature and all, in the reused buffer; only a body
// that passes is copied out. Refusing a forged body allocates nothing.
package httpbody

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Errors of Read besides the check's and the body's own read errors:
// Error answers ErrTooLarge with 413 and ErrBusy with 503.
var (
	ErrTooLarge = errors.New("request body too large")
	ErrBusy     = errors.New("too many large request bodies are being read")
)

const (
	// Small is the longest body read without a slot.
	Small = 16 << 10
	// DefaultSlots is how many larger bodies a Reader reads at once.
	DefaultSlots = 32
	// DefaultWait is how long a larger body waits for a slot: both
	// platforms give up on an answer after 3 seconds.
	DefaultWait = time.Second
	// DefaultReadTime is how long a larger body has to arrive once it has
	// a slot. The platforms' servers send a request in milliseconds.
	DefaultReadTime = 5 * time.Second
)

// Reader reads request bodies, bounding how many larger ones it reads at
// once. One Reader serves every route of a server. It is safe for
// concurrent use.
type Reader struct {
	// slots holds a buffer for each larger body that may be read at once;
	// a body takes one to be read, and gives it back grown to its size.
	slots    chan *[]byte
	wait     time.Duration
	readTime time.Duration
	waiting  atomic.Int64
}

// small holds the buffers of small bodies.
var small = sync.Pool{New: func() any {
	b := make([]byte, 0, Small+64)
	return &b
}}

// New returns a Reader that reads at most slots larger bodies at once,
// DefaultSlots when slots is 0 or less.
func New(slots int) *Reader {
	if slots <= 0 {
		slots = DefaultSlots
	}
	rd := &Reader{slots: make(chan *[]byte, slots), wait: DefaultWait, readTime: DefaultReadTime}
	for range slots {
		rd.slots <- new([]byte)
	}
	return rd
}

// Read reads r's body and calls check with prefix followed by the body,
// for a check of the signature over them; it returns a copy of the body
// when check accepts it, and check's error otherwise. A body longer than
// limit is ErrTooLarge, without reading any of it when its Content-Length
// says so. A body longer than Small, or of unknown length, waits for a
// slot first: ErrBusy when none frees within DefaultWait or r's context
// ends meanwhile. check must not keep the slice it is given.
func (rd *Reader) Read(w http.ResponseWriter, r *http.Request, limit int64, prefix string, check func(signed []byte) error) ([]byte, error) {
	n := r.ContentLength
	if n > limit {
		return nil, ErrTooLarge
	}
	var buf *[]byte
	if n >= 0 && n <= Small {
		buf = small.Get().(*[]byte)
		defer small.Put(buf)
	} else {
		var err error
		if buf, err = rd.acquire(r.Context()); err != nil {
			return nil, err
		}
		defer func() { rd.slots <- buf }()
		// Unsupported where w is not a connection's (a test's recorder):
		// the server's own read timeout still applies there.
		rc := http.NewResponseController(w)
		if rc.SetReadDeadline(time.Now().Add(rd.readTime)) == nil {
			// Once the body is in, nothing more is read for this request:
			// a deadline left behind would cancel its context.
			defer rc.SetReadDeadline(time.Time{})
		}
	}
	signed, err := readInto((*buf)[:0], prefix, http.MaxBytesReader(w, r.Body, limit), n)
	*buf = signed[:0] // keep what it grew to
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return nil, ErrTooLarge
	}
	if err != nil {
		return nil, err
	}
	if err := check(signed); err != nil {
		return nil, err
	}
	return bytes.Clone(signed[len(prefix):]), nil
}

// readInto appends prefix and then the body to b: n bytes when n is 0 or
// more, else up to the end of the body.
func readInto(b []byte, prefix string, body io.Reader, n int64) ([]byte, error) {
	b = append(b, prefix...)
	if n >= 0 {
		b = slices.Grow(b, int(n))
		_, err := io.ReadFull(body, b[len(b):len(b)+int(n)])
		return b[:len(b)+int(n)], err
	}
	for {
		if len(b) == cap(b) {
			b = slices.Grow(b, 4<<10)
		}
		m, err := body.Read(b[len(b):cap(b)])
		b = b[:len(b)+m]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// Waiting returns how many bodies are waiting for a slot.
func (rd *Reader) Waiting() int { return int(rd.waiting.Load()) }

// acquire takes a slot and its buffer.
func (rd *Reader) acquire(ctx context.Context) (*[]byte, error) {
	select {
	case b := <-rd.slots:
		return b, nil
	default:
	}
	rd.waiting.Add(1)
	defer rd.waiting.Add(-1)
	t := time.NewTimer(rd.wait)
	defer t.Stop()
	select {
	case b := <-rd.slots:
		return b, nil
	case <-t.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ErrBusy
	}
}

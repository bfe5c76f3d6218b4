package httpbody

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// gatedBody is a request body that says when it is first read and then
// holds every read until released.
type gatedBody struct {
	started chan struct{}
	release chan struct{}
	once    sync.Once
	r       io.Reader
}

func newGatedBody(n int) *gatedBody {
	return &gatedBody{started: make(chan struct{}), release: make(chan struct{}), r: bytes.NewReader(bytes.Repeat([]byte("x"), n))}
}

func (b *gatedBody) Read(p []byte) (int, error) {
	b.once.Do(func() { close(b.started) })
	<-b.release
	return b.r.Read(p)
}

func (b *gatedBody) Close() error { return nil }

func (b *gatedBody) isStarted() bool {
	select {
	case <-b.started:
		return true
	default:
		return false
	}
}

// untouched is a body that must not be read.
type untouched struct{ t *testing.T }

func (u untouched) Read([]byte) (int, error) {
	u.t.Error("the body was read")
	return 0, io.EOF
}

func (u untouched) Close() error { return nil }

func request(ctx context.Context, body io.ReadCloser, length int64) *http.Request {
	r := httptest.NewRequestWithContext(ctx, http.MethodPost, "/", nil)
	r.Body, r.ContentLength = body, length
	return r
}

type readResult struct {
	body []byte
	err  error
}

func accept([]byte) error { return nil }

func readAsync(rd *Reader, r *http.Request, limit int64) <-chan readResult {
	c := make(chan readResult, 1)
	go func() {
		b, err := rd.Read(httptest.NewRecorder(), r, limit, "", accept)
		c <- readResult{b, err}
	}()
	return c
}

// patient returns a Reader whose bodies wait for a slot as long as the
// test needs, so that a loaded machine cannot turn a wait into ErrBusy.
func patient(slots int) *Reader {
	rd := New(slots)
	rd.wait = time.Hour
	return rd
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		runtime.Gosched()
	}
}

// TestLargeBodiesAreReadAFewAtATime holds two large bodies in their slots
// and shows a third waiting, unread, until one of them is done.
func TestLargeBodiesAreReadAFewAtATime(t *testing.T) {
	rd := patient(2)
	const n = Small + 1
	a, b, c := newGatedBody(n), newGatedBody(n), newGatedBody(n)
	ra := readAsync(rd, request(t.Context(), a, n), 1<<20)
	<-a.started
	rb := readAsync(rd, request(t.Context(), b, n), 1<<20)
	<-b.started
	rc := readAsync(rd, request(t.Context(), c, n), 1<<20)
	waitFor(t, "the third body waits for a slot", func() bool { return rd.Waiting() == 1 })
	if c.isStarted() {
		t.Fatal("a third large body was read while two held the slots")
	}
	close(a.release)
	if got := <-ra; got.err != nil || len(got.body) != n {
		t.Fatalf("first body: %d bytes, %v", len(got.body), got.err)
	}
	<-c.started // the freed slot goes to the waiting body
	close(b.release)
	close(c.release)
	for i, r := range []<-chan readResult{rb, rc} {
		if got := <-r; got.err != nil || len(got.body) != n {
			t.Errorf("body %d: %d bytes, %v", i+2, len(got.body), got.err)
		}
	}
	if rd.Waiting() != 0 || len(rd.slots) != cap(rd.slots) {
		t.Errorf("after the reads: %d waiting, %d slots held", rd.Waiting(), cap(rd.slots)-len(rd.slots))
	}
}

// TestSmallBodiesDoNotWaitBehindLargeOnes fills every slot with a large
// body that does not arrive and reads a small one meanwhile.
func TestSmallBodiesDoNotWaitBehindLargeOnes(t *testing.T) {
	rd := patient(1)
	large := newGatedBody(Small + 1)
	rl := readAsync(rd, request(t.Context(), large, Small+1), 1<<20)
	<-large.started
	small := "command=%2Fwhy&text=heat"
	got, err := rd.Read(httptest.NewRecorder(), request(t.Context(), io.NopCloser(strings.NewReader(small)), int64(len(small))), 1<<20, "", accept)
	if err != nil || string(got) != small {
		t.Errorf("small body: %q, %v", got, err)
	}
	close(large.release)
	if r := <-rl; r.err != nil {
		t.Errorf("large body: %v", r.err)
	}
}

func TestTooLarge(t *testing.T) {
	rd := New(1)
	if _, err := rd.Read(httptest.NewRecorder(), request(t.Context(), untouched{t}, 1001), 1000, "", accept); !errors.Is(err, ErrTooLarge) {
		t.Errorf("a Content-Length over the limit: %v, want ErrTooLarge without reading", err)
	}
	over := io.NopCloser(bytes.NewReader(make([]byte, 1001)))
	if _, err := rd.Read(httptest.NewRecorder(), request(t.Context(), over, -1), 1000, "", accept); !errors.Is(err, ErrTooLarge) {
		t.Errorf("an unknown length over the limit: %v, want ErrTooLarge", err)
	}
	exact := io.NopCloser(bytes.NewReader(make([]byte, 1000)))
	if b, err := rd.Read(httptest.NewRecorder(), request(t.Context(), exact, -1), 1000, "", accept); err != nil || len(b) != 1000 {
		t.Errorf("an unknown length at the limit: %d bytes, %v", len(b), err)
	}
	if len(rd.slots) != cap(rd.slots) {
		t.Errorf("%d slots still held", cap(rd.slots)-len(rd.slots))
	}
}

// TestCheck: the check sees the prefix and the body, in that order; a
// body it accepts is returned, one it refuses is not.
func TestCheck(t *testing.T) {
	rd := New(1)
	refused := errors.New("bad signature")
	for _, n := range []int{100, Small + 100} {
		body := bytes.Repeat([]byte("b"), n)
		var seen []byte
		check := func(signed []byte) error {
			seen = bytes.Clone(signed)
			if bytes.HasSuffix(signed, []byte("!")) {
				return refused
			}
			return nil
		}
		got, err := rd.Read(httptest.NewRecorder(), request(t.Context(), io.NopCloser(bytes.NewReader(body)), int64(n)), 1<<20, "v0:123:", check)
		if err != nil || !bytes.Equal(got, body) || string(seen) != "v0:123:"+string(body) {
			t.Errorf("%d bytes: got %d bytes, %v; the check saw %.20q…", n, len(got), err, seen)
		}
		body[n-1] = '!'
		got, err = rd.Read(httptest.NewRecorder(), request(t.Context(), io.NopCloser(bytes.NewReader(body)), int64(n)), 1<<20, "v0:123:", check)
		if !errors.Is(err, refused) || got != nil {
			t.Errorf("%d bytes, refused: got %d bytes, %v", n, len(got), err)
		}
	}
}

// nowhere is a ResponseWriter that keeps nothing.
type nowhere struct{}

func (nowhere) Header() http.Header         { return http.Header{} }
func (nowhere) Write(b []byte) (int, error) { return len(b), nil }
func (nowhere) WriteHeader(int)             {}

// TestRefusingAllocatesLittle refuses large forged bodies over and over:
// they are read into the slot's buffer, which stays, so the garbage
// collector has next to nothing to do. Without the reuse each would cost
// its size.
func TestRefusingAllocatesLittle(t *testing.T) {
	rd := New(1)
	body := bytes.Repeat([]byte("f"), 200<<10)
	refuse := func([]byte) error { return errors.New("forged") }
	r := request(t.Context(), nil, int64(len(body)))
	read := func() {
		r.Body = io.NopCloser(bytes.NewReader(body))
		if _, err := rd.Read(nowhere{}, r, 256<<10, "1700000000", refuse); err == nil {
			t.Fatal("accepted")
		}
	}
	read() // grows the slot's buffer
	const runs = 50
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		read()
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 4<<10 {
		t.Errorf("refusing a %d KiB body allocates %d bytes, want next to nothing", len(body)>>10, per)
	}
}

// TestBusy: a large body whose request ends while it waits for a slot
// gets ErrBusy, unread.
func TestBusy(t *testing.T) {
	rd := patient(1)
	held := newGatedBody(Small + 1)
	rh := readAsync(rd, request(t.Context(), held, Small+1), 1<<20)
	<-held.started
	ctx, cancel := context.WithCancel(t.Context())
	rw := readAsync(rd, request(ctx, untouched{t}, Small+1), 1<<20)
	waitFor(t, "the second body waits for a slot", func() bool { return rd.Waiting() == 1 })
	cancel()
	if r := <-rw; !errors.Is(r.err, ErrBusy) {
		t.Errorf("got %v, want ErrBusy", r.err)
	}
	close(held.release)
	<-rh
}

// Package holdgate lets the test fakes of Discord and Slack hold posts at
// the door or their answers on the way back, and lose answers: a test
// kills a process while its posts wait, a post whose client has gone by
// the time the door opens delivers nothing, like a request that never
// reached the platform, and a post whose answer is held or lost is in the
// channel though its client never heard so.
package holdgate

import (
	"net/http"
	"sync"
)

// Gate holds requests while it is closed. The zero Gate is open. Its
// methods are safe for concurrent use.
type Gate struct {
	mu      sync.Mutex
	closed  chan struct{} // nil while open
	held    int
	changed func() // called, without the lock, when held changes
}

// OnChange sets a function called whenever the number of held requests
// changes, for fakes that wake their waiters.
func (g *Gate) OnChange(f func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.changed = f
}

// Hold closes the gate until release is called.
func (g *Gate) Hold() (release func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	closed := make(chan struct{})
	g.closed = closed
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			if g.closed == closed {
				g.closed = nil
			}
			g.mu.Unlock()
			close(closed)
		})
	}
}

// Pass waits while the gate is closed. It returns false when r's client
// went away meanwhile: the request must then deliver nothing.
func (g *Gate) Pass(r *http.Request) bool {
	g.mu.Lock()
	closed := g.closed
	if closed != nil {
		g.held++
	}
	changed := g.changed
	g.mu.Unlock()
	if closed == nil {
		return true
	}
	if changed != nil {
		changed()
	}
	select {
	case <-closed:
	case <-r.Context().Done():
	}
	g.mu.Lock()
	g.held--
	g.mu.Unlock()
	if changed != nil {
		changed()
	}
	return r.Context().Err() == nil
}

// Held counts the requests waiting at the gate.
func (g *Gate) Held() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.held
}

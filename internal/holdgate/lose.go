package holdgate

import (
	"net"
	"net/http"
)

// Loss is how a fake loses its answer to a post it has taken: the
// platform has the message, the client never hears so.
type Loss int

const (
	// Reset resets the connection instead of answering.
	Reset Loss = iota + 1
	// Late answers only once the client has stopped waiting (its
	// timeout), so the answer goes nowhere.
	Late
)

// Lose loses the answer to r as l says. Call it once the post is taken,
// and write nothing after it.
func Lose(w http.ResponseWriter, r *http.Request, l Loss) {
	switch l {
	case Reset:
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(http.ErrAbortHandler) // the server drops the connection instead
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			tc.SetLinger(0) // close with a reset, not a goodbye
		}
		conn.Close()
	case Late:
		<-r.Context().Done()
	}
}

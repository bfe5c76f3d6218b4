package httpbody

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// Error answers a request whose body Read refused for a reason of its own:
// 413 for ErrTooLarge, 503 with Retry-After for ErrBusy, and 400 for a
// body that could not be read. The check's errors (a bad signature) are
// the caller's to answer.
func Error(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, ErrTooLarge):
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
	case errors.Is(err, ErrBusy):
		w.Header().Set("Retry-After", "1")
		http.Error(w, "busy", http.StatusServiceUnavailable)
	default:
		http.Error(w, "cannot read the request body", http.StatusBadRequest)
	}
}

// WriteJSON writes v as the whole answer: JSON with its Content-Length, so
// that net/http sends it in one piece instead of chunked (which costs both
// ends a write and a read more), flushed at once. more says that the
// handler goes on working after the answer (a deferral, follow-ups): the
// answer then closes its connection, since net/http reads no next request
// on it until the handler returns, and a client that reused it would wait.
// A value that cannot be encoded is answered with a 500.
func WriteJSON(w http.ResponseWriter, v any, more bool) error {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error: cannot encode the answer", http.StatusInternalServerError)
		return fmt.Errorf("encoding the answer: %w", err)
	}
	return WriteEncoded(w, b, more)
}

// WriteEncoded writes b, JSON already encoded, as WriteJSON writes the
// encoding of a value.
func WriteEncoded(w http.ResponseWriter, b []byte, more bool) error {
	h := w.Header()
	h["Content-Type"] = contentJSON
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	if more {
		h["Connection"] = connectionClose
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("writing the answer: %w", err)
	}
	return http.NewResponseController(w).Flush()
}

// Header values WriteEncoded sets, shared by every answer: net/http only
// reads them.
var (
	contentJSON     = []string{"application/json"}
	connectionClose = []string{"close"}
)

// Ack answers with an empty 200 while the handler goes on working: whole
// (Content-Length: 0), flushed, and closing its connection as WriteJSON
// does when more is set.
func Ack(w http.ResponseWriter) error {
	w.Header().Set("Content-Length", "0")
	w.Header().Set("Connection", "close")
	w.WriteHeader(http.StatusOK)
	return http.NewResponseController(w).Flush()
}

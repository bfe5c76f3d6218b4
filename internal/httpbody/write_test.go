package httpbody

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestError(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		code       int
		retryAfter string
	}{
		{"too large", ErrTooLarge, http.StatusRequestEntityTooLarge, ""},
		{"too large, wrapped", fmt.Errorf("reading: %w", ErrTooLarge), http.StatusRequestEntityTooLarge, ""},
		{"busy", ErrBusy, http.StatusServiceUnavailable, "1"},
		{"unreadable", fmt.Errorf("unexpected EOF"), http.StatusBadRequest, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			Error(rec, tc.err)
			if rec.Code != tc.code || rec.Header().Get("Retry-After") != tc.retryAfter {
				t.Errorf("got %d, Retry-After %q; want %d, %q", rec.Code, rec.Header().Get("Retry-After"), tc.code, tc.retryAfter)
			}
		})
	}
}

func TestWriteJSON(t *testing.T) {
	for _, more := range []bool{false, true} {
		t.Run(fmt.Sprint("more=", more), func(t *testing.T) {
			rec := httptest.NewRecorder()
			if err := WriteJSON(rec, map[string]int{"type": 4}, more); err != nil {
				t.Fatal(err)
			}
			h := rec.Result().Header
			if got, want := rec.Body.String(), `{"type":4}`; got != want {
				t.Errorf("body = %s, want %s", got, want)
			}
			if h.Get("Content-Type") != "application/json" || h.Get("Content-Length") != "10" {
				t.Errorf("Content-Type %q, Content-Length %q; want application/json, 10", h.Get("Content-Type"), h.Get("Content-Length"))
			}
			if got, want := h.Get("Connection") == "close", more; got != want {
				t.Errorf("Connection: close = %v, want %v", got, want)
			}
			if !rec.Flushed {
				t.Error("not flushed")
			}
		})
	}
	rec := httptest.NewRecorder()
	if err := WriteJSON(rec, func() {}, false); err == nil || rec.Code != http.StatusInternalServerError {
		t.Errorf("a value JSON cannot hold: err %v, status %d; want an error and 500", err, rec.Code)
	}
}

func TestAck(t *testing.T) {
	rec := httptest.NewRecorder()
	if err := Ack(rec); err != nil {
		t.Fatal(err)
	}
	h := rec.Result().Header
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 || h.Get("Content-Length") != "0" || h.Get("Connection") != "close" || !rec.Flushed {
		t.Errorf("got %d %q, headers %v, flushed %v; want an empty, flushed 200 that closes the connection", rec.Code, rec.Body.String(), h, rec.Flushed)
	}
}

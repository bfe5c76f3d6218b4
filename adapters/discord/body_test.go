package discord

import (
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// untouched is a request body that fails the test when read.
type untouched struct{ t *testing.T }

func (u untouched) Read([]byte) (int, error) {
	u.t.Error("the body was read")
	return 0, io.EOF
}

func (u untouched) Close() error { return nil }

// TestHTTPChecksHeadersBeforeTheBody sends interactions whose signature
// headers are missing, malformed or stale, with bodies of any size: each
// gets 401 without a byte of its body read. A body that says it is over
// MaxBody is refused unread too.
func TestHTTPChecksHeadersBeforeTheBody(t *testing.T) {
	t.Parallel()
	h := startHTTP(t, harnessConfig{})
	ts := strconv.FormatInt(h.now.Unix(), 10)
	sig := hex.EncodeToString(make([]byte, 64)) // well-formed, and wrong
	header := func(sig, ts string) http.Header {
		hd := http.Header{}
		hd.Set("Content-Type", "application/json")
		if sig != "" {
			hd.Set("X-Signature-Ed25519", sig)
		}
		if ts != "" {
			hd.Set("X-Signature-Timestamp", ts)
		}
		return hd
	}
	tests := []struct {
		name   string
		header http.Header
		length int64
		want   int
	}{
		{"no headers", header("", ""), 1 << 20, http.StatusUnauthorized},
		{"no timestamp", header(sig, ""), 1000, http.StatusUnauthorized},
		{"no signature", header("", ts), 1000, http.StatusUnauthorized},
		{"signature too short", header(sig[:64], ts), 1000, http.StatusUnauthorized},
		{"signature too long", header(sig+"00", ts), 1000, http.StatusUnauthorized},
		{"signature not hex", header(strings.Repeat("z", 128), ts), 1000, http.StatusUnauthorized},
		{"timestamp not a number", header(sig, "now"), 1000, http.StatusUnauthorized},
		{"six minutes old", header(sig, strconv.FormatInt(h.now.Add(-6*time.Minute).Unix(), 10)), 1000, http.StatusUnauthorized},
		{"six minutes ahead", header(sig, strconv.FormatInt(h.now.Add(6*time.Minute).Unix(), 10)), 1000, http.StatusUnauthorized},
		{"well-formed but over MaxBody", header(sig, ts), MaxBody + 1, http.StatusRequestEntityTooLarge},
	}
	handler := h.a.Handler()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequestWithContext(waitCtx(t), http.MethodPost, InteractionsPath, nil)
			req.Header, req.Body, req.ContentLength = tc.header, untouched{t}, tc.length
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Errorf("status = %d, want %d", rec.Code, tc.want)
			}
		})
	}
}

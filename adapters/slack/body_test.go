package slack_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/adapters/slack/slacktest"
	"github.com/industrybot/industrybot/bot/bottest"
)

// TestHTTPChecksHeadersBeforeTheBody sends requests whose signature
// headers are missing, malformed or stale, with bodies of any size: each
// gets 401 and no detail without a byte of its body read. A body that says
// it is too long for its route is refused unread too.
func TestHTTPChecksHeadersBeforeTheBody(t *testing.T) {
	r := newHTTPRig(t, bottest.Bot(t))
	ts := strconv.FormatInt(testNow.Unix(), 10)
	goodSig := slacktest.Sign(testSecret, ts, []byte("x"))
	header := func(ts, sig string) http.Header {
		h := http.Header{}
		h.Set("Content-Type", "application/x-www-form-urlencoded")
		if ts != "" {
			h.Set(slack.HeaderTimestamp, ts)
		}
		if sig != "" {
			h.Set(slack.HeaderSignature, sig)
		}
		return h
	}
	routes := []struct {
		name  string
		path  string
		limit int64
	}{
		{"commands", slack.CommandsPath, slack.MaxCommandBody},
		{"interactions", slack.InteractionsPath, slack.MaxInteractionBody},
	}
	send := func(t *testing.T, path string, hdr http.Header, length int64) *httptest.ResponseRecorder {
		req := httptest.NewRequestWithContext(testCtx(t), http.MethodPost, path, nil)
		req.Header, req.Body, req.ContentLength = hdr, untouched{t}, length
		rec := httptest.NewRecorder()
		r.a.Handler().ServeHTTP(rec, req)
		return rec
	}
	unsigned := []struct {
		name   string
		header http.Header
	}{
		{"no headers", header("", "")},
		{"no timestamp", header("", goodSig)},
		{"no signature", header(ts, "")},
		{"timestamp not a number", header("soon", goodSig)},
		{"stale", header(strconv.FormatInt(testNow.Add(-6*time.Minute).Unix(), 10), goodSig)},
		{"from the future", header(strconv.FormatInt(testNow.Add(6*time.Minute).Unix(), 10), goodSig)},
		{"signature without v0=", header(ts, strings.TrimPrefix(goodSig, "v0="))},
		{"signature too short", header(ts, goodSig[:40])},
		{"signature too long", header(ts, goodSig+"00")},
		{"signature not hex", header(ts, "v0="+strings.Repeat("z", 64))},
	}
	for _, route := range routes {
		for _, tc := range unsigned {
			t.Run(route.name+"/"+tc.name, func(t *testing.T) {
				rec := send(t, route.path, tc.header, 1<<20)
				if rec.Code != http.StatusUnauthorized || rec.Body.Len() != 0 {
					t.Errorf("got %d %q, want 401 and no detail", rec.Code, rec.Body)
				}
			})
		}
		t.Run(route.name+"/too long", func(t *testing.T) {
			if rec := send(t, route.path, header(ts, goodSig), route.limit+1); rec.Code != http.StatusRequestEntityTooLarge {
				t.Errorf("got %d, want 413", rec.Code)
			}
		})
	}
}

// untouched is a request body that fails the test when read.
type untouched struct{ t *testing.T }

func (u untouched) Read([]byte) (int, error) {
	u.t.Error("the body was read")
	return 0, io.EOF
}

func (u untouched) Close() error { return nil }

package discord

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/industrybot/industrybot/adapters/discord/discordtest"
	"github.com/industrybot/industrybot/bot"
)

func TestHTTPPingIsPonged(t *testing.T) {
	t.Parallel()
	h := startHTTP(t, harnessConfig{})
	code, body := h.post(t, h.f.Ping())
	if code != http.StatusOK || string(body) != `{"type":1}` {
		t.Errorf("got %d %s, want 200 {\"type\":1}", code, body)
	}
}

// TestHTTPRefusesWhatDiscordDidNotSign covers the requests Discord sends on
// purpose to check an endpoint, and worse: every one must get 401 and no
// answer; too big a body gets 413.
func TestHTTPRefusesWhatDiscordDidNotSign(t *testing.T) {
	t.Parallel()
	h := startHTTP(t, harnessConfig{})
	c := (&channels{}).next(testGuild)
	body, err := json.Marshal(h.f.Command(c, "help"))
	if err != nil {
		t.Fatal(err)
	}
	url := h.srv.URL + "/discord/interactions"
	other := discordtest.NewSigner()
	signed := func(k *discordtest.Signer, b []byte, ts time.Time) *http.Request {
		req, err := k.Request(url, b, ts)
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
	tests := []struct {
		name string
		req  func() *http.Request
		want int
	}{
		{"signed", func() *http.Request { return signed(h.signer, body, h.now) }, http.StatusOK},
		{"four minutes old", func() *http.Request { return signed(h.signer, body, h.now.Add(-4*time.Minute)) }, http.StatusOK},
		{"unsigned", func() *http.Request {
			req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
			return req
		}, http.StatusUnauthorized},
		{"no timestamp", func() *http.Request {
			req := signed(h.signer, body, h.now)
			req.Header.Del("X-Signature-Timestamp")
			return req
		}, http.StatusUnauthorized},
		{"signature not hex", func() *http.Request {
			req := signed(h.signer, body, h.now)
			req.Header.Set("X-Signature-Ed25519", "zz"+req.Header.Get("X-Signature-Ed25519")[2:])
			return req
		}, http.StatusUnauthorized},
		{"signature too short", func() *http.Request {
			req := signed(h.signer, body, h.now)
			req.Header.Set("X-Signature-Ed25519", req.Header.Get("X-Signature-Ed25519")[:64])
			return req
		}, http.StatusUnauthorized},
		{"another key", func() *http.Request { return signed(other, body, h.now) }, http.StatusUnauthorized},
		{"body changed after signing", func() *http.Request {
			req := signed(h.signer, body, h.now)
			changed := bytes.Replace(body, []byte(`"help"`), []byte(`"why"`), 1)
			req.Body = nopCloser{bytes.NewReader(changed)}
			req.ContentLength = int64(len(changed))
			return req
		}, http.StatusUnauthorized},
		{"timestamp changed after signing", func() *http.Request {
			req := signed(h.signer, body, h.now)
			req.Header.Set("X-Signature-Timestamp", "1"+req.Header.Get("X-Signature-Timestamp"))
			return req
		}, http.StatusUnauthorized},
		{"six minutes old", func() *http.Request { return signed(h.signer, body, h.now.Add(-6*time.Minute)) }, http.StatusUnauthorized},
		{"six minutes ahead", func() *http.Request { return signed(h.signer, body, h.now.Add(6*time.Minute)) }, http.StatusUnauthorized},
		{"oversized", func() *http.Request {
			big := append(bytes.Repeat([]byte(" "), MaxBody), body...)
			return signed(h.signer, big, h.now)
		}, http.StatusRequestEntityTooLarge},
		{"oversized without a length", func() *http.Request {
			big := append(bytes.Repeat([]byte(" "), MaxBody), body...)
			req := signed(h.signer, big, h.now)
			req.Body = nopCloser{bytes.NewReader(big)}
			req.ContentLength = -1
			return req
		}, http.StatusRequestEntityTooLarge},
		{"signed but not an interaction", func() *http.Request { return signed(h.signer, []byte("not json"), h.now) }, http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, got := do(t, tc.req())
			if code != tc.want {
				t.Fatalf("HTTP %d %s, want %d", code, got, tc.want)
			}
			if code == http.StatusUnauthorized && strings.TrimSpace(string(got)) != "invalid request signature" {
				t.Errorf("401 body = %q, want no detail", got)
			}
		})
	}
	t.Run("GET", func(t *testing.T) {
		code, _ := do(t, mustRequest(t, http.MethodGet, url))
		if code != http.StatusMethodNotAllowed {
			t.Errorf("GET: HTTP %d, want 405", code)
		}
	})
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestHTTPSlowAnswerFreesTheConnection: the deferral of a slow command
// closes its connection, so a client that sends the next interaction
// does not wait behind the slow one for a connection net/http has not
// yet freed.
func TestHTTPSlowAnswerFreesTheConnection(t *testing.T) {
	t.Parallel()
	h := &slowHandler{release: make(chan struct{}), reply: bot.Reply{Text: "late"}}
	hs := startHTTP(t, harnessConfig{handler: h, deferAfter: 1})
	defer close(h.release)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}, Timeout: 2 * time.Second}
	defer client.CloseIdleConnections()
	send := func(v any) (*http.Response, []byte) {
		t.Helper()
		req, err := hs.signer.Request(hs.srv.URL+"/discord/interactions", v, hs.now)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("while a slow command runs: %v", err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}
	resp, body := send(hs.f.Command((&channels{}).next(testGuild), "random"))
	if w := decode(t, body); w.Type != int(discordgo.InteractionResponseDeferredChannelMessageWithSource) || !resp.Close {
		t.Fatalf("got type %d, Connection: close %v; want a deferral that closes the connection", w.Type, resp.Close)
	}
	if _, body := send(hs.f.Ping()); string(body) != `{"type":1}` {
		t.Errorf("a ping behind the slow command: %s", body)
	}
}

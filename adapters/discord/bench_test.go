package discord

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/industrybot/industrybot/bot/bottest"
)

// BenchmarkHTTPInteraction is the adapter's own cost of one signed HTTP
// interaction, without a network: verifying, decoding, the bot and the
// answer written, for the load test's Discord mix (cmd/loadtest) in turn.
// The Verify sub-benchmark is crypto/ed25519 alone, to subtract.
func BenchmarkHTTPInteraction(b *testing.B) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	s, err := NewSession(SessionConfig{APIURL: "http://127.0.0.1:1"}) // nothing is followed up
	if err != nil {
		b.Fatal(err)
	}
	a, err := New(Config{Handler: bottest.Bot(b), Engine: bottest.Engine(b), Session: s, Mode: ModeHTTP, PublicKey: pub})
	if err != nil {
		b.Fatal(err)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	type req struct {
		body []byte
		sig  string
	}
	var reqs []req
	asks := [][3]string{{"recommend", "query", "something tense"}, {"recommend", "query", "british comedy"}, {"why", "title", "heat"}, {"why", "title", "mad man"}, {"random", "kind", "film"}, {"recommend", "query", "like Succession"}}
	for ch := range 8 {
		for i, c := range asks {
			body, _ := json.Marshal(map[string]any{
				"id": fmt.Sprint(1000 + i*10 + ch), "application_id": "1", "type": 2, "token": "interaction-token", "version": 1,
				"channel_id": fmt.Sprint(500 + ch), "guild_id": "42",
				"member": map[string]any{"user": map[string]any{"id": fmt.Sprint(77 + i), "username": "load"}, "permissions": "0"},
				"data":   map[string]any{"id": "9", "name": c[0], "type": 1, "options": []any{map[string]any{"name": c[1], "type": 3, "value": c[2]}}},
			})
			reqs = append(reqs, req{body, hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...)))})
		}
	}
	h := a.Handler()
	b.Run("Handler", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			r := reqs[n%len(reqs)]
			n++
			hr := httptest.NewRequest(http.MethodPost, InteractionsPath, bytes.NewReader(r.body))
			hr.Header.Set("Content-Type", "application/json")
			hr.Header.Set("X-Signature-Timestamp", ts)
			hr.Header.Set("X-Signature-Ed25519", r.sig)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, hr)
			if w.Code != http.StatusOK {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
		}
	})
	b.Run("Verify", func(b *testing.B) {
		n := 0
		for b.Loop() {
			r := reqs[n%len(reqs)]
			n++
			sig, _ := hex.DecodeString(r.sig)
			if !ed25519.Verify(pub, append([]byte(ts), r.body...), sig) {
				b.Fatal("bad signature")
			}
		}
	})
}

package discord

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	industrybot "github.com/industrybot/industrybot"
	"github.com/industrybot/industrybot/adapters/discord/discordtest"
	"github.com/industrybot/industrybot/bot"
)

// FuzzInteraction sends the HTTP interactions route arbitrary bodies,
// signed at a fuzzed time or not at all. Nothing may panic; a refusal is a
// 401; a fresh, signed request gets an answer (200 with JSON) or a 400 for
// what is not an interaction, and never hangs. Follow-ups go to a closed
// port on 127.0.0.1, so nothing leaves the machine. Seeds are in
// testdata/fuzz.
func FuzzInteraction(f *testing.F) {
	f.Add([]byte(`{"type":1,"id":"1","token":"t","application_id":"9"}`), int64(0), true)
	f.Add([]byte(`{"type":2,"id":"2","token":"t","application_id":"9","channel_id":"5","guild_id":"6","member":{"user":{"id":"7"},"permissions":"32"},"data":{"name":"recommend","type":1,"options":[{"name":"query","type":3,"value":"talky"}]}}`), int64(0), true)
	f.Add([]byte(`{"type":2,"id":"3","token":"t","channel_id":"5","user":{"id":"7"},"data":{"name":"daily","type":1,"options":[{"name":"subscribe","type":1,"options":[{"name":"time","type":3,"value":"9:99"}]}]}}`), int64(0), true)
	f.Add([]byte(`{"type":3,"id":"4","token":"t","channel_id":"5","user":{"id":"7"},"data":{"custom_id":"ib1:why::heat","component_type":2}}`), int64(0), true)
	f.Add([]byte(`{"type":4,"id":"5","token":"t","data":{"name":"why","options":[{"name":"title","type":3,"value":"mad m","focused":true}]}}`), int64(0), true)
	f.Add([]byte(`{"type":2,"data":{"name":"why","options":[{"name":"title","type":4,"value":12}]}}`), int64(-301), true)
	f.Add([]byte(`{"type":99}`), int64(0), true)
	f.Add([]byte(`{`), int64(0), false)
	cat, err := bot.ParseCatalog(industrybot.CatalogJSON())
	if err != nil {
		f.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	engine := bot.NewEngine(cat, bot.WithRand(r.IntN))
	b := bot.New(bot.Config{Engine: engine, Memory: bot.NewMemoryStore()})
	sess, err := NewSession(SessionConfig{APIURL: "http://127.0.0.1:1"})
	if err != nil {
		f.Fatal(err)
	}
	signer := discordtest.NewSigner()
	now := time.Unix(1_700_000_000, 0)
	f.Fuzz(func(t *testing.T, body []byte, skew int64, sign bool) {
		a, err := New(Config{Handler: b, Titles: engine, REST: sess, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		skew %= 1e6
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req := httptest.NewRequestWithContext(ctx, "POST", "/discord/interactions", bytes.NewReader(body))
		if sign {
			signer.Sign(req, body, now.Add(time.Duration(skew)*time.Second))
		}
		rec := httptest.NewRecorder()
		a.Interactions(signer.Public).ServeHTTP(rec, req)
		fresh := sign && skew >= -300 && skew <= 300
		switch {
		case ctx.Err() != nil:
			t.Fatalf("no answer within 10 seconds to %q", body)
		case !fresh && rec.Code != http.StatusUnauthorized:
			t.Errorf("%d for a request that is unsigned or out of its time", rec.Code)
		case fresh && rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest:
			t.Errorf("%d for a signed, fresh request", rec.Code)
		case rec.Code == http.StatusOK && !bytes.HasPrefix(rec.Body.Bytes(), []byte(`{"type":`)):
			t.Errorf("answer %q is not an interaction response", rec.Body.String())
		}
		if err := a.Wait(ctx); err != nil {
			t.Errorf("follow-ups still running: %v", err)
		}
	})
}

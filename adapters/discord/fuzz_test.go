package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/industrybot/industrybot/adapters/discord/discordtest"
	"github.com/industrybot/industrybot/bot/bottest"
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
	f.Add([]byte(`{"type":3,"id":"8","token":"t","channel":{"id":"5","type":3},"context":2,"authorizing_integration_owners":{"1":"7"},"user":{"id":"7"},"data":{"custom_id":"ib1:why::heat","component_type":2},"message":{"id":"1","flags":"222","components":[{"type":1000000000}]}}`), int64(0), true)
	f.Add([]byte(`{"type":2,"id":"9","token":"t","guild_id":"6","app_permissions":"19456","member":{"user":{"id":"7"},"permissions":"32"},"data":{"name":"daily","options":[{"name":"subscribe","type":1,"options":[{"name":"mention","type":8,"value":"4"},{"name":"thread","type":5,"value":true}]}],"resolved":{"roles":{"4":{"name":"r","mentionable":"no"}}}}}`), int64(0), true)
	f.Add([]byte(`{`), int64(0), false)
	f.Add([]byte(`{"type":2,"id":"6","token":"t","channel_id":"5","user":{"id":"7"},"data":{"name":"recommend","options":[{"name":"query","type":3,"value":"tense https://evil.example <@1>"}]}}`), int64(0), true)
	f.Add([]byte(`{"type":2,"id":"7","token":"t","channel_id":"5","user":{"id":"7"},"data":{"name":"why","options":[{"name":"title","type":3,"value":"www.evil.example\u202e"},{"name":"x","type":5,"value":true}]}}`), int64(0), true)
	b := bottest.Bot(f)
	sess, err := NewSession(SessionConfig{APIURL: "http://127.0.0.1:1"})
	if err != nil {
		f.Fatal(err)
	}
	signer := discordtest.NewSigner()
	now := time.Unix(1_700_000_000, 0)
	f.Fuzz(func(t *testing.T, body []byte, skew int64, sign bool) {
		var errs errorLog
		a, err := New(Config{Handler: b, Engine: b.Engine(), Session: sess, Mode: ModeHTTP, PublicKey: signer.Public, Now: func() time.Time { return now }, Logger: slog.New(&errs)})
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
		a.Handler().ServeHTTP(rec, req)
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
		if err := a.Drain(ctx); err != nil {
			t.Errorf("follow-ups still running: %v", err)
		}
		if msg := errs.first(); msg != "" {
			t.Errorf("%q logged an error: %s", body, msg)
		}
		var answer struct {
			Data struct {
				Content string `json:"content"`
			} `json:"data"`
		}
		if rec.Code == http.StatusOK && json.Unmarshal(rec.Body.Bytes(), &answer) == nil && strings.Contains(answer.Data.Content, "://") {
			t.Errorf("the answer's text echoes a link: %q", answer.Data.Content)
		}
	})
}

// errorLog is a slog handler that keeps the first ERROR record: a panic
// recovered while answering, or anything else the adapter calls an error.
type errorLog struct {
	mu  sync.Mutex
	msg string
}

func (l *errorLog) Enabled(_ context.Context, level slog.Level) bool { return level >= slog.LevelError }
func (l *errorLog) WithAttrs([]slog.Attr) slog.Handler               { return l }
func (l *errorLog) WithGroup(string) slog.Handler                    { return l }

func (l *errorLog) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.msg == "" {
		l.msg = r.Message
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "panic" || a.Key == "err" {
				l.msg += ": " + a.Value.String()
			}
			return true
		})
	}
	return nil
}

func (l *errorLog) first() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.msg
}

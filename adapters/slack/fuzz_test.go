package slack_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/adapters/slack/slacktest"
)

// offline is an HTTP client that reaches nothing: a fuzzed response_url
// must not send the test onto the network.
var offline = &http.Client{Transport: nowhere{}}

type nowhere struct{}

func (nowhere) RoundTrip(*http.Request) (*http.Response, error) { return nil, errors.New("offline") }

// FuzzHTTPRequest sends the HTTP routes arbitrary bodies, signed at a
// fuzzed time or not at all. Nothing may panic, the status must be one the
// adapter documents, a refusal must say nothing, and a request signed now
// must never be refused as unsigned. Seeds are in testdata/fuzz.
func FuzzHTTPRequest(f *testing.F) {
	f.Add(false, []byte("command=%2Frecommend&text=something+tense&channel_id=C1&user_id=U1&response_url=http%3A%2F%2F127.0.0.1%3A1%2Fr"), int64(0), true)
	f.Add(false, []byte("command=%2Fwhy&text=&channel_id=C1&user_id=U1"), int64(-301), true)
	f.Add(false, []byte("command=%2Fdaily&text=subscribe+25%3A00&channel_id=C1&user_id=U1"), int64(0), true)
	f.Add(false, []byte("ssl_check=1&token=x"), int64(0), true)
	f.Add(false, []byte("%zz=&&="), int64(0), true)
	f.Add(true, []byte(`payload={"type":"block_actions","actions":[{"value":"ib1:why::heat"}],"channel":{"id":"C1"},"user":{"id":"U1"}}`), int64(0), true)
	f.Add(true, []byte(`payload={"type":"block_actions","actions":[{"value":"ib1:recommend:tv:talky"}],"message":{"blocks":[{"type":"section","block_id":"daily-lead"}]}}`), int64(10), true)
	f.Add(true, []byte("payload=%7B"), int64(0), false)
	b := MustBot(f)
	f.Fuzz(func(t *testing.T, interaction bool, body []byte, skew int64, sign bool) {
		a, err := slack.New(slack.Config{Handler: b, Mode: slack.ModeHTTP, SigningSecret: testSecret, HTTPClient: offline,
			APIURL: "http://127.0.0.1:1/api/", Now: func() time.Time { return testNow }})
		if err != nil {
			t.Fatal(err)
		}
		h, path := a.Commands(), slack.CommandsPath
		if interaction {
			h, path = a.Interactions(), slack.InteractionsPath
		}
		req := httptest.NewRequest("POST", path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		at := testNow.Add(time.Duration(skew%1e6) * time.Second)
		if sign {
			signed, err := slacktest.SignedRequest(context.Background(), "http://x"+path, testSecret, at, body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header = signed.Header
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fresh := sign && skew%1e6 >= -300 && skew%1e6 <= 300
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			if !sign || !fresh {
				t.Errorf("%d for a request %s", rec.Code, map[bool]string{true: "signed out of its time", false: "unsigned"}[sign])
			}
		case http.StatusUnauthorized:
			if fresh {
				t.Errorf("401 for a request signed %ds from now", skew%1e6)
			}
			if rec.Body.Len() != 0 {
				t.Errorf("a refusal with detail: %q", rec.Body.String())
			}
		default:
			t.Errorf("status %d", rec.Code)
		}
		if err := a.Drain(context.Background()); err != nil {
			t.Error(err)
		}
	})
}

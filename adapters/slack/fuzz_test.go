package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/adapters/slack/slacktest"
	"github.com/industrybot/industrybot/bot/bottest"
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
	f.Add(false, []byte("command=%2Frecommend&text=tense+https%3A%2F%2Fevil.example+%3C%21here%3E&channel_id=C1&user_id=U1"), int64(0), true)
	f.Add(false, []byte("command=%2Fda%1A%0Ash&text="+strings.Repeat("x", 600)+"&channel_id=C1&user_id=U1"), int64(0), true)
	f.Add(true, []byte(`payload={"type":"block_actions","actions":[{"value":"ib1:why::heat"}],"channel":{"id":"C1"},"user":{"id":"U1"}}`), int64(0), true)
	f.Add(true, []byte(`payload={"type":"block_actions","actions":[{"value":"ib1:recommend:tv:talky"}],"message":{"blocks":[{"type":"section","block_id":"daily-lead"}]}}`), int64(10), true)
	f.Add(true, []byte("payload=%7B"), int64(0), false)
	b := bottest.Bot(f)
	f.Fuzz(func(t *testing.T, interaction bool, body []byte, skew int64, sign bool) {
		a, err := slack.New(slack.Config{Handler: b, Mode: slack.ModeHTTP, SigningSecret: testSecret, HTTPClient: offline,
			APIURL: "http://127.0.0.1:1/api/", Now: func() time.Time { return testNow }})
		if err != nil {
			t.Fatal(err)
		}
		h, path := a.Handler(), slack.CommandsPath
		if interaction {
			path = slack.InteractionsPath
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
			if rec.Code == http.StatusOK && rec.Body.Len() > 0 {
				checkMessage(t, rec.Body.Bytes())
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

// recorder is an HTTP client's transport that answers every request with
// Slack's {"ok":true} and keeps the bodies: what the adapter sent to a
// response_url, whatever URL the payload named.
type recorder struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
	}
	r.mu.Lock()
	r.bodies = append(r.bodies, body)
	r.mu.Unlock()
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"ok":true}`)), Request: req}, nil
}

// FuzzInteractionPayload sends the interactions route signed, fresh
// requests whose payload is fuzzed JSON: what Slack sends when a button is
// pressed (block_actions), and anything else. Decoding it never panics,
// in the handler or in the answer that follows it; the route answers 200
// or 400 at once; and every answer sent to the response_url is a message
// Slack takes: JSON, at most 50 blocks, each text within its limit.
// Seeds are in testdata/fuzz/FuzzInteractionPayload.
func FuzzInteractionPayload(f *testing.F) {
	for _, p := range []string{
		`{"type":"block_actions","actions":[{"action_id":"ib-1","block_id":"buttons","type":"button","value":"ib1:why::heat"}],"channel":{"id":"C1"},"user":{"id":"U1","name":"u"},"response_url":"https://hooks.slack.com/actions/T1/1/x"}`,
		`{"type":"block_actions","actions":[{"action_id":"ib-1","block_id":"buttons","value":"ib1:recommend:tv:talky"}],"container":{"type":"message","channel_id":"C1"},"user":{"id":"U1","profile":{"display_name":"d"}},"response_url":"https://h/r","message":{"blocks":[{"type":"section","block_id":"daily-lead","text":{"type":"mrkdwn","text":"x"}}]}}`,
		`{"type":"block_actions","actions":[{"action_id":"ib-1","block_id":"buttons","value":"ib1:random::"},{"action_id":"ib-2","block_id":"buttons","value":"ib1:why::girls"}],"channel":{"id":"C1"},"response_url":"https://h/r","message":{"blocks":[{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"b"},"value":"v"}]},{"type":"context","elements":[{"type":"image","image_url":"u","alt_text":"a"},{"type":"mrkdwn","text":"t"}]},{"type":"divider"},{"type":"header","text":{"type":"plain_text","text":"h"}}]}}`,
		`{"type":"block_actions","actions":[{"action_id":"s","block_id":"b","type":"static_select","selected_option":{"text":{"type":"plain_text","text":"o"},"value":"ib1:why::heat"}}],"message":{"blocks":[{"type":"rich_text","elements":[{"type":"rich_text_section","elements":[{"type":"text","text":"x","style":{"bold":true}},{"type":"link","url":"u"},{"type":"user","user_id":"U"},{"type":"emoji","name":"e"}]},{"type":"rich_text_list","style":"bullet","elements":[]}]},{"type":"input","label":{"type":"plain_text","text":"l"},"element":{"type":"plain_text_input"}},{"type":"image","image_url":"u","alt_text":"a"},{"type":"file","external_id":"f","source":"remote"},{"type":"video","title":{"type":"plain_text","text":"v"}}]}}`,
		`{"type":"interactive_message","actions":[{"name":"n","type":"button","value":"ib1:why::heat"}],"callback_id":"c","original_message":{"text":"t","attachments":[{"text":"a","actions":[{"name":"n"}]}]}}`,
		`{"type":"view_submission","view":{"type":"modal","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"x"},"accessory":{"type":"overflow","options":[]}}],"state":{"values":{"b":{"a":{"type":"plain_text_input","value":"v"}}}}}}`,
		`{"type":"shortcut","callback_id":"c","trigger_id":"t"}`,
		`{"type":"message_action","message":{"ts":"1","text":"t","blocks":[{"type":"call","call_id":"c"}]}}`,
		`{"type":"block_actions","actions":[{"block_id":"b","value":"ib1:why::https://evil.example ` + strings.Repeat("x", 2100) + `"}],"response_url":"https://h/r"}`,
		`{"type":"block_actions","actions":null,"message":{"blocks":null}}`,
		`{"type":"block_actions","actions":[{}],"message":{"blocks":[{}]}}`,
		`[]`, `null`, `{"type":7}`,
	} {
		f.Add([]byte(p))
	}
	b := bottest.Bot(f)
	f.Fuzz(func(t *testing.T, payload []byte) {
		rec := &recorder{}
		a, err := slack.New(slack.Config{Handler: b, Mode: slack.ModeHTTP, SigningSecret: testSecret, HTTPClient: &http.Client{Transport: rec},
			APIURL: "http://127.0.0.1:1/api/", Now: func() time.Time { return testNow }})
		if err != nil {
			t.Fatal(err)
		}
		body := []byte("payload=" + url.QueryEscape(string(payload)))
		signed, err := slacktest.SignedRequest(context.Background(), "http://x"+slack.InteractionsPath, testSecret, testNow, body)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("POST", slack.InteractionsPath, bytes.NewReader(body))
		req.Header = signed.Header
		w := httptest.NewRecorder()
		a.Handler().ServeHTTP(w, req)
		if w.Code != http.StatusOK && w.Code != http.StatusBadRequest {
			t.Errorf("status %d for a signed, fresh request", w.Code)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Drain(ctx); err != nil {
			t.Fatalf("the answer to %q did not finish: %v", payload, err)
		}
		for _, sent := range rec.bodies {
			checkMessage(t, sent)
		}
	})
}

// checkMessage fails unless data is a message Slack takes (JSON, at most
// 50 blocks, each text within its limit) whose blocks that may echo the
// user's words (error, lead) show no link.
func checkMessage(t *testing.T, data []byte) {
	t.Helper()
	var m struct {
		Text   string          `json:"text"`
		Blocks slackapi.Blocks `json:"blocks"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Errorf("sent %q: not a message: %v", data, err)
		return
	}
	if n := len(m.Blocks.BlockSet); n > slack.MaxBlocks {
		t.Errorf("a message of %d blocks, over Slack's %d", n, slack.MaxBlocks)
	}
	for _, blk := range m.Blocks.BlockSet {
		s, ok := blk.(*slackapi.SectionBlock)
		if !ok || s.Text == nil {
			continue
		}
		if n := utf8.RuneCountInString(s.Text.Text); n > slack.MaxText {
			t.Errorf("block %s: %d characters, over %d", s.BlockID, n, slack.MaxText)
		}
		if (s.BlockID == "error" || s.BlockID == "lead") && strings.Contains(s.Text.Text, "://") {
			t.Errorf("block %s echoes a link: %q", s.BlockID, s.Text.Text)
		}
	}
}

package slack_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/bot/bottest"
)

// BenchmarkHTTPCommand is the adapter's own cost of one signed slash
// command, without a network: the signature, the form, the bot and the
// answer written, for the load test's Slack /why mix (cmd/loadtest).
func BenchmarkHTTPCommand(b *testing.B) {
	a, err := slack.New(slack.Config{Handler: bottest.Bot(b), Mode: slack.ModeHTTP, SigningSecret: testSecret, Now: func() time.Time { return testNow }})
	if err != nil {
		b.Fatal(err)
	}
	ts := strconv.FormatInt(testNow.Unix(), 10)
	type req struct{ body, sig string }
	var reqs []req
	for ch := range 8 {
		for i, title := range []string{"heat", "the social network", "mad men", "moneyball"} {
			body := url.Values{
				"token": {"x"}, "team_id": {"T1"}, "team_domain": {"load"}, "channel_id": {fmt.Sprintf("C%d", ch)},
				"channel_name": {"load"}, "user_id": {fmt.Sprintf("U%d", i)}, "user_name": {"load"}, "command": {"/why"},
				"text": {title}, "response_url": {"http://127.0.0.1:1/unused"}, "trigger_id": {"1.2.3"},
			}.Encode()
			mac := hmac.New(sha256.New, []byte(testSecret))
			fmt.Fprintf(mac, "v0:%s:%s", ts, body)
			reqs = append(reqs, req{body, "v0=" + hex.EncodeToString(mac.Sum(nil))})
		}
	}
	h := a.Handler()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		r := reqs[n%len(reqs)]
		n++
		hr := httptest.NewRequest(http.MethodPost, slack.CommandsPath, strings.NewReader(r.body))
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		hr.Header.Set("X-Slack-Request-Timestamp", ts)
		hr.Header.Set("X-Slack-Signature", r.sig)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, hr)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "blocks") {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}

package slack_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/adapters/slack/slacktest"
)

// The example of Slack's "Verifying requests from Slack"
// (https://docs.slack.dev/authentication/verifying-requests-from-slack).
const (
	exampleSecret    = "8f742231b10e8888abcd99yyyzzz85a5"
	exampleTimestamp = "1531420618"
	exampleBody      = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	exampleSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

func TestVerifyPublishedExample(t *testing.T) {
	if got := slacktest.Sign(exampleSecret, exampleTimestamp, []byte(exampleBody)); got != exampleSignature {
		t.Errorf("slacktest.Sign = %s, want %s", got, exampleSignature)
	}
	h := http.Header{}
	h.Set(slack.HeaderTimestamp, exampleTimestamp)
	h.Set(slack.HeaderSignature, exampleSignature)
	at := time.Unix(1531420618, 0).Add(30 * time.Second)
	if err := slack.Verify(h, []byte(exampleBody), exampleSecret, at); err != nil {
		t.Errorf("Verify(the published example) = %v, want nil", err)
	}
}

func TestVerify(t *testing.T) {
	body := []byte(exampleBody)
	signedAt := time.Unix(1531420618, 0)
	header := func(ts, sig string) http.Header {
		h := http.Header{}
		if ts != "" {
			h.Set(slack.HeaderTimestamp, ts)
		}
		if sig != "" {
			h.Set(slack.HeaderSignature, sig)
		}
		return h
	}
	tampered := append([]byte(nil), body...)
	tampered[len(tampered)-1] ^= 1
	tests := []struct {
		name   string
		h      http.Header
		body   []byte
		secret string
		now    time.Time
		want   error
	}{
		{"valid", header(exampleTimestamp, exampleSignature), body, exampleSecret, signedAt, nil},
		{"5 minutes late is still fine", header(exampleTimestamp, exampleSignature), body, exampleSecret, signedAt.Add(5 * time.Minute), nil},
		{"5 minutes early is still fine", header(exampleTimestamp, exampleSignature), body, exampleSecret, signedAt.Add(-5 * time.Minute), nil},
		{"unsigned", header("", ""), body, exampleSecret, signedAt, slack.ErrUnsigned},
		{"no timestamp", header("", exampleSignature), body, exampleSecret, signedAt, slack.ErrUnsigned},
		{"no signature", header(exampleTimestamp, ""), body, exampleSecret, signedAt, slack.ErrUnsigned},
		{"no secret configured", header(exampleTimestamp, exampleSignature), body, "", signedAt, slack.ErrUnsigned},
		{"wrong secret", header(exampleTimestamp, exampleSignature), body, "another-secret-0000000000000000", signedAt, slack.ErrBadSignature},
		{"stale", header(exampleTimestamp, exampleSignature), body, exampleSecret, signedAt.Add(5*time.Minute + time.Second), slack.ErrStale},
		{"future", header(exampleTimestamp, exampleSignature), body, exampleSecret, signedAt.Add(-5*time.Minute - time.Second), slack.ErrStale},
		{"tampered body", header(exampleTimestamp, exampleSignature), tampered, exampleSecret, signedAt, slack.ErrBadSignature},
		{"timestamp changed", header("1531420619", exampleSignature), body, exampleSecret, signedAt, slack.ErrBadSignature},
		{"timestamp not a number", header("soon", exampleSignature), body, exampleSecret, signedAt, slack.ErrBadTimestamp},
		{"other version", header(exampleTimestamp, "v1="+exampleSignature[3:]), body, exampleSecret, signedAt, slack.ErrBadSignature},
		{"not hex", header(exampleTimestamp, "v0=zz"+exampleSignature[5:]), body, exampleSecret, signedAt, slack.ErrBadSignature},
		{"truncated", header(exampleTimestamp, exampleSignature[:40]), body, exampleSecret, signedAt, slack.ErrBadSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := slack.Verify(tc.h, tc.body, tc.secret, tc.now)
			if !errors.Is(got, tc.want) || (tc.want == nil) != (got == nil) {
				t.Errorf("Verify = %v, want %v", got, tc.want)
			}
		})
	}
}

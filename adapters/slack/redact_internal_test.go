package slack

import (
	"errors"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{`Post "https://slack.com/api/chat.postMessage": dial tcp: timeout`, `Post "https://slack.com/api/chat.postMessage": dial tcp: timeout`},
		{`Post "https://hooks.slack.com/commands/T1/397700885554/96rGlfmibIGlgcZRskXaIFfN": EOF`, `Post "https://hooks.slack.com/…": EOF`},
		{`dial wss://wss-primary.slack.com/link/?ticket=abc&app_id=A1: refused`, `dial wss://wss-primary.slack.com/…: refused`},
		{`token xoxb-123-456-abcDEF was refused`, `token [redacted token] was refused`},
		{`app xapp-1-A0-1-abc failed`, `app [redacted token] failed`},
		{`secret s3cr3t-value-here leaked`, `secret [redacted] leaked`},
	}
	for _, tc := range tests {
		if got := redact(tc.in, "s3cr3t-value-here"); got != tc.want {
			t.Errorf("redact(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
	base := errors.New("xoxb-1-2-3 refused")
	err := scrub(base)
	if strings.Contains(err.Error(), "xoxb-1") || !errors.Is(err, base) {
		t.Errorf("scrub: %q, Is %v", err, errors.Is(err, base))
	}
}

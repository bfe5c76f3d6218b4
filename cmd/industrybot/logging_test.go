package main

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestRedaction(t *testing.T) {
	r := newRedaction([]string{"s3cr3t-signing", "my-discord-token-value", ""})
	tests := []struct{ in, out string }{
		{"signature with s3cr3t-signing inside", "signature with [REDACTED] inside"},
		{`Post "https://slack.com/api/chat.postMessage?token=xoxb-1234-5678-abcdefgh": EOF`, `Post "https://slack.com/api/chat.postMessage?token=[REDACTED]": EOF`},
		{"app token xapp-1-A0123-456-abcdef", "app token [REDACTED]"},
		{"Authorization: Bot my-discord-token-value", "Authorization: [REDACTED]"},
		{`header map[Authorization:[Bot MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123]]`, `header map[Authorization:[[REDACTED]]]`},
		{"token MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123 leaked", "token [REDACTED] leaked"},
		{"Bearer abcdefghijklmnopqrstuvwxyz", "Bearer [REDACTED]"},
		{"postgres://bot:hunter2@db:5432/x", "postgres://bot:[REDACTED]@db:5432/x"},
		{"nothing secret here: heat (1995)", "nothing secret here: heat (1995)"},
	}
	for _, tc := range tests {
		if got := r.String(tc.in); got != tc.out {
			t.Errorf("%q\n got %q\nwant %q", tc.in, got, tc.out)
		}
	}
}

type tokenErr struct{}

func (tokenErr) Error() string { return "request failed: Authorization: Bot my-discord-token-value" }

func TestLoggerRedactsEverywhere(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		var buf bytes.Buffer
		log := newLogger(&buf, "debug", format, []string{"my-discord-token-value"})
		log = log.With("session", "token=my-discord-token-value")
		log.WithGroup("g").Error("failed with my-discord-token-value",
			"err", fmt.Errorf("wrapped: %w", tokenErr{}),
			"url", "https://x/?t=my-discord-token-value",
			"group", slog.GroupValue(slog.String("inner", "my-discord-token-value")),
			"any", struct{ T string }{"my-discord-token-value"},
			"plain", errors.New("fine"))
		out := buf.String()
		if strings.Contains(out, "my-discord-token-value") {
			t.Errorf("%s: the token is in the log:\n%s", format, out)
		}
		if !strings.Contains(out, "fine") || strings.Count(out, "[REDACTED]") < 6 {
			t.Errorf("%s: expected six redactions and the rest intact:\n%s", format, out)
		}
	}
}

// Attributes given to With are redacted when a record is logged, and keep
// their place: before the record's own, outside any later group.
func TestLoggerWithKeepsOrderAndRedacts(t *testing.T) {
	var buf bytes.Buffer
	log := newLogger(&buf, "info", "text", []string{"s3cret-value"})
	log.With("a", "1").With("b", "s3cret-value").Info("m", "c", "3")
	log.With("a", "1").WithGroup("g").With("b", "2").Info("m", "c", "3")
	log.With("a", "s3cret-value").Debug("below the level")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want two lines, got:\n%s", buf.String())
	}
	for i, want := range []string{"a=1 b=[REDACTED] c=3", "a=1 g.b=2 g.c=3"} {
		if !strings.HasSuffix(lines[i], want) {
			t.Errorf("line %d = %q, want it to end with %q", i, lines[i], want)
		}
	}
}

type counter struct{ n *int }

func (c counter) LogValue() slog.Value { return slog.IntValue(*c.n) }

// A value given to With is the value at the time of With, as with slog's
// own handlers, even though its redaction waits.
func TestLoggerWithResolvesValuesAtOnce(t *testing.T) {
	var buf bytes.Buffer
	n := 1
	log := newLogger(&buf, "info", "text", nil).With("n", counter{&n})
	n = 2
	log.Info("m")
	if !strings.Contains(buf.String(), "n=1") {
		t.Errorf("got %q, want n=1", buf.String())
	}
}

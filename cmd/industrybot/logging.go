package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"strings"
)

// newLogger returns the process's logger: text or JSON on w at level, with
// every secret of cfg, and anything shaped like a token, blanked out of
// messages, attributes and errors alike. SDK errors can carry request URLs
// and headers; this is the last line that keeps them out of the logs.
func newLogger(w io.Writer, level, format string, secrets []string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if format == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(&redactor{next: h, r: newRedaction(secrets)})
}

// redaction blanks secrets out of text.
type redaction struct {
	secrets []string // exact values, longest first
}

// tokenShapes match credentials whatever their source: Slack tokens,
// Discord bot tokens, Authorization headers and passwords in URLs. Each
// keeps what its replacement names ($1) and blanks the rest.
var tokenShapes = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`xox[abposr]-[A-Za-z0-9-]{8,}`), blank},
	{regexp.MustCompile(`xapp-[A-Za-z0-9-]{8,}`), blank},
	{regexp.MustCompile(`(?i)((?:authorization|x-slack-signature)["']?\s*[:=]\s*["'\[]?)(?:(?:bot|bearer|basic)\s+)?[^\s"',\]]+`), "${1}" + blank},
	{regexp.MustCompile(`(?i)\b(bot|bearer) [A-Za-z0-9._~+/-]{16,}=*`), "${1} " + blank},
	{regexp.MustCompile(`[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}`), blank},
	{regexp.MustCompile(`(://[^:/@\s]+:)[^@\s]+@`), "${1}" + blank + "@"},
}

const blank = "[REDACTED]"

func newRedaction(secrets []string) *redaction {
	var list []string
	for _, s := range secrets {
		if len(s) >= 4 && !slices.Contains(list, s) {
			list = append(list, s)
		}
	}
	slices.SortFunc(list, func(a, b string) int { return len(b) - len(a) })
	return &redaction{secrets: list}
}

// String returns s with secrets blanked.
func (r *redaction) String(s string) string {
	for _, t := range tokenShapes {
		s = t.re.ReplaceAllString(s, t.repl)
	}
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, blank)
	}
	return s
}

// redactor is a slog.Handler that blanks secrets before the next handler
// formats the record. Attributes given to With wait in pending until a
// record is logged: most request-scoped loggers never log, and redacting
// runs a handful of regular expressions over every string.
type redactor struct {
	next    slog.Handler
	r       *redaction
	pending []slog.Attr // unredacted, before the record's own
}

func (h *redactor) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *redactor) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.String(rec.Message), rec.PC)
	for _, a := range h.pending {
		out.AddAttrs(h.attr(a))
	}
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *redactor) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.String(v.String()))
	case slog.KindGroup:
		attrs := v.Group()
		out := make([]any, len(attrs))
		for i, x := range attrs {
			out[i] = h.attr(x)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, h.r.String(x.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, h.r.String(x.String()))
		default:
			return slog.String(a.Key, h.r.String(fmt.Sprint(x)))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

func (h *redactor) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	pending := append(slices.Clip(h.pending), attrs...)
	for i := len(h.pending); i < len(pending); i++ {
		// A LogValuer is asked for its value now, as slog's own handlers
		// do: it may change later, or not be safe to call from elsewhere.
		pending[i].Value = pending[i].Value.Resolve()
	}
	return &redactor{next: h.next, r: h.r, pending: pending}
}

// WithGroup hands the pending attributes on first: they sit outside the
// group.
func (h *redactor) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	next := h.next
	if len(h.pending) > 0 {
		clean := make([]slog.Attr, len(h.pending))
		for i, a := range h.pending {
			clean[i] = h.attr(a)
		}
		next = next.WithAttrs(clean)
	}
	return &redactor{next: next.WithGroup(name), r: h.r}
}

// secrets lists the configured credentials.
func (c *Config) secrets() []string {
	list := []string{c.Discord.Token, c.Slack.BotToken, c.Slack.AppToken, c.Slack.SigningSecret, c.Slack.ClientSecret, c.StoreEncryptionKey}
	if i := strings.Index(c.StoreDSN, "://"); i >= 0 {
		if at := strings.LastIndex(c.StoreDSN, "@"); at > i {
			if _, pass, ok := strings.Cut(c.StoreDSN[i+3:at], ":"); ok {
				list = append(list, pass)
			}
		}
	}
	return list
}

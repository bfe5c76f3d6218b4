package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	industrybot "github.com/industrybot/industrybot"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

// FuzzParseCommand feeds the command-text parser anything a chat could
// send, then the core: neither may panic, and what parses must answer.
// Seeds are in testdata/fuzz/FuzzParseCommand.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"/recommend talky", "/why social netwrok", "/random tv", "/daily subscribe 9:30 America/New_York",
		"/recommend kind:tv like Succession", "/why", "/help", "/", "//", "/recommend kind:", "/daily subscribe 24:00", "/why \x00\xff",
		"/recommend see https://evil.example", "/why www.evil.example\u202e", "/recommend kind:tv\u200b bit.ly/x", "/da\x1a\nsh x"} {
		f.Add(s)
	}
	b := bottest.Bot(f)
	f.Fuzz(func(t *testing.T, line string) {
		cmd, opts, err := bot.ParseCommand(line)
		if err != nil {
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("a multi-line error: %q", err)
			}
			if bad := unsafeEcho(msg); bad != "" {
				t.Errorf("error %q echoes %s", msg, bad)
			}
			if n := utf8.RuneCountInString(msg); n > 200 {
				t.Errorf("an error of %d runes: %q", n, msg)
			}
			return
		}
		for k, v := range opts {
			if utf8.RuneCountInString(v) > 500 {
				t.Errorf("option %s of %d runes got through", k, utf8.RuneCountInString(v))
			}
		}
		r := b.Handle(context.Background(), bot.Request{Platform: bot.Slack, Channel: "C", Command: cmd, Options: opts})
		if r.Error == bot.Failure().Error {
			t.Errorf("%q made the core fail", line)
		}
		for _, text := range []string{r.Text, r.Error} {
			if bad := unsafeEcho(text); bad != "" {
				t.Errorf("answer %q echoes %s", text, bad)
			}
		}
		for _, a := range r.Actions {
			if len(a.ID()) > 100 || !utf8.ValidString(a.ID()) {
				t.Errorf("button id %q", a.ID())
			}
			if _, err := bot.ParseAction(a.ID()); err != nil {
				t.Errorf("button %q does not parse back: %v", a.ID(), err)
			}
		}
	})
}

// FuzzParseCatalog feeds the catalog loader broken files: errors, never
// panics, and a catalog that loads can be indexed and queried.
func FuzzParseCatalog(f *testing.F) {
	f.Add(industrybot.CatalogJSON())
	f.Add([]byte(`{"source":{"article":"a","speakers":["b"],"speakers_role":"c"},"picks":[{"id":"x","title":"X","kind":"film","year":2000,"credit":{"role":"director","names":["d"]},"commentary":["c."]}]}`))
	f.Add([]byte(`{"picks":[{"id":"x","aliases":["X","x"]}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := bot.ParseCatalog(data)
		if err != nil {
			if err.Error() == "" {
				t.Error("an empty error")
			}
			return
		}
		e := bot.NewEngine(c)
		e.Recommend("tense talky", "", nil)
		e.Why(c.Picks[0].Title)
		if a := e.Why(c.Picks[0].Title); a.Title == nil {
			t.Errorf("a title does not find itself: %q", c.Picks[0].Title)
		}
		e.Random("", nil)
		e.Complete("a", 25)
	})
}

// unsafeEcho says what in a message the core wrote should not be there:
// broken UTF-8, a control or format character other than a line break, or
// something a platform would make a link (see FuzzQuote).
func unsafeEcho(msg string) string {
	if !utf8.ValidString(msg) {
		return "broken UTF-8"
	}
	for _, r := range msg {
		if r != '\n' && unicode.In(r, unicode.Cc, unicode.Cf) {
			return fmt.Sprintf("%U", r)
		}
	}
	if loc := linkable.FindStringIndex(msg); loc != nil {
		return "a link: " + msg[loc[0]:loc[1]]
	}
	return ""
}

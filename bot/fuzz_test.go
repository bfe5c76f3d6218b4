package bot_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	industrybot "github.com/industrybot/industrybot"
	"github.com/industrybot/industrybot/bot"
)

// FuzzParseCommand feeds the command-text parser anything a chat could
// send, then the core: neither may panic, and what parses must answer.
// Seeds are in testdata/fuzz/FuzzParseCommand.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"/recommend talky", "/why social netwrok", "/random tv", "/daily subscribe 9:30 America/New_York",
		"/recommend kind:tv like Succession", "/why", "/help", "/", "//", "/recommend kind:", "/daily subscribe 24:00", "/why \x00\xff"} {
		f.Add(s)
	}
	b := bot.New(bot.Config{Engine: bot.NewEngine(mustCatalog(f)), Memory: bot.NewMemoryStore()})
	f.Fuzz(func(t *testing.T, line string) {
		cmd, opts, err := bot.ParseCommand(line)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("a multi-line error: %q", err)
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
		for _, a := range r.Actions {
			if len(a.ID()) > 100 || !utf8.ValidString(a.ID()) {
				t.Errorf("button id %q", a.ID())
			}
			if _, _, err := bot.ParseAction(a.ID()); err != nil {
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

func mustCatalog(tb testing.TB) *bot.Catalog {
	tb.Helper()
	c, err := bot.ParseCatalog(industrybot.CatalogJSON())
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

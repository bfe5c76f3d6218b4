package bottest

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/industrybot/industrybot/bot"
)

// Ask is a command as typed: "/why" and "heat".
type Ask struct {
	Command string
	Text    string
}

func (a Ask) String() string { return "/" + a.Command + " " + a.Text }

// recommendQueries are /recommend's words for Asks: moods, people, likes,
// kinds, misses, and queries with no preference (a free choice, which is
// answered afresh each time).
var recommendQueries = []string{
	"", "something tense", "talky kind:film", "kind:tv", "british comedy", "workplace drama", "finance",
	"like Succession", "like Billions", "like Heat", "al pacino", "set in 90s new york", "a documentary",
	"xyzzy plugh", "surprise me", "anything kind:tv", "raw", "michael mann", "funny and sad",
}

// Asks are commands whose answers the bot reuses, with a few it must
// not: /why of every title on Catalog (by title, by id, in capitals and
// mistyped) and of every mention, of titles the bot only knows of and of
// nothing it knows; /recommend of a query set, with a free choice among
// them; /random, as often as there are picks; /help.
func Asks(tb testing.TB) []Ask {
	tb.Helper()
	c := Catalog(tb)
	var out []Ask
	why := func(text string) { out = append(out, Ask{bot.CmdWhy, text}) }
	for _, p := range c.Picks {
		why(p.Title)
		why(p.ID)
		why(strings.ToUpper(p.Title))
		if r := []rune(p.Title); len(r) > 4 {
			why(string(r[:len(r)-2]) + string(r[len(r)-1]) + string(r[len(r)-2])) // the last two letters swapped
		}
	}
	for _, m := range c.Mentions {
		why(m.Title)
	}
	for _, t := range []string{"12 Angry Men", "The Wire", "Billions", "nothing by this name", "x"} {
		why(t)
	}
	for _, q := range recommendQueries {
		out = append(out, Ask{bot.CmdRecommend, q})
	}
	for range len(c.Picks) { // a random pick, whose answer is the same for that pick
		out = append(out, Ask{bot.CmdRandom, ""}, Ask{bot.CmdRandom, "film"}, Ask{bot.CmdRandom, "tv"})
	}
	return append(out, Ask{bot.CmdHelp, ""})
}

// Last passes requests to a handler and keeps the last reply it gave, for
// a test that reads what an adapter made of it.
type Last struct {
	next bot.Handler
	mu   sync.Mutex
	r    bot.Reply
}

// NewLast returns a Last in front of h.
func NewLast(h bot.Handler) *Last { return &Last{next: h} }

// Handle implements bot.Handler.
func (l *Last) Handle(ctx context.Context, req bot.Request) bot.Reply {
	r := l.next.Handle(ctx, req)
	l.mu.Lock()
	l.r = r
	l.mu.Unlock()
	return r
}

// Reply returns the last reply.
func (l *Last) Reply() bot.Reply {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r
}

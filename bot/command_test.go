package bot_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

// TestCommandTable: every summary fits where platforms show it, every
// command the core answers is in the table, and /help is made from it.
func TestCommandTable(t *testing.T) {
	var names []string
	var check func(prefix string, c bot.CommandSpec)
	check = func(prefix string, c bot.CommandSpec) {
		name := prefix + c.Name
		if n := utf8.RuneCountInString(c.Summary); n == 0 || n > bot.MaxSummary {
			t.Errorf("%s: summary of %d characters, want 1 to %d", name, n, bot.MaxSummary)
		}
		if strings.HasSuffix(c.Summary, ".") {
			t.Errorf("%s: summary %q ends with a stop", name, c.Summary)
		}
		if len(c.Subcommands) > 0 && len(c.Options) > 0 {
			t.Errorf("%s: has both subcommands and options", name)
		}
		for _, o := range c.Options {
			if n := utf8.RuneCountInString(o.Summary); n == 0 || n > bot.MaxSummary {
				t.Errorf("%s %s: summary of %d characters, want 1 to %d", name, o.Name, n, bot.MaxSummary)
			}
			if o.MaxLen > bot.MaxText || o.MinLen > o.MaxLen {
				t.Errorf("%s %s: lengths %d–%d", name, o.Name, o.MinLen, o.MaxLen)
			}
		}
		for _, s := range c.Subcommands {
			check(name+" ", s)
		}
	}
	for _, c := range bot.Commands() {
		names = append(names, c.Name)
		check("/", c)
		if _, _, err := bot.ParseCommand(c.Line()); err != nil && c.Usage == "" {
			t.Errorf("%s: %v", c.Line(), err)
		}
	}
	for _, cmd := range []string{bot.CmdRecommend, bot.CmdWhy, bot.CmdRandom, bot.CmdDaily, bot.CmdHelp} {
		if !slices.Contains(names, cmd) {
			t.Errorf("/%s is not in the command table", cmd)
		}
	}
	help := bot.Help()
	if len(help.Help) != len(bot.Commands()) {
		t.Fatalf("/help lists %d commands, the table %d", len(help.Help), len(bot.Commands()))
	}
	for i, c := range bot.Commands() {
		if h := help.Help[i]; h.Usage != c.Line() || !strings.HasPrefix(h.Summary, c.Summary) {
			t.Errorf("/help line %d = %q %q, want %q and the summary %q", i, h.Usage, h.Summary, c.Line(), c.Summary)
		}
	}
	if _, ok := bot.Command("recomend"); ok {
		t.Error("Command found a misspelt name")
	}
}

// TestRequestText: a platform that passes a line hands the core its text,
// and the core reads the options and words the errors.
func TestRequestText(t *testing.T) {
	b := bottest.Bot(t)
	ask := func(cmd, text string) bot.Reply {
		return b.Handle(context.Background(), bot.Request{Platform: bot.Slack, Channel: "C1", Command: cmd, Text: text})
	}
	if r := ask(bot.CmdWhy, "the  social netwrok"); r.Commentary == nil || r.Commentary.ID != "the-social-network" {
		t.Errorf("/why the social netwrok: %+v", r)
	}
	if r := ask(bot.CmdRecommend, "british comedy kind:tv"); len(r.Picks) == 0 || r.Picks[0].Title.Kind != bot.TV {
		t.Errorf("/recommend british comedy kind:tv: %+v", r)
	}
	r := ask(bot.CmdRandom, "book")
	if !r.Private || r.Error != "/random takes film or tv, not “book”." {
		t.Errorf("/random book: private %v, error %q; want the reason as a sentence", r.Private, r.Error)
	}
	r = ask("dance", "")
	if !r.Private || !strings.HasPrefix(r.Error, "Unknown command “/dance”") {
		t.Errorf("/dance: private %v, error %q", r.Private, r.Error)
	}
}

// TestButtonEffect: Another on an answer replaces it; Why? and anything on
// a daily post are posted new; a private answer never replaces.
func TestButtonEffect(t *testing.T) {
	b := bottest.Bot(t)
	r := ask(t, b, "/recommend talky")
	another := action(t, r, "Another")
	if another.Effect != bot.ReplaceMessage {
		t.Errorf("Another on an answer: effect %v, want ReplaceMessage", another.Effect)
	}
	if got := press(t, b, another); !got.Replace || got.Private {
		t.Errorf("pressing Another: replace %v private %v, want a public answer in its place", got.Replace, got.Private)
	}
	why := r.Actions[1]
	if got := press(t, b, why); got.Replace {
		t.Errorf("pressing %s: replace, want a new message", why.Label)
	}
	daily := bot.DailyReply(r.Picks[0].Title, "x", bot.Subscription{})
	for _, a := range daily.Actions {
		if a.Effect != bot.PostNew {
			t.Errorf("%s on a daily post: effect %v, want PostNew", a.Label, a.Effect)
		}
		if got := press(t, b, a); got.Replace {
			t.Errorf("pressing %s on a daily post: replace, want a new message", a.Label)
		}
	}
	// A private answer (an error) to a replacing button does not replace.
	bad := bot.Action{Command: bot.CmdRecommend, Kind: bot.TV, Arg: "xyzzy plugh", Effect: bot.ReplaceMessage}
	if got := press(t, b, bad); got.Private && got.Replace {
		t.Errorf("a private answer to Another: replace %v", got.Replace)
	}
}

func TestWords(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{{nil, ""}, {[]string{"a"}, "a"}, {[]string{"a", "b"}, "a or b"}, {[]string{"a", "b", "c"}, "a, b or c"}} {
		if got := bot.OrList(tc.in); got != tc.want {
			t.Errorf("OrList(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := bot.DidYouMean(nil); got != "" {
		t.Errorf("DidYouMean(nil) = %q", got)
	}
	ss := []bot.Suggestion{{ID: "heat", Title: "Heat", Years: "1995"}, {ID: "thief", Title: "Thief", Years: "1981"}}
	if got, want := bot.DidYouMean(ss), "Did you mean "+ss[0].Label()+" or "+ss[1].Label()+"?"; got != want {
		t.Errorf("DidYouMean = %q, want %q", got, want)
	}
	r := bot.Reply{Error: "No title matches “x”.", Suggestions: ss[:1], Text: "Try /help."}
	if got, want := r.ErrorText(), "No title matches “x”. Did you mean "+ss[0].Label()+"? Try /help."; got != want {
		t.Errorf("ErrorText = %q, want %q", got, want)
	}
	if bot.TV.Noun() != "series" || bot.Film.Label() != "Film" || bot.Kind("").Noun() != "pick" {
		t.Errorf("nouns: %q %q %q", bot.TV.Noun(), bot.Film.Label(), bot.Kind("").Noun())
	}
}

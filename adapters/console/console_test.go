package console_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/industrybot/industrybot/adapters/console"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
	"github.com/industrybot/industrybot/bot/convtest"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata")

// rig is a console on a buffer, with a daily scheduler on a clock the
// test moves, at 2026-11-26 12:00 UTC.
type rig struct {
	c     *console.Console
	out   *bytes.Buffer
	sched *bot.Scheduler
	clock *bottest.Clock
}

func newRig(t *testing.T, input []byte) *rig {
	t.Helper()
	out := &bytes.Buffer{}
	term := console.NewTerminal(bytes.NewReader(input), out, func(string) string { return "" })
	// The transcripts hold answers from the catalog alone: the knowledge
	// of titles outside it words some reasons its own way.
	engine := bottest.Engine(t, bot.WithKnowledge(nil))
	store := bot.NewMemoryStore()
	clock := bottest.NewClock(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	sched := bot.NewScheduler(bot.SchedulerConfig{Store: store, Catalog: engine.Catalog(), Posters: map[bot.Platform]bot.Poster{bot.Console: term}, Clock: clock, Owner: "test"})
	b := bot.New(bot.Config{Engine: engine, Memory: store, Daily: sched})
	return &rig{c: console.New(console.Config{Handler: b, Terminal: term, Engine: engine, Daily: sched}), out: out, sched: sched, clock: clock}
}

// say sends one line and returns what the console printed for it.
func (r *rig) say(t *testing.T, line string) string {
	t.Helper()
	r.out.Reset()
	if err := r.c.Say(context.Background(), line); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	return r.out.String()
}

// TestTranscripts plays each testdata/*.in through the console as a pipe
// and compares what it printed with the .golden file beside it (go test
// -update rewrites them). Piped, the answers are plain and unwrapped.
func TestTranscripts(t *testing.T) {
	ins, _ := filepath.Glob("testdata/*.in")
	if len(ins) == 0 {
		t.Fatal("no transcripts in testdata")
	}
	for _, in := range ins {
		name := strings.TrimSuffix(filepath.Base(in), ".in")
		t.Run(name, func(t *testing.T) {
			input, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got := play(t, input)
			golden := strings.TrimSuffix(in, ".in") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("transcript differs from %s (go test -update rewrites it):\n%s", golden, diff(string(want), got))
			}
			if strings.Contains(got, "\x1b") {
				t.Errorf("an escape code in piped output")
			}
		})
	}
}

// play runs input through a console on a pipe.
func play(t *testing.T, input []byte) string {
	t.Helper()
	r := newRig(t, input)
	if err := r.c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r.out.String()
}

func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\nwant: %s\n got: %s", i+1, wl, gl)
		}
	}
	return ""
}

var (
	headingRE = regexp.MustCompile(`(?m)^(?:\d\. )?(.+?) \(\d{4}(?:–(?:\d{4})?)?\), (?:film|series) (?:directed|created) by `)
	buttonsRE = regexp.MustCompile(`\[([^\]]+)\]`)
)

// TestConversation plays the core's script through the console and reads the
// content back from what it printed.
func TestConversation(t *testing.T) {
	r := newRig(t, nil)
	i := 0
	convtest.Run(t, func(t *testing.T, line string) convtest.Content {
		text := r.say(t, line)
		got := convtest.Content{Text: text}
		for _, m := range headingRE.FindAllStringSubmatch(text, -1) {
			got.Titles = append(got.Titles, m[1])
		}
		if j := strings.LastIndex(text, "\n["); j >= 0 {
			for _, m := range buttonsRE.FindAllStringSubmatch(text[j:], -1) {
				got.Buttons = append(got.Buttons, m[1])
			}
		}
		// A terminal has one reader: nothing is more private than the rest.
		got.Private = convtest.Script()[i].Want.Private
		// Buttons of a private miss are offered as suggestions in the text.
		if got.Private && got.Buttons == nil {
			got.Buttons = convtest.Script()[i].Want.Buttons
			for _, b := range got.Buttons {
				if !strings.Contains(text, b) {
					t.Errorf("%s: suggestion %q is not offered", line, b)
				}
			}
		}
		i++
		return got
	})
}

// TestAnother: /another shows other picks, and once the matches have run
// out says so and offers others, never the same again.
func TestAnother(t *testing.T) {
	r := newRig(t, nil)
	if err := r.c.Say(context.Background(), "/another"); err == nil {
		t.Error("/another before any pick: want an error")
	}
	first := r.say(t, "/recommend new york")
	next := r.say(t, "/another")
	for _, title := range []string{"American Psycho", "Uncut Gems", "James White"} {
		if !strings.Contains(first, title) || strings.Contains(next, title+" (") {
			t.Errorf("%s: want it in the first answer and not in /another's:\n%s", title, next)
		}
	}
	r.say(t, "/recommend finance")
	seen := map[string]int{}
	for range 6 {
		out := r.say(t, "/another")
		for _, m := range headingRE.FindAllStringSubmatch(out, -1) {
			if seen[m[1]]++; seen[m[1]] > 1 {
				t.Errorf("/another repeated %s:\n%s", m[1], out)
			}
		}
		if strings.Contains(out, "start over") {
			t.Errorf("/another started over:\n%s", out)
		}
	}
}

// TestPlainTextRecommends: words without a slash are a /recommend.
func TestPlainTextRecommends(t *testing.T) {
	r := newRig(t, nil)
	if got, want := r.say(t, "something tense"), r.say(t, "/recommend something tense"); !strings.Contains(got, "Picks for “something tense”") || got != want {
		t.Errorf("plain text:\n%s\nwant what /recommend says:\n%s", got, want)
	}
}

// TestSpellingNotes: /why keeps the article's words and says where they
// misspell a name.
func TestSpellingNotes(t *testing.T) {
	out := newRig(t, nil).say(t, "/why moneyball")
	for _, want := range []string{"Bradd Pitt in his Redford era. Phillip Seymour Hoffman", "The article spells Brad Pitt “Bradd”.", "The article spells Philip Seymour Hoffman “Phillip”."} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
}

// TestDailyPickIsPrintedWhenDue: the console's channel subscribes, and
// its pick is printed when it falls due.
func TestDailyPickIsPrintedWhenDue(t *testing.T) {
	r := newRig(t, nil)
	if out := r.say(t, "/daily subscribe 18:30 UTC"); !strings.Contains(out, "Daily pick on: every day at 18:30 UTC") || strings.Contains(out, "cannot post") {
		t.Fatalf("subscribe: %s", out)
	}
	preview := r.say(t, "/daily preview 1")
	m := regexp.MustCompile(`UTC: (.+) \(\d{4}`).FindStringSubmatch(preview)
	if m == nil {
		t.Fatalf("preview: %s", preview)
	}
	r.out.Reset()
	r.clock.Set(t, "2026-11-26 18:31")
	if err := r.sched.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if out := r.out.String(); !strings.Contains(out, m[1]+" (") {
		t.Errorf("the due pick, %s, was not printed: %q", m[1], out)
	}
}

// TestRenderWraps: at any width, lines fit and break between words, and
// the words are those of the unwrapped answer.
func TestRenderWraps(t *testing.T) {
	r := bottest.Bot(t).Handle(context.Background(), bot.Request{Platform: bot.Console, Channel: "c", Command: "recommend", Text: "something tense"})
	plain := console.Render(r, 0)
	for _, width := range []int{30, 40, 78, 120} {
		got := console.Render(r, width)
		if !slices.Equal(strings.Fields(got), strings.Fields(plain)) {
			t.Errorf("width %d: the words differ from the unwrapped answer's", width)
		}
		for _, line := range strings.Split(got, "\n") {
			if n := len([]rune(line)); n > width && strings.Contains(strings.TrimSpace(line), " ") {
				t.Errorf("width %d: a line of %d columns: %q", width, n, line)
			}
		}
	}
	if strings.Contains(plain, "Josh\n") || !strings.Contains(plain, "Josh Safdie and Benny Safdie") {
		t.Errorf("unwrapped: %s", plain)
	}
}

// TestRenderTimes: a time in an answer is written plainly, in its own zone
// and in UTC, as the core writes it.
func TestRenderTimes(t *testing.T) {
	at := time.Date(2026, 11, 27, 18, 30, 0, 0, time.FixedZone("EST", -5*3600))
	r := bot.Reply{Private: true}
	r.Text = "The next is due " + r.Stamp(at) + "."
	if got, want := console.Render(r, 200), "The next is due "+bot.PlainTime(at)+".\n"; got != want {
		t.Errorf("Render = %q, want %q", got, want)
	}
}

func TestAsk(t *testing.T) {
	b := bottest.Bot(t)
	out, err := console.Ask(context.Background(), b, "/why heat", console.Layout{})
	if err != nil || !strings.Contains(out, "Heat (1995), film directed by Michael Mann") || !strings.Contains(out, "“The action is the juice” is also a great mantra") {
		t.Errorf("got %q, %v", out, err)
	}
	if out, err := console.Ask(context.Background(), b, "something tense", console.Layout{}); err != nil || !strings.Contains(out, "Uncut Gems") {
		t.Errorf("plain words: got %q, %v", out, err)
	}
	tests := []struct{ line, want string }{
		{"/why mad", "No title on the creators' list matches “mad”. Did you mean Mad Men (2007–2015)?"},
		{"/frobnicate", "Unknown command “/frobnicate”"},
		{"/recomend tense", "did you mean /recommend?"},
		// What a terminal would obey (ESC, a bidi override) is not echoed.
		{"/why \x1b]0;owned\x07\x1b[2Jzzzz\u202e", "matches “]0;owned[2Jzzzz”"},
		{"/why \x1b[31mzzzz\u202e", "matches “[31mzzzz”"},
		{"/random book", "/random takes film or tv"},
	}
	for _, tc := range tests {
		_, err := console.Ask(context.Background(), b, tc.line, console.Layout{})
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v, want one line containing %q", tc.line, err, tc.want)
		}
	}
}

// TestInterruptEndsAPipedConsole: the end of its context (SIGINT, SIGTERM)
// ends a console reading a pipe at once, not after the next line.
func TestInterruptEndsAPipedConsole(t *testing.T) {
	in, w := io.Pipe()
	defer w.Close()
	var out bytes.Buffer
	term := console.NewTerminal(in, &out, func(string) string { return "" })
	c := console.New(console.Config{Handler: bottest.Bot(t), Terminal: term})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
}

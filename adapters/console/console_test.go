package console_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/industrybot/industrybot/adapters/console"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
	"github.com/industrybot/industrybot/bot/convtest"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata")

// TestTranscripts plays each testdata/*.in through the console and compares
// what it printed with the .golden file beside it (go test -update rewrites
// them).
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
			// The transcripts hold answers from the catalog alone: the
			// knowledge of titles outside it words some reasons its own way.
			b := bot.New(bot.Config{Engine: bottest.Engine(t, bot.WithKnowledge(nil)), Memory: bot.NewMemoryStore()})
			var out bytes.Buffer
			if err := console.New(b, &out).Run(context.Background(), bytes.NewReader(input)); err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(in, ".in") + ".golden"
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got := out.String(); got != string(want) {
				t.Errorf("transcript differs from %s (go test -update rewrites it):\n%s", golden, diff(string(want), got))
			}
			for i, line := range strings.Split(out.String(), "\n") {
				if n := len([]rune(line)); n > console.Width && strings.Contains(line, " ") && !strings.HasPrefix(strings.TrimSpace(line), "https://") {
					t.Errorf("line %d is %d columns wide: %q", i+1, n, line)
				}
			}
		})
	}
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
	var out bytes.Buffer
	c := console.New(bottest.Bot(t), &out)
	i := 0
	convtest.Run(t, func(t *testing.T, line string) convtest.Content {
		out.Reset()
		if err := c.Say(context.Background(), line); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		text := out.String()
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

func TestAnother(t *testing.T) {
	var out bytes.Buffer
	c := console.New(bottest.Bot(t), &out)
	if err := c.Say(context.Background(), "/another"); err == nil {
		t.Error("/another before any pick: want an error")
	}
	if err := c.Say(context.Background(), "/recommend new york"); err != nil {
		t.Fatal(err)
	}
	first := out.String()
	out.Reset()
	if err := c.Say(context.Background(), "/another"); err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"American Psycho", "Uncut Gems", "James White"} {
		if !strings.Contains(first, title) || strings.Contains(out.String(), title+" (") {
			t.Errorf("%s: want it in the first answer and not in /another's:\n%s", title, out.String())
		}
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
	out, err := console.Ask(context.Background(), b, "/why heat")
	if err != nil || !strings.Contains(out, "Heat (1995), film directed by Michael Mann") {
		t.Errorf("got %q, %v", out, err)
	}
	tests := []struct{ line, want string }{
		{"/why mad", "No title on the creators' list matches “mad”. Did you mean Mad Men (2007–2015)?"},
		{"/frobnicate", "unknown command “/frobnicate”"},
		{"heat", "commands start with /"},
		// What a terminal would obey (ESC, a bidi override) is not echoed.
		{"\x1b]0;owned\x07\x1b[2Jheat\u202e", "“]0;owned[2Jheat” is not a command"},
		{"/why \x1b[31mzzzz\u202e", "matches “[31mzzzz”"},
		{"/random book", "/random takes film or tv"},
	}
	for _, tc := range tests {
		_, err := console.Ask(context.Background(), b, tc.line)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v, want one line containing %q", tc.line, err, tc.want)
		}
	}
}

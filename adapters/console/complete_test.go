package console

import (
	"slices"
	"testing"

	"github.com/chzyer/readline"

	"github.com/industrybot/industrybot/bot/bottest"
)

// TestComplete: Tab continues commands, subcommands, kinds, titles and
// time zones, and puts the closest title or zone in place of a word none
// continues.
func TestComplete(t *testing.T) {
	c := &completer{engine: bottest.Engine(t)}
	tests := []struct {
		line string
		want []string // what Tab appends, as readline gets it
		// replaced is the line after Tab when no option continues it.
		replaced string
	}{
		{line: "/re", want: []string{"commend "}},
		{line: "/r", want: []string{"ecommend ", "andom "}},
		{line: "/an", want: []string{"other"}},
		{line: "/daily s", want: []string{"ubscribe ", "tatus ", "kip "}},
		{line: "/daily p", want: []string{"review "}},
		{line: "/random ", want: []string{"film", "tv"}},
		{line: "/recommend tense ki", want: []string{"nd:film", "nd:tv"}},
		{line: "/why Hea", want: []string{"t", "ven Knows What"}},
		{line: "/why The Soc", want: []string{"ial Network"}},
		{line: "/why he", replaced: "/why Heat"},
		{line: "/why socail netw", replaced: "/why The Social Network"},
		{line: "/daily subscribe 09:00 Europe/Lond", want: []string{"on"}},
		{line: "/daily subscribe 09:00 europe/lond", replaced: "/daily subscribe 09:00 Europe/London"},
		{line: "/daily subscribe 09:00 Europe/London thr", want: []string{"ead"}},
		{line: "something tense"},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			line := []rune(tc.line)
			got, _ := c.Do(line, len(line))
			var gs []string
			for _, g := range got {
				gs = append(gs, string(g))
			}
			if !slices.Equal(gs, tc.want) {
				t.Errorf("Do = %q, want %q", gs, tc.want)
			}
			nl, pos, ok := c.OnChange(line, len(line), readline.CharTab)
			switch {
			case tc.replaced == "" && ok:
				t.Errorf("OnChange replaced the line with %q", string(nl))
			case tc.replaced != "" && (!ok || string(nl) != tc.replaced || pos != len([]rune(tc.replaced))):
				t.Errorf("OnChange = %q, %d, %v; want %q", string(nl), pos, ok, tc.replaced)
			}
		})
	}
}

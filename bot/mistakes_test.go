package bot_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

// TestSpellingNotes: where the quoted words spell a name as the article
// does, a note says so; where they do not, there is none.
func TestSpellingNotes(t *testing.T) {
	cat := bottest.Catalog(t)
	tests := []struct {
		id, quoted string
		want       []string
	}{
		{"moneyball", "", []string{"The article spells Brad Pitt “Bradd”.", "The article spells Philip Seymour Hoffman “Phillip”."}},
		{"moneyball", "Jonah Hill clenching his fist.", nil},
		{"heat", "", nil}, // the article's "Michal Mann" is in its heading, not its words
	}
	for _, tc := range tests {
		t.Run(tc.id+"/"+tc.quoted, func(t *testing.T) {
			p := cat.Pick(tc.id)
			if p == nil {
				t.Fatalf("no pick %q", tc.id)
			}
			quoted := tc.quoted
			if quoted == "" {
				quoted = strings.Join(p.Commentary, " ")
			}
			if got := p.SpellingNotes(quoted); !slices.Equal(got, tc.want) {
				t.Errorf("SpellingNotes = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestMistypedCommandSuggests: a command a letter or two off, or the start
// of one, is answered with the one meant; one far from any is not.
func TestMistypedCommandSuggests(t *testing.T) {
	tests := []struct{ line, want string }{
		{"/recomend tense", "unknown command “/recomend”: did you mean /recommend?"},
		{"/rnadom", "did you mean /random?"},
		{"/rec talky", "did you mean /recommend?"},
		{"/hlep", "did you mean /help?"},
		{"/frobnicate", "unknown command “/frobnicate”: try /help"},
	}
	for _, tc := range tests {
		_, _, err := bot.ParseCommand(tc.line)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.line, err, tc.want)
		}
	}
}

// TestSubscribeReadsTwelveHourTimes: "7pm" is a time, not a time zone or
// a day.
func TestSubscribeReadsTwelveHourTimes(t *testing.T) {
	for in, want := range map[string]string{"7pm": "19:00", "7:30am": "07:30", "12am": "00:00", "19:05": "19:05"} {
		opts, err := bot.ParseText(bot.CmdDaily, "subscribe "+in)
		if err != nil || opts[bot.OptTime] != want {
			t.Errorf("subscribe %s: got %v, %v; want time %s", in, opts, err, want)
		}
	}
	_, err := bot.ParseText(bot.CmdDaily, "subscribe 25pm")
	if err == nil || !strings.Contains(err.Error(), "is not a time of day") {
		t.Errorf("subscribe 25pm: got %v, want a time error", err)
	}
}

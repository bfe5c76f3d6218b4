package bot_test

import (
	"testing"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

// TestChoices: what an option completes comes from the core, titles and
// time zones alike, labelled for a list and valued for the option.
func TestChoices(t *testing.T) {
	t.Parallel()
	e := bottest.Engine(t, bot.WithKnowledge(nil))
	tests := []struct {
		name  string
		what  bot.Completion
		typed string
		n     int
		min   int
		first bot.Choice
	}{
		{"titles before anything is typed", bot.CompleteTitle, "", 25, 18, bot.Choice{Label: "Moneyball (2011)", Value: "moneyball"}},
		{"a title by its start", bot.CompleteTitle, "pe", 25, 1, bot.Choice{Label: "Peep Show (2003–2015)", Value: "peep-show"}},
		{"a title mentioned in passing", bot.CompleteTitle, "sopr", 25, 1, bot.Choice{Label: "The Sopranos (1999–2007) · mentioned in passing", Value: "the-sopranos"}},
		{"zones before anything is typed", bot.CompleteZone, "", 5, 5, bot.Choice{Label: "Europe/London", Value: "Europe/London"}},
		{"a zone by its city", bot.CompleteZone, "new york", 25, 1, bot.Choice{Label: "America/New_York", Value: "America/New_York"}},
		{"nothing to complete", bot.CompleteNothing, "heat", 25, 0, bot.Choice{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := e.Choices(tc.what, tc.typed, tc.n)
			if len(got) < tc.min || len(got) > tc.n {
				t.Fatalf("%d choices, want %d to %d: %v", len(got), tc.min, tc.n, got)
			}
			if tc.min > 0 && got[0] != tc.first {
				t.Errorf("first choice = %+v, want %+v", got[0], tc.first)
			}
		})
	}
}

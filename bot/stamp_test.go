package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/industrybot/industrybot/bot"
)

// TestStamps: a reply's times travel as marks that each renderer writes its
// own way; PlainTime gives the local and UTC times.
func TestStamps(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	var r bot.Reply
	next := time.Date(2026, 11, 27, 18, 30, 0, 0, ny)
	last := time.Date(2026, 11, 26, 18, 30, 0, 0, ny)
	r.Text = "Next: " + r.Stamp(next) + ". Last: " + r.Stamp(last) + "."
	if strings.Contains(r.Text, "2026") || len(r.Times) != 2 {
		t.Fatalf("text %q, times %v: want marks, not times", r.Text, r.Times)
	}
	unix := r.WriteTimes(r.Text, func(t time.Time) string { return fmt.Sprintf("<t:%d:F>", t.Unix()) })
	if want := fmt.Sprintf("Next: <t:%d:F>. Last: <t:%d:F>.", next.Unix(), last.Unix()); unix != want {
		t.Errorf("WriteTimes = %q, want %q", unix, want)
	}
	if got, want := r.PlainText(), "Next: Fri 27 Nov 2026 18:30 EST (Fri 27 Nov 23:30 UTC). Last: Thu 26 Nov 2026 18:30 EST (Thu 26 Nov 23:30 UTC)."; got != want {
		t.Errorf("PlainText = %q, want %q", got, want)
	}
	if got := bot.PlainTime(next.UTC()); got != "Fri 27 Nov 2026 23:30 UTC" {
		t.Errorf("PlainTime in UTC = %q", got)
	}
	// A mark without its time (a reply copied without Times) is dropped,
	// never shown as garbage.
	if got := (bot.Reply{}).WriteTimes(r.Text, bot.PlainTime); got != "Next: . Last: ." {
		t.Errorf("marks without times: %q", got)
	}
}

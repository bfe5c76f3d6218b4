package bot_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

func TestClip(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"two  spaces\ncollapse", 40, "two spaces collapse"},
		{"the quick brown fox jumps", 12, "the quick…"},
		{"unbreakableword", 6, "unbre…"},
		{"naïve café au lait", 11, "naïve café…"},
	}
	for _, tc := range tests {
		if got := bot.Clip(tc.in, tc.max); got != tc.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

func TestSplitKeepsWordsWhole(t *testing.T) {
	c := bottest.Catalog(t)
	for _, p := range c.Picks {
		text := strings.Join(p.Commentary, " ")
		for _, max := range []int{60, 200, 1024} {
			chunks := bot.Split(text, max)
			if got, want := strings.Join(chunks, " "), strings.Join(strings.Fields(text), " "); got != want {
				t.Fatalf("%s/%d: chunks do not join back into the text", p.ID, max)
			}
			for _, ch := range chunks {
				if n := utf8.RuneCountInString(ch); n > max || n == 0 {
					t.Errorf("%s/%d: chunk of %d runes", p.ID, max, n)
				}
				words := strings.Fields(text)
				first, last := strings.Fields(ch)[0], strings.Fields(ch)[len(strings.Fields(ch))-1]
				if !contains(words, first) || !contains(words, last) {
					t.Errorf("%s/%d: chunk %q cuts a word", p.ID, max, ch)
				}
			}
		}
	}
	// A sentence end is preferred to a later space.
	if got := bot.Split("One two three. Four five six seven", 20); got[0] != "One two three." {
		t.Errorf("got %q, want the first chunk to end at the sentence", got)
	}
	if got := bot.Split(strings.Repeat("x", 25), 10); len(got) != 3 || got[0] != strings.Repeat("x", 10) {
		t.Errorf("a word longer than the limit: got %q", got)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

package bot

import (
	"reflect"
	"testing"
)

// TestLexiconIsTheSameEveryTime holds the lexicon to one reading of the
// word lists: words that stem alike ("banker", "bankers") once kept
// whichever map order met last, so the same request could rank its picks
// differently from one start to the next. Each build ranges over the maps
// in a new random order.
func TestLexiconIsTheSameEveryTime(t *testing.T) {
	first := newLexicon()
	for range 20 {
		if lx := newLexicon(); !reflect.DeepEqual(lx.related, first.related) || !reflect.DeepEqual(lx.constraints, first.constraints) {
			t.Fatal("two builds of the lexicon differ")
		}
	}
	got := first.related[stemPhrase("bankers")]
	for _, k := range []string{"banker", "bankers"} {
		for _, r := range related[k] {
			to := r.to
			if to[0] != '@' {
				to = stemPhrase(to)
			}
			found := false
			for _, g := range got {
				found = found || g.to == to && g.w >= r.w
			}
			if !found {
				t.Errorf("%q means %q (%v), missing from the merged entry %v", k, r.to, r.w, got)
			}
		}
	}
}

package bot

import (
	"slices"
	"sync"
)

// vocabulary is every word the engine understands — of the catalog's
// names, tags and places, and of the lexicon — so that a word it does not
// know can be read as the known word it was probably meant to be:
// "finanace" as "finance", "christain" as "christian".
//
// It finds neighbours with symmetric deletes: each word is filed under
// itself and every form of it with one letter deleted; a typed word's forms
// meet those of every word within two edits. The files are made on first
// use, so start-up does not pay for them.
type vocabulary struct {
	words   []string
	known   map[string]bool
	once    sync.Once
	deletes map[string][]int32
}

func newVocabulary(words map[string]bool) *vocabulary {
	v := &vocabulary{known: words}
	for w := range words {
		v.words = append(v.words, w)
	}
	slices.Sort(v.words)
	return v
}

// add puts more words in, before the first correction.
func (v *vocabulary) add(words ...string) {
	for _, w := range words {
		if !v.known[w] {
			v.known[w] = true
			v.words = append(v.words, w)
		}
	}
}

// has reports whether w is a known word.
func (v *vocabulary) has(w string) bool { return v.known[w] }

func (v *vocabulary) build() {
	v.deletes = make(map[string][]int32, len(v.words)*6)
	slices.Sort(v.words)
	for i, w := range v.words {
		if len(w) < minTypoLen {
			continue
		}
		v.deletes[w] = append(v.deletes[w], int32(i))
		forDeletes(w, func(d string) { v.deletes[d] = append(v.deletes[d], int32(i)) })
	}
}

// minTypoLen is the shortest word a typo is corrected in: "bnk" could be
// anything.
const minTypoLen = 4

// forDeletes calls f with w less each one of its letters.
func forDeletes(w string, f func(string)) {
	r := []rune(w)
	buf := make([]rune, 0, len(r))
	for i := range r {
		buf = append(append(buf[:0], r[:i]...), r[i+1:]...)
		f(string(buf))
	}
}

// correct returns the known word closest to an unknown one, when one is
// close enough to be meant: one edit in a word of four to seven letters,
// two in a longer one; the same first letter is preferred, then the
// alphabetically first.
func (v *vocabulary) correct(w string) (string, bool) {
	if len(w) < minTypoLen || v.known[w] {
		return "", false
	}
	v.once.Do(v.build)
	tol := 1
	if len([]rune(w)) >= 8 {
		tol = 2
	}
	best, bestD := "", tol+1
	better := func(c string, d int) bool {
		if best == "" || d != bestD {
			return d < bestD
		}
		if cf, bf := c[0] == w[0], best[0] == w[0]; cf != bf {
			return cf
		}
		return c < best
	}
	try := func(ids []int32) {
		for _, id := range ids {
			c := v.words[id]
			if d := Distance(w, c, tol); d <= tol && better(c, d) {
				best, bestD = c, d
			}
		}
	}
	try(v.deletes[w])
	forDeletes(w, func(d string) { try(v.deletes[d]) })
	if best == "" {
		return "", false
	}
	return best, true
}

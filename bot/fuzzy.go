package bot

import (
	"cmp"
	"slices"
	"strings"
	"sync"
)

// titleIndex finds titles the way people type them: case, punctuation, a
// leading "the", aliases and typos forgiven. Entries number the picks first
// (0…len(Picks)-1), then the mentions.
type titleIndex struct {
	cat    *Catalog
	exact  map[string]int32   // key → entry
	ids    map[string]int32   // id → entry
	keys   []string           // every key: titles, aliases and ids, normalised
	owner  []int32            // key → entry
	sorted []int32            // keys in lexical order, for prefixes
	grams  map[uint32][]int32 // trigram → keys holding it, ascending
	counts sync.Pool          // *gramCounter
}

func newTitleIndex(c *Catalog) *titleIndex {
	ti := &titleIndex{cat: c, exact: map[string]int32{}, grams: map[uint32][]int32{}}
	n := len(c.keys) + len(c.Picks) + len(c.Mentions)
	ti.exact = make(map[string]int32, n)
	ti.keys = make([]string, 0, n)
	ti.owner = make([]int32, 0, n)
	addKey := func(ent int32, k string) {
		if k == "" {
			return
		}
		if _, ok := ti.exact[k]; ok {
			return
		}
		ti.exact[k] = ent
		id := int32(len(ti.keys))
		ti.keys = append(ti.keys, k)
		ti.owner = append(ti.owner, ent)
		forGrams(k, func(g uint32) {
			ps := ti.grams[g]
			if n := len(ps); n == 0 || ps[n-1] != id {
				ti.grams[g] = append(ps, id)
			}
		})
	}
	// Validation normalised every title and alias already. Ids (what
	// buttons and autocompletion send) are looked up as they are, apart
	// from the fuzzy keys.
	for _, k := range c.keys {
		addKey(k.ent, k.key)
	}
	ti.ids = make(map[string]int32, len(c.Picks)+len(c.Mentions))
	for i := range c.Picks {
		ti.ids[c.Picks[i].ID] = int32(i)
	}
	for i := range c.Mentions {
		ti.ids[c.Mentions[i].ID] = int32(len(c.Picks) + i)
	}
	ti.sorted = make([]int32, len(ti.keys))
	for i := range ti.sorted {
		ti.sorted[i] = int32(i)
	}
	slices.SortFunc(ti.sorted, func(a, b int32) int { return strings.Compare(ti.keys[a], ti.keys[b]) })
	ti.counts.New = func() any { return &gramCounter{counts: make([]uint16, len(ti.keys))} }
	return ti
}

// forGrams calls f with each trigram of " key ", the spaces marking the ends.
func forGrams(k string, f func(uint32)) {
	s := " " + k + " "
	for i := 0; i+3 <= len(s); i++ {
		f(uint32(s[i])<<16 | uint32(s[i+1])<<8 | uint32(s[i+2]))
	}
}

func (ti *titleIndex) entries() int { return len(ti.cat.Picks) + len(ti.cat.Mentions) }

func (ti *titleIndex) pick(ent int32) *Title {
	if int(ent) < len(ti.cat.Picks) {
		return &ti.cat.Picks[ent]
	}
	return nil
}

func (ti *titleIndex) mention(ent int32) *Mention {
	if i := int(ent) - len(ti.cat.Picks); i >= 0 {
		return &ti.cat.Mentions[i]
	}
	return nil
}

func (ti *titleIndex) name(ent int32) string {
	if t := ti.pick(ent); t != nil {
		return t.Title
	}
	return ti.mention(ent).Title
}

// profile returns what "like" an entry means: its tags, its people, and the
// pick not to recommend back (-1 for a mention).
func (ti *titleIndex) profile(ent int32) (tags, people []string, pick int32) {
	if t := ti.pick(ent); t != nil {
		return t.Tags, append(slices.Clone(t.Credit.Names), t.People...), ent
	}
	m := ti.mention(ent)
	return m.Tags, append(slices.Clone(m.Credit.Names), m.People...), -1
}

// suggestion builds the Suggestion for an entry.
func (ti *titleIndex) suggestion(ent int32) Suggestion {
	if t := ti.pick(ent); t != nil {
		return Suggestion{ID: t.ID, Title: t.Title, Years: t.Years()}
	}
	m := ti.mention(ent)
	return Suggestion{ID: m.ID, Title: m.Title, Years: m.Years(), Mention: true}
}

// tolerance is how many edits a query of n bytes may be from a title and
// still name it without asking.
func tolerance(n int) int {
	switch {
	case n <= 3:
		return 0
	case n <= 6:
		return 1
	case n <= 12:
		return 2
	}
	return 3
}

// candidate is a key that shares trigrams with a query.
type candidate struct {
	key    int32
	shared int
	dist   int
}

// lookup finds the entry a query names. ok is false when no entry is close
// enough to be sure; then near holds up to n entries it might have meant,
// most likely first.
func (ti *titleIndex) lookup(q string, n int) (ent int32, ok bool, near []int32) {
	if ent, ok := ti.ids[q]; ok {
		return ent, true, nil
	}
	k := normalizeTitle(q)
	if k == "" {
		return -1, false, nil
	}
	if ent, ok := ti.exact[k]; ok {
		return ent, true, nil
	}
	// A unique prefix names its title: "peep" is Peep Show.
	prefixed := ti.prefixed(k, max(n, 2))
	if len(prefixed) == 1 && len(k) >= 4 {
		return prefixed[0], true, nil
	}
	tol := tolerance(len(k))
	cands := ti.candidates(k, 24)
	for i := range cands {
		cands[i].dist = distance(k, ti.keys[cands[i].key], 3)
	}
	slices.SortStableFunc(cands, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(a.dist, b.dist), cmp.Compare(b.shared, a.shared), cmp.Compare(ti.owner[a.key], ti.owner[b.key]))
	})
	if len(cands) > 0 && cands[0].dist <= tol {
		best := ti.owner[cands[0].key]
		unique := true
		for _, c := range cands[1:] {
			if c.dist > cands[0].dist {
				break
			}
			if ti.owner[c.key] != best {
				unique = false
			}
		}
		if unique {
			return best, true, nil
		}
	}
	near = prefixed
	for _, c := range cands {
		// " k " has len(k) trigrams.
		jaccard := float64(c.shared) / float64(len(k)+len(ti.keys[c.key])-c.shared)
		if c.dist <= tol+1 || jaccard >= 0.25 {
			near = appendEntry(near, ti.owner[c.key])
		}
	}
	if len(near) > n {
		near = near[:n]
	}
	return -1, false, near
}

// prefixed returns up to n distinct entries with a key starting with k.
func (ti *titleIndex) prefixed(k string, n int) []int32 {
	i, _ := slices.BinarySearchFunc(ti.sorted, k, func(key int32, k string) int { return strings.Compare(ti.keys[key], k) })
	var out []int32
	for ; i < len(ti.sorted) && len(out) < n; i++ {
		key := ti.sorted[i]
		if !strings.HasPrefix(ti.keys[key], k) {
			break
		}
		out = appendEntry(out, ti.owner[key])
	}
	return out
}

func appendEntry(list []int32, ent int32) []int32 {
	if slices.Contains(list, ent) {
		return list
	}
	return append(list, ent)
}

// candidates returns up to n keys sharing the most trigrams with k.
func (ti *titleIndex) candidates(k string, n int) []candidate {
	gc := ti.counts.Get().(*gramCounter)
	defer ti.counts.Put(gc)
	forGrams(k, func(g uint32) {
		for _, key := range ti.grams[g] {
			gc.add(key)
		}
	})
	out := make([]candidate, 0, n+1)
	for _, key := range gc.touched {
		c := candidate{key: key, shared: int(gc.counts[key])}
		if len(out) == n && c.shared <= out[n-1].shared {
			continue
		}
		i := len(out)
		out = append(out, c)
		for i > 0 && (c.shared > out[i-1].shared || c.shared == out[i-1].shared && c.key < out[i-1].key) {
			out[i] = out[i-1]
			i--
		}
		out[i] = c
		if len(out) > n {
			out = out[:n]
		}
	}
	gc.reset()
	return out
}

// gramCounter counts shared trigrams per key.
type gramCounter struct {
	counts  []uint16
	touched []int32
}

func (g *gramCounter) add(key int32) {
	if g.counts[key] == 0 {
		g.touched = append(g.touched, key)
	}
	if g.counts[key] < 0xffff {
		g.counts[key]++
	}
}

func (g *gramCounter) reset() {
	for _, k := range g.touched {
		g.counts[k] = 0
	}
	g.touched = g.touched[:0]
}

// exactOrClose resolves a title named inside a request ("like Succession").
func (ti *titleIndex) exactOrClose(s string) (int32, bool) {
	ent, ok, _ := ti.lookup(s, 0)
	return ent, ok
}

// Suggestion names a title the bot knows, for "did you mean" and
// autocompletion.
type Suggestion struct {
	ID      string
	Title   string
	Years   string
	Mention bool // only mentioned in passing
}

// Label renders "Heat (1995)".
func (s Suggestion) Label() string { return s.Title + " (" + s.Years + ")" }

// Answer is what the creators said about a title.
type Answer struct {
	Title       *Title       // a pick: the whole commentary
	Mention     *Mention     // or a title mentioned in passing
	From        *Title       // the pick whose commentary mentions it, if any
	Suggestions []Suggestion // or, when nothing matched, what might have been meant
}

// Why finds a title by name, alias or id, forgiving case, punctuation, a
// leading "the" and typos. A miss returns up to three suggestions.
func (e *Engine) Why(title string) Answer {
	ent, ok, near := e.titles.lookup(title, 3)
	if !ok {
		a := Answer{}
		for _, n := range near {
			a.Suggestions = append(a.Suggestions, e.titles.suggestion(n))
		}
		return a
	}
	if t := e.titles.pick(ent); t != nil {
		return Answer{Title: t}
	}
	m := e.titles.mention(ent)
	return Answer{Mention: m, From: e.cat.Pick(m.Source)}
}

// Complete returns up to n titles for a partly typed name, for
// autocompletion: titles starting with it first, then close ones. An empty
// prefix lists the picks, then the mentions, in catalog order.
func (e *Engine) Complete(partial string, n int) []Suggestion {
	ti := e.titles
	var ents []int32
	k := normalizeText(partial)
	if k == "" {
		for i := 0; i < ti.entries() && len(ents) < n; i++ {
			ents = append(ents, int32(i))
		}
	} else {
		ents = ti.prefixed(k, n)
		if t := normalizeTitle(partial); t != k && len(ents) < n {
			for _, ent := range ti.prefixed(t, n) {
				ents = appendEntry(ents, ent)
			}
		}
		if len(ents) < n {
			for _, c := range ti.candidates(k, 2*n) {
				if c.shared >= 2 || len(k) < 4 {
					ents = appendEntry(ents, ti.owner[c.key])
				}
			}
		}
	}
	if len(ents) > n {
		ents = ents[:n]
	}
	out := make([]Suggestion, len(ents))
	for i, ent := range ents {
		out[i] = ti.suggestion(ent)
	}
	return out
}

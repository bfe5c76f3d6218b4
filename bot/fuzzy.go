package bot

import (
	"cmp"
	"slices"
	"strings"
	"sync"
)

// titleIndex finds titles the way people type them: case, punctuation, a
// leading "the", a year, aliases, release titles and typos forgiven.
// Entries number the picks first (0…len(Picks)-1), then the mentions, then
// the titles the bot knows from outside the list.
type titleIndex struct {
	cat    *Catalog
	others []Known
	exact  map[string]int32   // key → entry
	ids    map[string]int32   // id → entry
	keys   []string           // every key: titles, aliases and ids, normalised
	owner  []int32            // key → entry
	sorted []int32            // keys in lexical order, for prefixes
	grams  map[uint32][]int32 // trigram → keys holding it, ascending
	counts sync.Pool          // *gramCounter
}

func newTitleIndex(c *Catalog, k *Knowledge) *titleIndex {
	ti := &titleIndex{cat: c, exact: map[string]int32{}, grams: map[uint32][]int32{}}
	if k != nil {
		ti.others = k.Titles
	}
	n := len(c.keys) + len(c.Picks) + len(c.Mentions) + 2*len(ti.others)
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
	// Release titles, then the titles the bot knows of: a key the catalog
	// already holds stays the catalog's.
	for i := range c.Picks {
		for _, a := range c.Picks[i].AltTitles {
			addKey(int32(i), normalizeTitle(a))
		}
	}
	for i := range c.Mentions {
		for _, a := range c.Mentions[i].AltTitles {
			addKey(int32(len(c.Picks)+i), normalizeTitle(a))
		}
	}
	for i := range ti.others {
		ent := int32(len(c.Picks) + len(c.Mentions) + i)
		addKey(ent, normalizeTitle(ti.others[i].Title))
		for _, a := range ti.others[i].Aliases {
			addKey(ent, normalizeTitle(a))
		}
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

// entries counts the catalog's entries: autocompletion offers those.
func (ti *titleIndex) entries() int { return len(ti.cat.Picks) + len(ti.cat.Mentions) }

func (ti *titleIndex) pick(ent int32) *Title {
	if int(ent) < len(ti.cat.Picks) {
		return &ti.cat.Picks[ent]
	}
	return nil
}

func (ti *titleIndex) mention(ent int32) *Mention {
	if i := int(ent) - len(ti.cat.Picks); i >= 0 && i < len(ti.cat.Mentions) {
		return &ti.cat.Mentions[i]
	}
	return nil
}

func (ti *titleIndex) known(ent int32) *Known {
	if i := int(ent) - len(ti.cat.Picks) - len(ti.cat.Mentions); i >= 0 && i < len(ti.others) {
		return &ti.others[i]
	}
	return nil
}

func (ti *titleIndex) name(ent int32) string {
	if t := ti.pick(ent); t != nil {
		return t.Title
	}
	if m := ti.mention(ent); m != nil {
		return m.Title
	}
	return ti.known(ent).Title
}

func (ti *titleIndex) year(ent int32) int {
	if t := ti.pick(ent); t != nil {
		return t.Year
	}
	if m := ti.mention(ent); m != nil {
		return m.Year
	}
	return ti.known(ent).Year
}

// suggestion builds the Suggestion for an entry.
func (ti *titleIndex) suggestion(ent int32) Suggestion {
	if t := ti.pick(ent); t != nil {
		return Suggestion{ID: t.ID, Title: t.Title, Years: t.Years()}
	}
	if m := ti.mention(ent); m != nil {
		return Suggestion{ID: m.ID, Title: m.Title, Years: m.Years(), Mention: true}
	}
	k := ti.known(ent)
	return Suggestion{ID: k.ID, Title: k.Title, Years: k.Years(), Known: true}
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

// wordTolerance is how many edits one word of n letters may be from a
// title's word: "mad man" is Mad Men, "mad max" is not.
func wordTolerance(n int) int {
	switch {
	case n <= 2:
		return 0
	case n == 3:
		return 1
	}
	return tolerance(n)
}

// closeWords reports whether a query is a typo of a key word by word: every
// word within its own tolerance. Keys with another number of words (a
// missing space) are judged whole.
func closeWords(q, key string) bool {
	qw, kw := strings.Fields(q), strings.Fields(key)
	if len(qw) != len(kw) {
		return true
	}
	for i := range qw {
		if Distance(qw[i], kw[i], 3) > wordTolerance(len(qw[i])) {
			return false
		}
	}
	return true
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
	// "heat 1995", "Mad Men (2007)": a year after the title picks it out.
	if i := strings.LastIndexByte(k, ' '); i > 0 {
		if y, isYear := yearOf(k[i+1:]); isYear {
			if ent, ok, near := ti.lookup(k[:i], n); ok && ti.year(ent) == y {
				return ent, true, nil
			} else if !ok && len(near) > 0 {
				return -1, false, near
			}
		}
	}
	// A unique prefix names its title: "peep" is Peep Show.
	prefixed := ti.prefixed(k, max(n, 2))
	if len(prefixed) == 1 && len(k) >= 4 {
		return prefixed[0], true, nil
	}
	tol := tolerance(len(k))
	cands := ti.candidates(k, 24)
	for i := range cands {
		cands[i].dist = Distance(k, ti.keys[cands[i].key], 3)
	}
	slices.SortStableFunc(cands, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(a.dist, b.dist), cmp.Compare(b.shared, a.shared), cmp.Compare(ti.owner[a.key], ti.owner[b.key]))
	})
	if len(cands) > 0 && cands[0].dist <= tol && closeWords(k, ti.keys[cands[0].key]) {
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

// exactKey finds a title by its exact key, or its key and year.
func (ti *titleIndex) exactKey(s string) (int32, bool) {
	k := normalizeTitle(s)
	if ent, ok := ti.exact[k]; ok {
		return ent, true
	}
	if i := strings.LastIndexByte(k, ' '); i > 0 {
		if y, isYear := yearOf(k[i+1:]); isYear {
			if ent, ok := ti.exact[normalizeTitle(k[:i])]; ok && ti.year(ent) == y {
				return ent, true
			}
		}
	}
	return -1, false
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
	Known   bool // not on the creators' list at all: a title the bot knows of
}

// Label renders "Heat (1995)".
func (s Suggestion) Label() string { return s.Title + " (" + s.Years + ")" }

// Answer is what the creators said about a title.
type Answer struct {
	Title   *Title   // a pick: the whole commentary
	Mention *Mention // or a title mentioned in passing
	From    *Title   // the pick whose commentary mentions it, if any
	// Known is a title the bot knows that is not on the creators' list;
	// Closest are then the picks it leads to, in the bot's own view.
	Known       *Known
	Closest     []Pick
	Suggestions []Suggestion // or, when nothing matched, what might have been meant
}

// Why finds a title by name, alias, release title or id, forgiving case,
// punctuation, a leading "the", a year and typos, or by a description that
// picks out one title ("the lee pace one"). A title outside the list that
// the bot knows answers with the closest picks; a miss returns up to three
// suggestions.
func (e *Engine) Why(title string) Answer {
	ent, ok, near := e.titles.lookup(title, 3)
	if !ok {
		if t := e.describe(title); t != nil {
			return Answer{Title: t}
		}
		a := Answer{}
		for _, n := range near {
			if e.titles.known(n) == nil {
				a.Suggestions = append(a.Suggestions, e.titles.suggestion(n))
			}
		}
		return a
	}
	if t := e.titles.pick(ent); t != nil {
		return Answer{Title: t}
	}
	if m := e.titles.mention(ent); m != nil {
		return Answer{Mention: m, From: e.cat.Pick(m.Source)}
	}
	k := e.titles.known(ent)
	a := Answer{Known: k}
	for _, l := range k.LeadsTo {
		if t := e.cat.Pick(l.Pick); t != nil {
			a.Closest = append(a.Closest, Pick{Title: t, Excerpt: Clip(firstSentence(t), excerptRunes), Reasons: []string{"like " + k.Title + ": " + l.Because}, Matched: []string{k.Title}})
		}
	}
	return a
}

// describe finds the one pick a description names ("the pacino de niro
// one", "the facebook one"): the pick that has everything it asks for,
// where no other pick comes close. Otherwise nil.
func (e *Engine) describe(text string) *Title {
	if !describes(text) {
		return nil
	}
	q := e.parse(text, "")
	if q.about >= 0 {
		return e.titles.pick(q.about)
	}
	if q.like >= 0 || len(q.clauses) == 0 || len(q.constraints) > 0 {
		return nil
	}
	for _, c := range q.clauses {
		if c.neg || c.sort != 0 || c.maxRun != 0 {
			return nil
		}
	}
	acc := e.accums.Get().(*accumulator)
	defer func() { acc.reset(); e.accums.Put(acc) }()
	acc.q = &q
	for _, c := range q.clauses {
		e.scoreClause(c, "", acc)
	}
	top := acc.top(2, func(int32) bool { return true })
	if len(top) == 0 || int(acc.hits[top[0]]) < len(q.clauses) || len(top) == 2 && acc.scores[top[1]] >= 0.75*acc.scores[top[0]] {
		return nil
	}
	part := e.part(top[0])
	for _, c := range q.clauses {
		if _, _, inWords := e.bestReason(c, part, top[0]); inWords {
			return nil // the creators' words alone do not name a title
		}
	}
	return &e.cat.Picks[top[0]]
}

// describes reports whether a /why text is worded as a description rather
// than a title: "the lee pace one", "the one with the black opal", "that
// film about facebook".
func describes(text string) bool {
	w := strings.Fields(normalizeText(text))
	for i, x := range w {
		switch x {
		case "one", "with", "where", "about", "starring", "stars":
			return true
		case "that", "the":
			if i+1 < len(w) && (w[i+1] == "film" || w[i+1] == "movie" || w[i+1] == "show" || w[i+1] == "series") {
				return true
			}
		}
	}
	return false
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

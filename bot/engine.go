package bot

import (
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
)

// MaxPicks is the most picks one recommendation returns.
const MaxPicks = 3

// Weights of a query word found in each part of a pick. A title word
// outweighs a tag, a tag outweighs a name, and a word of the commentary counts
// by how rare it is across the catalog (at most commentaryWeight).
const (
	titleWeight      = 8
	tagPhraseWeight  = 5 // plus one per extra word of a multi-word tag
	tagWordWeight    = 2
	peopleWeight     = 3
	commentaryWeight = 2.5
	synonymFactor    = 0.6
	likeTagWeight    = 3
	likePeopleWeight = 4
)

type field uint8

const (
	fieldTitle field = iota
	fieldTag
	fieldPeople
)

// posting says that a term occurs in one pick, in one field, with a weight.
// label indexes Engine.labels: the tag or name the term came from.
type posting struct {
	doc   int32
	label int32
	w     float32
	field field
}

// cposting says that a word occurs in one pick's commentary, with its
// weight: the bulk of the index, so it is kept small.
type cposting struct {
	doc int32
	w   float32
}

// tagPostings lists the picks that carry one tag.
type tagPostings struct {
	label string // the tag as the catalog writes it
	docs  []int32
}

// Engine answers recommendations, lookups and random picks from a catalog.
// It builds its indexes once; after that it is safe for concurrent use.
type Engine struct {
	wordIndex
	cat         *Catalog
	titles      *titleIndex         // fuzzy title lookup
	intn        func(n int) int     // random source for Random
	accums      sync.Pool           // *accumulator, reused across calls
	synonyms    map[string][]string // stemmed word → stemmed tag phrases
	kindWords   map[string]Kind     // "movie" → Film …
	likeMarkers []string            // "like", "similar to" …
}

// EngineOption configures an Engine.
type EngineOption func(*Engine)

// WithRand sets the random source Random draws from: intn(n) returns an int
// in [0, n). Tests pass a seeded source; the default is math/rand/v2.
func WithRand(intn func(n int) int) EngineOption {
	return func(e *Engine) { e.intn = intn }
}

// NewEngine indexes a validated catalog.
func NewEngine(c *Catalog, opts ...EngineOption) *Engine {
	e := &Engine{cat: c, intn: rand.IntN}
	for _, o := range opts {
		o(e)
	}
	e.synonyms = make(map[string][]string, len(synonyms))
	for word, related := range synonyms {
		for _, r := range related {
			e.synonyms[stem(word)] = append(e.synonyms[stem(word)], strings.Join(terms(r), " "))
		}
	}
	e.kindWords = map[string]Kind{}
	for _, w := range []string{"film", "films", "movie", "movies", "cinema", "feature"} {
		e.kindWords[stem(w)] = Film
	}
	for _, w := range []string{"tv", "series", "show", "shows", "television", "telly", "sitcom"} {
		e.kindWords[stem(w)] = TV
	}
	e.likeMarkers = []string{"similar to ", "in the vein of ", "in the style of ", "like "}

	// The title index and the word index share nothing: build them on two
	// cores.
	titles := make(chan *titleIndex, 1)
	go func() { titles <- newTitleIndex(c) }()
	e.wordIndex = buildWordIndex(c)
	e.titles = <-titles
	e.accums.New = func() any { return newAccumulator(len(c.Picks)) }
	return e
}

// Catalog returns the catalog the engine indexes.
func (e *Engine) Catalog() *Catalog { return e.cat }

// Pick is one recommended title with the passage that fits the request and
// the reasons it matched.
type Pick struct {
	Title   *Title
	Excerpt string   // a short pull from the commentary
	Reasons []string // what matched: `tag “tense”`, `“panic” in their words` …
}

// Recommendation is the answer to a free-text request.
type Recommendation struct {
	Picks []Pick
	Kind  Kind   // the kind applied: from the option, or read from the words
	Like  string // the title the request asked to be "like", when one was found
	// Repeated is set when every match had been shown already, so the picks
	// start the matches over instead of answering with nothing.
	Repeated bool
	// Empty is set when the query had no words to match: the picks are the
	// creators' list in order.
	Empty bool
}

// qterm is one weighted thing to look for.
type qterm struct {
	word   string  // look up in index (all fields, or people only)
	tag    string  // or look up this stemmed tag phrase
	w      float32 // multiplier for word postings, weight for tags
	people bool    // word postings: people field only
	reason string  // for tags: the reason to show; for words: the word as typed
}

// query is a request after reading it.
type query struct {
	terms   []qterm
	kind    Kind
	like    int32 // entry of the titleIndex, or -1
	skipDoc int32 // a pick not to recommend (the one it should be like), or -1
}

// Recommend returns up to MaxPicks picks for a free-text query such as
// "something tense", "british comedy" or "like Succession", best first with
// ties in catalog order. kind restricts the picks ("" reads it from the words:
// "on tv", "a film"). Picks whose ids are in exclude are skipped unless that
// leaves nothing, in which case Repeated is set and they count again.
func (e *Engine) Recommend(text string, kind Kind, exclude []string) Recommendation {
	q := e.parse(text, kind)
	rec := Recommendation{Kind: q.kind}
	if q.like >= 0 {
		rec.Like = e.titles.name(q.like)
	}
	if len(q.terms) == 0 {
		rec.Empty = true
		rec.Picks, rec.Repeated = e.listOrder(q.kind, exclude)
		return rec
	}
	acc := e.accums.Get().(*accumulator)
	defer func() { acc.reset(); e.accums.Put(acc) }()
	e.score(q, acc)
	skip := toSet(exclude)
	top := acc.top(MaxPicks, func(d int32) bool { return e.allowed(d, q, skip) })
	if len(top) == 0 && len(skip) > 0 {
		top = acc.top(MaxPicks, func(d int32) bool { return e.allowed(d, q, nil) })
		rec.Repeated = len(top) > 0
	}
	for _, d := range top {
		rec.Picks = append(rec.Picks, e.pick(d, q))
	}
	return rec
}

func (e *Engine) allowed(d int32, q query, skip map[string]bool) bool {
	t := &e.cat.Picks[d]
	return d != q.skipDoc && (q.kind == "" || t.Kind == q.kind) && !skip[t.ID]
}

// listOrder returns the first picks of kind in catalog order that are not
// excluded, or, when every one is, the first ones again.
func (e *Engine) listOrder(kind Kind, exclude []string) (picks []Pick, repeated bool) {
	collect := func(skip map[string]bool) []Pick {
		var out []Pick
		for i := range e.cat.Picks {
			t := &e.cat.Picks[i]
			if kind != "" && t.Kind != kind || skip[t.ID] {
				continue
			}
			out = append(out, Pick{Title: t, Excerpt: Clip(firstSentence(t), excerptRunes)})
			if len(out) == MaxPicks {
				break
			}
		}
		return out
	}
	skip := toSet(exclude)
	if out := collect(skip); len(out) > 0 || skip == nil {
		return out, false
	}
	out := collect(nil)
	return out, len(out) > 0
}

// parse reads the kind, a "like X" and the words of a query.
func (e *Engine) parse(text string, kind Kind) query {
	q := query{kind: kind, like: -1, skipDoc: -1}
	norm := normalizeText(text)
	for _, marker := range e.likeMarkers {
		i := strings.Index(" "+norm, " "+marker)
		if i < 0 {
			continue
		}
		rest := norm[i+len(marker):]
		// The title may be followed by more words ("like heat but funnier"):
		// try the longest run of words that names a title.
		words := strings.Fields(rest)
		for n := len(words); n > 0; n-- {
			if ent, ok := e.titles.exactOrClose(strings.Join(words[:n], " ")); ok {
				q.like = ent
				norm = norm[:i] + " " + strings.Join(words[n:], " ")
				break
			}
		}
		break
	}
	words := strings.Fields(norm)
	for i, w := range words {
		words[i] = stem(w)
	}
	// Tag phrases first, on the words as typed (tags like "coming of age"
	// hold stopwords), longest first.
	for size := min(e.maxTagWords, len(words)); size >= 1; size-- {
		for i := 0; i+size <= len(words); i++ {
			key := strings.Join(words[i:i+size], " ")
			if tp, ok := e.tags[key]; ok && !(size == 1 && stopwords[key]) {
				q.terms = append(q.terms, qterm{tag: key, w: tagPhraseWeight + float32(size-1), reason: "tag “" + tp.label + "”"})
			}
		}
	}
	seen := map[string]bool{}
	for _, w := range words {
		if k, ok := e.kindWords[w]; ok {
			if q.kind == "" {
				q.kind = k
			}
			continue
		}
		if stopwords[w] || len(w) < 2 || seen[w] {
			continue
		}
		seen[w] = true
		q.terms = append(q.terms, qterm{word: w, w: 1, reason: w})
		for _, rel := range e.synonyms[w] {
			if tp, ok := e.tags[rel]; ok && rel != w {
				q.terms = append(q.terms, qterm{tag: rel, w: tagPhraseWeight * synonymFactor, reason: "tag “" + tp.label + "”"})
			}
		}
	}
	if q.like >= 0 {
		tags, people, pick := e.titles.profile(q.like)
		q.skipDoc = pick
		for _, tag := range tags {
			key := strings.Join(terms(tag), " ")
			q.terms = append(q.terms, qterm{tag: key, w: likeTagWeight, reason: "shares “" + tag + "”"})
		}
		for _, p := range people {
			for _, w := range terms(p) {
				if len(w) >= 2 && !stopwords[w] {
					q.terms = append(q.terms, qterm{word: w, w: float32(likePeopleWeight) / peopleWeight, people: true, reason: "shares " + p})
				}
			}
		}
	}
	return q
}

// score adds every term's postings to acc.
func (e *Engine) score(q query, acc *accumulator) {
	for _, t := range q.terms {
		if t.tag != "" {
			if tp := e.tags[t.tag]; tp != nil {
				for _, d := range tp.docs {
					acc.add(d, t.w)
				}
			}
			continue
		}
		for i := range e.parts {
			meta, comment := e.parts[i].lookup(t.word)
			for _, p := range meta {
				if t.people && p.field != fieldPeople {
					continue
				}
				acc.add(p.doc, p.w*t.w)
			}
			if !t.people {
				for _, p := range comment {
					acc.add(p.doc, p.w*t.w)
				}
			}
		}
	}
}

// pick explains why doc matched: its reasons, strongest first, and the
// sentence of the commentary that best fits the query.
func (e *Engine) pick(d int32, q query) Pick {
	type hit struct {
		reason string
		w      float32
	}
	var hits []hit
	var words []string
	part := e.part(d)
	for _, t := range q.terms {
		if t.tag != "" {
			if tp := e.tags[t.tag]; tp != nil {
				if _, ok := slices.BinarySearch(tp.docs, d); ok {
					hits = append(hits, hit{t.reason, t.w})
				}
			}
			continue
		}
		ps, comment := part.lookup(t.word)
		if !t.people {
			if i, ok := slices.BinarySearchFunc(comment, d, func(p cposting, d int32) int { return int(p.doc - d) }); ok {
				hits = append(hits, hit{"“" + t.reason + "” in their words", comment[i].w * t.w})
				words = append(words, t.word)
			}
		}
		i, _ := slices.BinarySearchFunc(ps, d, func(p posting, d int32) int { return int(p.doc - d) })
		for ; i < len(ps) && ps[i].doc == d; i++ {
			p := ps[i]
			if t.people && p.field != fieldPeople {
				continue
			}
			var r string
			switch {
			case t.people:
				r = t.reason
			case p.field == fieldTitle:
				r = "title “" + t.reason + "”"
			case p.field == fieldTag:
				r = "tag “" + part.labels[p.label] + "”"
			default:
				r = part.labels[p.label]
			}
			hits = append(hits, hit{r, p.w * t.w})
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int {
		switch {
		case a.w > b.w:
			return -1
		case a.w < b.w:
			return 1
		}
		return 0
	})
	var reasons []string
	for _, h := range hits {
		if !slices.Contains(reasons, h.reason) {
			reasons = append(reasons, h.reason)
		}
		if len(reasons) == 3 {
			break
		}
	}
	t := &e.cat.Picks[d]
	return Pick{Title: t, Excerpt: excerpt(t, words), Reasons: reasons}
}

// excerptRunes bounds the pull from the commentary shown with a pick.
const excerptRunes = 220

// excerpt returns the sentence of t's commentary holding the most of words,
// or its first sentence, clipped to excerptRunes.
func excerpt(t *Title, words []string) string {
	best, bestHits := "", 0
	var buf []byte
	for _, p := range t.Commentary {
		for _, s := range sentences(p) {
			if best == "" {
				best = s
			}
			if len(words) == 0 {
				break
			}
			hits := 0
			buf = scanWords(s, buf, func(w []byte) {
				w = stemBytes(w)
				for _, x := range words {
					if string(w) == x {
						hits++
						break
					}
				}
			})
			if hits > bestHits {
				best, bestHits = s, hits
			}
		}
	}
	return Clip(best, excerptRunes)
}

func firstSentence(t *Title) string {
	if s := sentences(t.Commentary[0]); len(s) > 0 {
		return s[0]
	}
	return t.Commentary[0]
}

// Random returns one pick of kind ("" for either) whose id is not in exclude.
// When exclude covers every pick of that kind, only the most recent one
// (exclude[0]) is avoided and reset is true: the rotation starts over.
func (e *Engine) Random(kind Kind, exclude []string) (t *Title, reset bool) {
	docs := e.byKind[kind]
	if kind == "" {
		docs = nil // nil means every pick
	}
	n := len(docs)
	if kind == "" {
		n = len(e.cat.Picks)
	}
	if n == 0 {
		return nil, false
	}
	at := func(i int) *Title {
		if docs == nil {
			return &e.cat.Picks[i]
		}
		return &e.cat.Picks[docs[i]]
	}
	skip := toSet(exclude)
	// Most draws land on a pick not excluded; a few tries avoid building the
	// list of candidates.
	for range 8 {
		if t := at(e.intn(n)); !skip[t.ID] {
			return t, false
		}
	}
	var free []int
	for i := range n {
		if !skip[at(i).ID] {
			free = append(free, i)
		}
	}
	if len(free) > 0 {
		return at(free[e.intn(len(free))]), false
	}
	if n == 1 {
		return at(0), true
	}
	for {
		if t := at(e.intn(n)); t.ID != exclude[0] {
			return t, true
		}
	}
}

func toSet(ids []string) map[string]bool {
	if len(ids) == 0 {
		return nil
	}
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// accumulator sums scores per pick without a map: a dense array, plus the
// list of picks touched so reset costs what the query touched.
type accumulator struct {
	scores  []float32
	touched []int32
}

func newAccumulator(n int) *accumulator {
	return &accumulator{scores: make([]float32, n)}
}

func (a *accumulator) add(d int32, w float32) {
	if a.scores[d] == 0 {
		a.touched = append(a.touched, d)
	}
	a.scores[d] += w
}

func (a *accumulator) reset() {
	for _, d := range a.touched {
		a.scores[d] = 0
	}
	a.touched = a.touched[:0]
}

// top returns up to k touched picks that ok accepts, best score first, ties
// in catalog order.
func (a *accumulator) top(k int, ok func(int32) bool) []int32 {
	best := make([]int32, 0, k+1)
	better := func(x, y int32) bool {
		if a.scores[x] != a.scores[y] {
			return a.scores[x] > a.scores[y]
		}
		return x < y
	}
	for _, d := range a.touched {
		if len(best) == k && !better(d, best[k-1]) {
			continue
		}
		if !ok(d) {
			continue
		}
		i := len(best)
		best = append(best, d)
		for i > 0 && better(d, best[i-1]) {
			best[i] = best[i-1]
			i--
		}
		best[i] = d
		if len(best) > k {
			best = best[:k]
		}
	}
	return best
}

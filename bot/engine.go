package bot

import (
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
)

// MaxPicks is the most picks one recommendation returns.
const MaxPicks = 3

// Engine answers recommendations, lookups and random picks from a catalog,
// and from what the bot knows of other titles. It builds its indexes once;
// after that it is safe for concurrent use.
type Engine struct {
	wordIndex
	cat       *Catalog
	knowledge *Knowledge
	titles    *titleIndex     // fuzzy title lookup: picks, mentions, known titles
	lex       *lexicon        // how people ask
	intn      func(n int) int // random source for Random and free picks
	accums    sync.Pool       // *accumulator, reused across calls
	kinds     []Kind          // each pick's kind, packed for scoring
	// featureCache holds what each pick asked "like" is made of
	// (*Title → []feature).
	featureCache sync.Map
	// sentenceCache holds the sentences of each pick shown with a pull
	// from its words (*Title → []sentence).
	sentenceCache sync.Map
	// knownPeople finds the titles outside the list a person is in, by
	// full name and surname: "nothing on the list stars Tom Cruise".
	knownPeople map[string][]int32
}

// EngineOption configures an Engine.
type EngineOption func(*Engine)

// WithRand sets the random source Random draws from: intn(n) returns an int
// in [0, n). Tests pass a seeded source; the default is math/rand/v2.
func WithRand(intn func(n int) int) EngineOption {
	return func(e *Engine) { e.intn = intn }
}

// WithKnowledge gives the engine what the bot knows of titles outside the
// creators' list (see ParseKnowledge), for "like Billions" and "/why
// billions".
func WithKnowledge(k *Knowledge) EngineOption {
	return func(e *Engine) { e.knowledge = k }
}

var sharedLexicon = sync.OnceValue(newLexicon)

// NewEngine indexes a validated catalog.
func NewEngine(c *Catalog, opts ...EngineOption) *Engine {
	e := &Engine{cat: c, intn: rand.IntN, lex: sharedLexicon()}
	for _, o := range opts {
		o(e)
	}
	// The title index and the word index share nothing: build them on two
	// cores.
	titles := make(chan *titleIndex, 1)
	go func() { titles <- newTitleIndex(c, e.knowledge) }()
	e.wordIndex = buildWordIndex(c)
	e.vocabulary.add(e.lex.words...)
	e.titles = <-titles
	if e.knowledge != nil {
		// Full names, and surnames only one person has.
		e.knownPeople = map[string][]int32{}
		surnames := map[string]string{}
		for i := range e.knowledge.Titles {
			k := &e.knowledge.Titles[i]
			for _, p := range append(slices.Clone(k.People), k.Credit.Names...) {
				words := strings.Fields(normalizeText(p))
				if len(words) == 0 {
					continue
				}
				e.vocabulary.add(words...)
				full := strings.Join(words, " ")
				e.knownPeople[full] = appendEntry(e.knownPeople[full], int32(i))
				if last := words[len(words)-1]; len(words) > 1 && len(last) >= 4 {
					if other, ok := surnames[last]; ok && other != full {
						surnames[last] = "" // two people: not a name on its own
					} else if !ok {
						surnames[last] = full
					}
				}
			}
		}
		for last, full := range surnames {
			if full != "" && e.knownPeople[last] == nil {
				e.knownPeople[last] = e.knownPeople[full]
			}
		}
	}
	e.kinds = make([]Kind, len(c.Picks))
	for i := range c.Picks {
		e.kinds[i] = c.Picks[i].Kind
	}
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
	Reasons []string // what matched: "stars Al Pacino", "mood “tense”", "like Billions: corporate power games"
	// Matched holds the words of the request that each reason rests on.
	Matched []string
}

// Recommendation is the answer to a free-text request.
type Recommendation struct {
	Picks []Pick
	Kind  Kind   // the kind applied: from the option, or read from the words
	Like  string // the title the request asked to be "like", when one was found
	// Known is set when that title is one the bot knows of but that is not
	// on the creators' list: the picks are the bot's own view of what it
	// leads to.
	Known *Known
	// Repeated is set when every match had been shown already, so the picks
	// start the matches over instead of answering with nothing.
	Repeated bool
	// Empty is set when the query had no words at all: the picks are the
	// creators' list in order.
	Empty bool
	// Varied is set when the query stated no preference ("surprise me"):
	// the picks are a free choice, varied from call to call.
	Varied bool
	// NoFit names what the query asked for that nothing on the list is ("a
	// documentary", or the query itself): Picks are then the closest real
	// alternatives, if any.
	NoFit string
}

// Recommend returns up to MaxPicks picks for a free-text query such as
// "something tense", "al pacino", "set in 90s new york" or "like Billions",
// best first with ties in catalog order. kind restricts the picks ("" reads
// it from the words: "on tv", "a film"). Picks whose ids are in exclude are
// skipped unless that leaves nothing, in which case Repeated is set and
// they count again.
func (e *Engine) Recommend(text string, kind Kind, exclude []string) Recommendation {
	if strings.TrimSpace(text) == "" {
		rec := Recommendation{Kind: kind, Empty: true}
		rec.Picks, rec.Repeated = e.listOrder(kind, exclude)
		return rec
	}
	q := e.parse(text, kind)
	rec := Recommendation{Kind: q.kind}
	if q.like >= 0 {
		rec.Like = e.titles.name(q.like)
		rec.Known = e.titles.known(q.like)
	}
	acc := e.accums.Get().(*accumulator)
	defer func() { acc.reset(); e.accums.Put(acc) }()
	m := e.match(q, acc)
	skip := toSet(exclude)
	allowed := func(skip map[string]bool) func(d int32) bool {
		return func(d int32) bool {
			t := &e.cat.Picks[d]
			return !m.ruledOut[d] && (q.kind == "" || t.Kind == q.kind) && !skip[t.ID] && m.fits(d)
		}
	}
	if m.free {
		rec.Varied = true
		rec.Picks, rec.Repeated = e.freePicks(q.kind, allowed, skip)
		return rec
	}
	if m.noFit != "" {
		rec.NoFit = m.noFit
		acc.reset()
		acc.q = m.q
		e.closest(q, m, acc)
		m.constraints = nil
	}
	top := acc.top(MaxPicks, allowed(skip))
	if len(top) == 0 && len(skip) > 0 {
		top = acc.top(MaxPicks, allowed(nil))
		rec.Repeated = len(top) > 0
	}
	if len(top) == 0 && rec.NoFit == "" && len(q.clauses) > 0 {
		rec.NoFit = Clip(q.text, 80)
	}
	for _, d := range top {
		rec.Picks = append(rec.Picks, e.explain(d, acc))
	}
	return rec
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

// freePicks deals up to MaxPicks allowed picks at random: the answer to a
// request with no preference.
func (e *Engine) freePicks(kind Kind, allowed func(map[string]bool) func(int32) bool, skip map[string]bool) ([]Pick, bool) {
	reason := "a free pick: you named no preference"
	if kind != "" {
		reason = "a free pick among the " + kindNoun(kind, 2)
	}
	deal := func(ok func(int32) bool) []Pick {
		var free []int32
		for d := range int32(len(e.cat.Picks)) {
			if ok(d) {
				free = append(free, d)
			}
		}
		var out []Pick
		for len(free) > 0 && len(out) < MaxPicks {
			i := e.intn(len(free))
			t := &e.cat.Picks[free[i]]
			out = append(out, Pick{Title: t, Excerpt: Clip(firstSentence(t), excerptRunes), Reasons: []string{reason}})
			free[i] = free[len(free)-1]
			free = free[:len(free)-1]
		}
		return out
	}
	if out := deal(allowed(skip)); len(out) > 0 || skip == nil {
		return out, false
	}
	out := deal(allowed(nil))
	return out, len(out) > 0
}

// excerptRunes bounds the pull from the commentary shown with a pick.
const excerptRunes = 220

// sentence is one sentence of a commentary and its stemmed words.
type sentence struct {
	text  string
	words []string
}

func splitSentences(t *Title) []sentence {
	var out []sentence
	for _, p := range t.Commentary {
		for _, s := range sentences(p) {
			out = append(out, sentence{text: s, words: terms(s)})
		}
	}
	return out
}

// excerptOf returns the sentence holding the most of words, or the first.
func excerptOf(ss []sentence, words []string, t *Title) string {
	best, bestHits := "", 0
	for _, s := range ss {
		if best == "" {
			best = s.text
		}
		hits := 0
		for _, w := range s.words {
			if slices.Contains(words, w) {
				hits++
			}
		}
		if hits > bestHits {
			best, bestHits = s.text, hits
		}
	}
	if best == "" {
		best = firstSentence(t)
	}
	return Clip(best, excerptRunes)
}

// excerpt returns the sentence of t's commentary holding the most of words,
// or its first sentence, clipped to excerptRunes. Each pick's sentences are
// split once, the first time it is shown with a pull from them.
func (e *Engine) excerpt(t *Title, words []string) string {
	if len(words) == 0 {
		return Clip(firstSentence(t), excerptRunes)
	}
	ss, ok := e.sentenceCache.Load(t)
	if !ok {
		ss = splitSentences(t)
		e.sentenceCache.Store(t, ss)
	}
	return excerptOf(ss.([]sentence), words, t)
}

func firstSentence(t *Title) string {
	p := t.Commentary[0]
	// sentences(p)[0], without splitting the rest of the paragraph.
	for i := 0; i < len(p); i++ {
		if c := p[i]; c != '.' && c != '!' && c != '?' {
			continue
		}
		if s := sentences(p[:min(len(p), i+8)]); len(s) > 1 {
			return s[0]
		}
	}
	if s := sentences(p); len(s) > 0 {
		return s[0]
	}
	return p
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
// list of picks touched so reset costs what the query touched. A clause is
// scored into cur first, so that a pick counts only its best match of
// each clause, then folded into scores.
type accumulator struct {
	scores  []float32
	touched []int32
	hits    []uint8 // clauses each pick matched
	cur     []float32
	curDocs []int32
	q       *query
	notes   map[int32][2]string // a reason found while scoring, and what it rests on
}

// note keeps the first reason found for pick d while scoring.
func (a *accumulator) note(d int32, reason, matched string) {
	if a.notes == nil {
		a.notes = map[int32][2]string{}
	}
	if _, ok := a.notes[d]; !ok {
		a.notes[d] = [2]string{reason, matched}
	}
}

func newAccumulator(n int) *accumulator {
	return &accumulator{scores: make([]float32, n), hits: make([]uint8, n), cur: make([]float32, n)}
}

func (a *accumulator) add(d int32, w float32) {
	if a.scores[d] == 0 {
		a.touched = append(a.touched, d)
	}
	a.scores[d] += w
}

// best keeps the best match of the current clause.
func (a *accumulator) best(d int32, w float32) {
	if a.cur[d] == 0 {
		a.curDocs = append(a.curDocs, d)
	}
	a.cur[d] = max(a.cur[d], w)
}

// fold adds the current clause's matches, weighed, to the scores of the
// picks ok accepts, and reports whether any was accepted.
func (a *accumulator) fold(weight float32, ok func(int32) bool) bool {
	any := false
	for _, d := range a.curDocs {
		if ok == nil || ok(d) {
			a.add(d, weight*a.cur[d])
			if a.hits[d] < 255 {
				a.hits[d]++
			}
			any = true
		}
		a.cur[d] = 0
	}
	a.curDocs = a.curDocs[:0]
	return any
}

// cover scales each score by the share of the n clauses the pick matched:
// a pick that has everything asked for beats one that has one thing a lot.
func (a *accumulator) cover(n int) {
	for _, d := range a.touched {
		a.scores[d] *= 0.4 + 0.6*float32(a.hits[d])/float32(n)
	}
}

func (a *accumulator) reset() {
	for _, d := range a.touched {
		a.scores[d] = 0
		a.hits[d] = 0
	}
	a.touched = a.touched[:0]
	for _, d := range a.curDocs {
		a.cur[d] = 0
	}
	a.curDocs = a.curDocs[:0]
	a.q = nil
	clear(a.notes)
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
		if a.scores[d] <= 0 || len(best) == k && !better(d, best[k-1]) {
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

package bot

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// A query is a request read the way a person would read it: what it is
// like, what it insists on, what it rules out, and the things it asks for,
// each a clause that any of several catalog terms can satisfy.
type query struct {
	text        string
	clauses     []clause
	kind        Kind
	like        int32   // title-index entry the request should be like, or -1
	alsoLike    []int32 // more titles it should be like: "heat and michael clayton"
	about       int32   // pick the request names outright ("heat 1995"), or -1
	constraints []constraint
	negKinds    []Kind
}

// likes lists every title the request should be like.
func (q *query) likes() []int32 {
	if q.like < 0 {
		return nil
	}
	return append([]int32{q.like}, q.alsoLike...)
}

// clause is one thing a request asks for ("tense", "al pacino", "90s"):
// the catalog terms that satisfy it, each with how well.
type clause struct {
	text    string  // as typed (after typo correction), for the reason
	alts    []alt   // index keys
	comment string  // stemmed word to look for in the commentary, or ""
	neg     bool    // a thing the request rules out
	sort    int     // +1 newest first, -1 oldest first
	maxRun  int     // a film no longer than this many minutes
	weight  float32 // how much the clause counts; 1 unless a like
}

type alt struct {
	key string
	w   float32
}

// kindWords say which kind a request wants.
var kindWords = map[string]Kind{}

func init() {
	for _, w := range []string{"film", "films", "movie", "movies", "cinema", "feature", "features", "flick", "flicks"} {
		kindWords[stem(w)] = Film
	}
	for _, w := range []string{"tv", "series", "show", "shows", "television", "telly", "sitcom", "sitcoms", "binge", "bingeable", "episodes", "seasons", "boxset", "box set"} {
		kindWords[stemPhrase(w)] = TV
	}
}

// eraModes say whether an era is when a title came out or when it is set.
const (
	eraEither = iota
	eraSet
	eraReleased
)

// lexicon is the lexicon with its phrases stemmed, made once.
type lexicon struct {
	related     map[string][]rel
	constraints map[string]constraint
	filler      map[string]bool
	function    map[string]bool
	negators    map[string]bool
	like        [][]string // like markers as words
	maxPhrase   int
	words       []string // every word it knows, for typos
}

func newLexicon() *lexicon {
	lx := &lexicon{related: map[string][]rel{}, constraints: map[string]constraint{}, filler: filler, function: functionWords, negators: negators}
	words := map[string]bool{}
	note := func(s string) int {
		f := strings.Fields(normalizeText(s))
		for _, w := range f {
			words[w] = true
		}
		return len(f)
	}
	// Words that stem alike ("banker", "bankers") share one entry: what
	// each says it means is merged, the stronger weight kept, in the
	// words' order, so that the lexicon is the same on every start (map
	// order once chose one of them at random).
	for _, k := range slices.Sorted(maps.Keys(related)) {
		st := stemPhrase(k)
		out := lx.related[st]
	next:
		for _, r := range related[k] {
			to := r.to
			if !strings.HasPrefix(to, "@") {
				to = stemPhrase(to)
			}
			for i := range out {
				if out[i].to == to {
					out[i].w = max(out[i].w, r.w)
					continue next
				}
			}
			out = append(out, rel{to, r.w})
		}
		lx.related[st] = out
		lx.maxPhrase = max(lx.maxPhrase, note(k))
	}
	for _, k := range slices.Sorted(maps.Keys(constraints)) {
		if _, ok := lx.constraints[stemPhrase(k)]; !ok { // the first in order, as with related
			lx.constraints[stemPhrase(k)] = constraints[k]
		}
		lx.maxPhrase = max(lx.maxPhrase, note(k))
	}
	for _, m := range likeMarkers {
		lx.like = append(lx.like, strings.Fields(m))
		note(m)
	}
	for _, list := range [][]string{fillerWords, functionList, negatorWords} {
		for _, w := range list {
			note(w)
		}
	}
	for w := range words {
		lx.words = append(lx.words, w)
	}
	return lx
}

// parse reads a request.
func (e *Engine) parse(text string, kind Kind) query {
	q := query{text: text, kind: kind, like: -1, about: -1}
	words := strings.Fields(normalizeText(maskIdioms(text)))
	words = e.findLike(&q, words)
	if q.like < 0 {
		e.findAbout(&q, words)
		if q.about >= 0 {
			return q
		}
	}
	// Typos: a word known nowhere is read as the known word it is closest
	// to.
	for i, w := range words {
		if _, isNum := strconv.Atoi(w); isNum == nil || e.vocabulary.has(w) {
			continue
		}
		if c, ok := e.vocabulary.correct(w); ok && e.meaningful(words, i, c) {
			words[i] = c
		}
	}
	stems := make([]string, len(words))
	for i, w := range words {
		stems[i] = stem(w)
	}
	maxN := max(e.maxPhrase, e.lex.maxPhrase, 3)
	neg, negKinds := false, false
	era := eraEither
	for i := 0; i < len(words); {
		n, t := e.phraseAt(words, stems, i, maxN, era)
		i += n
		switch t.what {
		case tokSkip:
			continue
		case tokNeg:
			neg = true
			continue
		case tokSet:
			era = eraSet
			continue
		case tokReleased:
			era = eraReleased
			continue
		case tokKind:
			switch {
			case neg || negKinds:
				q.negKinds = append(q.negKinds, t.kind)
				negKinds = true
			case q.kind == "":
				q.kind = t.kind
			}
			neg = false
			continue
		case tokConstraint:
			con := e.lex.constraints[t.key]
			if neg {
				// "no horror": rule out what it needs.
				cl := clause{text: con.name, neg: true, weight: 1}
				for _, need := range con.needs {
					cl.alts = append(cl.alts, alt{keyPhrase + stemPhrase(need), 1})
				}
				q.clauses = append(q.clauses, cl)
			} else {
				q.constraints = append(q.constraints, con)
			}
			neg, negKinds = false, false
			continue
		}
		c := t.clause
		c.neg = neg
		if neg {
			for _, a := range antonyms[c.text] {
				q.clauses = append(q.clauses, e.lexClause(a, stemPhrase(a), 0.8))
			}
		}
		neg, negKinds = false, false
		era = eraEither
		q.clauses = append(q.clauses, c)
	}
	if len(q.negKinds) > 0 && (q.kind == "" || q.kind == q.negKinds[0]) {
		switch q.negKinds[0] {
		case TV:
			q.kind = Film
		case Film:
			q.kind = TV
		}
	}
	return q
}

// token is what a phrase of a request is read as.
type token struct {
	what   int
	kind   Kind   // tokKind
	key    string // tokConstraint: the stemmed phrase
	clause clause // tokClause
}

const (
	tokClause     = iota // something asked for
	tokSkip              // a word that says nothing
	tokNeg               // "not", "no", "nothing"…
	tokSet               // "set in": an era that follows is when it is set
	tokReleased          // "released in", "from the": when it came out
	tokKind              // film or series
	tokConstraint        // a form, genre, audience or language it insists on
)

// phraseAt reads the longest phrase that starts at words[i]: how many words
// it takes, and what it is.
func (e *Engine) phraseAt(words, stems []string, i, maxN, era int) (int, token) {
	for n := min(maxN, len(words)-i); n >= 2; n-- {
		raw := strings.Join(words[i:i+n], " ")
		st := strings.Join(stems[i:i+n], " ")
		switch {
		case e.lex.constraints[st].name != "":
			return n, token{what: tokConstraint, key: st}
		case e.lex.filler[st]:
			return n, token{what: tokSkip}
		case e.lex.related[st] != nil || e.has(keyPhrase+st) || e.has(keyName+raw) || e.has(keySurname+raw):
			return n, token{clause: e.clauseFor(raw, st, era)}
		}
		if k, ok := kindWords[st]; ok {
			return n, token{what: tokKind, kind: k}
		}
	}
	w, s := words[i], stems[i]
	if e.lex.constraints[s].name != "" {
		return 1, token{what: tokConstraint, key: s}
	}
	switch {
	case w == "set" && i+1 < len(words) && (words[i+1] == "in" || words[i+1] == "during"):
		return 2, token{what: tokSet}
	case (w == "released" || w == "made" || w == "came") && i+1 < len(words):
		return 1, token{what: tokReleased}
	case w == "from" && i+1 < len(words) && (words[i+1] == "the" || isEra(words[i+1])):
		return 1, token{what: tokReleased}
	case e.lex.negators[s]:
		return 1, token{what: tokNeg}
	}
	if k, ok := kindWords[s]; ok {
		return 1, token{what: tokKind, kind: k}
	}
	if m, ok := runtimeLimit(words, i); ok {
		return m.n, token{clause: clause{text: strings.Join(words[i:i+m.n], " "), maxRun: m.minutes, weight: 1}}
	}
	if d, ok := decadeOf(w); ok {
		return 1, token{clause: eraClause(w, d, era)}
	}
	if y, ok := yearOf(w); ok {
		return 1, token{clause: clause{text: w, alts: []alt{{keyYear + w, 1}, {decadeKey(keyRelease, y/10*10), 0.6}, {decadeKey(keySetIn, y/10*10), 0.4}}, weight: 1}}
	}
	if e.lex.related[s] == nil && (e.lex.filler[s] || e.lex.function[s] || len(w) < 2) {
		return 1, token{what: tokSkip}
	}
	return 1, token{clause: e.clauseFor(w, s, era)}
}

// meaningful reports whether reading words[i] as c makes sense of it: c is
// a word that means something alone (a mood, a place, a surname), or it
// completes a name or phrase with a neighbour ("christain bale" →
// "christian bale"). A typo is not read as half a name: "normal" is not
// "Norman".
func (e *Engine) meaningful(words []string, i int, c string) bool {
	s := stem(c)
	if e.lex.related[s] != nil || e.lex.constraints[s].name != "" || e.lex.filler[s] || e.lex.negators[s] ||
		e.has(keyPhrase+s) || e.has(keySurname+c) || e.has(keyWord+s) {
		return true
	}
	if _, ok := kindWords[s]; ok {
		return true
	}
	if _, ok := e.knownPeople[c]; ok && len(strings.Fields(c)) == 1 {
		return true
	}
	pair := func(a, b string) bool {
		return e.has(keyName+a+" "+b) || e.has(keyPhrase+stem(a)+" "+stem(b)) || e.knownPeople[a+" "+b] != nil
	}
	return i > 0 && pair(words[i-1], c) || i+1 < len(words) && pair(c, words[i+1])
}

func isEra(w string) bool {
	_, ok := decadeOf(w)
	_, y := yearOf(w)
	return ok || y
}

func eraClause(text string, d, era int) clause {
	rw, sw := float32(1), float32(0.9)
	switch era {
	case eraSet:
		rw, sw = 0.3, 1
	case eraReleased:
		rw, sw = 1, 0.3
	}
	return clause{text: text, alts: []alt{{decadeKey(keyRelease, d), rw}, {decadeKey(keySetIn, d), sw}}, weight: 1}
}

type runLimit struct{ n, minutes int }

// runtimeLimit reads "under 90 minutes", "less than 2 hours".
func runtimeLimit(words []string, i int) (runLimit, bool) {
	j := i
	switch {
	case words[j] == "under" || words[j] == "below":
		j++
	case j+1 < len(words) && (words[j] == "less" || words[j] == "shorter") && words[j+1] == "than":
		j += 2
	default:
		return runLimit{}, false
	}
	if j >= len(words) {
		return runLimit{}, false
	}
	num, err := strconv.Atoi(words[j])
	if err != nil || num <= 0 {
		return runLimit{}, false
	}
	j++
	unit := 1
	if j < len(words) {
		switch words[j] {
		case "hours", "hour", "hrs", "hr", "h":
			unit = 60
			j++
		case "minutes", "minute", "mins", "min", "m":
			j++
		}
	}
	if unit == 1 && num < 5 {
		unit = 60 // "under 2": hours
	}
	return runLimit{n: j - i, minutes: num * unit}, true
}

// clauseFor makes the clause of a phrase: the catalog terms it names
// directly, those the lexicon says it means, the people it names, and (a
// single meaningful word) the commentary.
func (e *Engine) clauseFor(raw, st string, era int) clause {
	c := e.lexClause(raw, st, 1)
	if d, ok := decadeOf(raw); ok {
		return eraClause(raw, d, era)
	}
	// "british comedy" is first of all British comedy, then comedy.
	if words := strings.Fields(st); len(words) > 1 && !e.has(keyName+raw) {
		for _, w := range words {
			if !e.lex.function[w] && !e.lex.filler[w] {
				c.alts = append(c.alts, e.lexClause(w, w, 0.6).alts...)
			}
		}
	}
	c.alts = append(c.alts, alt{keyName + raw, 1}, alt{keySurname + raw, 1})
	if !strings.Contains(st, " ") && !e.lex.function[st] {
		c.alts = append(c.alts, alt{keyWord + st, 1})
		c.comment = st
	}
	return c
}

// lexClause is the clause of a phrase from the catalog's terms and the
// lexicon alone, each alternative weighed by w.
func (e *Engine) lexClause(raw, st string, w float32) clause {
	c := clause{text: raw, weight: 1}
	c.alts = append(c.alts, alt{keyPhrase + st, w})
	for _, r := range e.lex.related[st] {
		switch {
		case strings.HasPrefix(r.to, "@decade "):
			d, _ := strconv.Atoi(strings.TrimPrefix(r.to, "@decade "))
			c.alts = append(c.alts, alt{decadeKey(keyRelease, d), r.w * w}, alt{decadeKey(keySetIn, d), 0.9 * r.w * w})
		case r.to == "@recent":
			c.sort = +1
		case r.to == "@old":
			c.sort = -1
		case strings.HasPrefix(r.to, "@"):
			c.alts = append(c.alts, alt{keyLength + r.to[1:], r.w * w})
		default:
			c.alts = append(c.alts, alt{keyPhrase + r.to, r.w * w})
		}
	}
	return c
}

// findLike finds "like X" (or "similar to X", "if I liked X"…) where X
// names a title the bot knows, and returns the words without it.
func (e *Engine) findLike(q *query, words []string) []string {
	// "sopranos vibes": the title before the suffix.
	for j, w := range words {
		if j == 0 || !slices.Contains(likeSuffixes, w) {
			continue
		}
		for i := max(0, j-8); i < j; i++ {
			if ent, ok := e.titles.exactOrClose(strings.Join(words[i:j], " ")); ok {
				q.like = ent
				return append(append([]string{}, words[:i]...), words[j+1:]...)
			}
		}
	}
	for i := range words {
		for _, m := range e.lex.like {
			if i+len(m) > len(words) || !equalWords(words[i:i+len(m)], m) {
				continue
			}
			rest := words[i+len(m):]
			for n := min(len(rest), 8); n > 0; n-- {
				if ent, ok := e.titles.exactOrClose(strings.Join(rest[:n], " ")); ok {
					q.like = ent
					rest = rest[n:]
					// "heat and michael clayton", "heat or thief"
					for len(rest) > 1 && (rest[0] == "and" || rest[0] == "or" || rest[0] == "also" || rest[0] == "plus") {
						found := false
						for n := min(len(rest)-1, 8); n > 0; n-- {
							if ent, ok := e.titles.exactOrClose(strings.Join(rest[1:1+n], " ")); ok {
								q.alsoLike = append(q.alsoLike, ent)
								rest, found = rest[1+n:], true
								break
							}
						}
						if !found {
							break
						}
					}
					return append(append([]string{}, words[:i]...), rest...)
				}
			}
		}
	}
	return words
}

// findAbout finds a request that is a title and nothing more ("heat",
// "the social network 2010"): a pick is then the answer, and another title
// is what the answer should be like.
func (e *Engine) findAbout(q *query, words []string) {
	var content []string
	for i, w := range words {
		if aboutWrappers[w] && !(w == "the" && i > 0 && len(content) > 0) {
			continue
		}
		content = append(content, w)
	}
	if len(content) == 0 {
		return
	}
	// A word that means something ("bankers", "psycho") is read for its
	// meaning; only an exact title, or words that mean nothing else, are
	// read as a title.
	name := strings.Join(content, " ")
	ent, ok := e.titles.exactKey(name)
	if !ok {
		for _, w := range content {
			if e.meaningful(content, 0, w) && !e.lex.filler[stem(w)] {
				return
			}
		}
		if ent, ok = e.titles.exactOrClose(name); !ok {
			return
		}
	}
	if e.titles.pick(ent) != nil {
		q.about = ent
	} else {
		q.like = ent
	}
}

// aboutWrappers may stand around a title that is a whole request: "the
// film heat", "kids please".
var aboutWrappers = map[string]bool{"a": true, "an": true, "film": true, "movie": true, "show": true, "series": true, "tv": true,
	"please": true, "pls": true, "recommend": true, "called": true, "titled": true, "watch": true}

func equalWords(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

package bot

import (
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// field says where in a pick a term was found, which decides how much it
// weighs and how the reason for a match reads.
type field uint8

const (
	fieldTag field = iota
	fieldGenre
	fieldTheme
	fieldMood
	fieldPlace      // a place it is set in
	fieldNear       // a place that holds one it is set in: New York for Brooklyn
	fieldCast       // stars
	fieldDirector   // directed it
	fieldCreator    // created the series
	fieldWriter     // wrote it
	fieldComposer   // scored it
	fieldNamed      // a person the commentary names
	fieldReleased   // the decade it came out
	fieldSetIn      // a decade it is set in
	fieldYear       // the year it came out
	fieldLength     // short or long
	fieldBasedOn    // what it adapts
	fieldPhraseWord // one word of a tag, theme or other phrase
)

// Index keys are prefixed by what they name, so one map holds them all.
const (
	keyPhrase  = "p " // a whole tag, genre, theme, mood or place, stemmed
	keyWord    = "w " // one stemmed word of such a phrase
	keyName    = "n " // a person's full name
	keySurname = "s " // a person's surname
	keyRelease = "r " // decade of release: "r 1990"
	keySetIn   = "t " // decade it is set in
	keyYear    = "y " // year of release
	keyLength  = "@"  // "@short", "@long"
)

// Weights of a match in each field. A person who made or stars in a title
// outweighs a theme; a word of the commentary counts least, by its rarity.
var fieldWeight = [...]float32{
	fieldTag:        5,
	fieldGenre:      5,
	fieldTheme:      5,
	fieldMood:       5,
	fieldPlace:      5,
	fieldNear:       3.5,
	fieldCast:       6,
	fieldDirector:   6,
	fieldCreator:    6,
	fieldWriter:     5,
	fieldComposer:   4.5,
	fieldNamed:      2.5,
	fieldReleased:   4,
	fieldSetIn:      4,
	fieldYear:       6,
	fieldLength:     4,
	fieldBasedOn:    4,
	fieldPhraseWord: 2,
}

// commentaryWeight is the most a word of the creators' commentary counts.
const commentaryWeight = 1.5

// posting says that a term occurs in one pick, in one field, with a weight.
// label indexes termIndex.labels: the tag, name or place it came from.
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

// wordIndex finds picks by what is known of them: tags, genres, themes,
// moods, places, people, eras and the words of the commentary.
type wordIndex struct {
	// parts index runs of picks, in catalog order. A large catalog is
	// indexed on several cores, a run each; the runs are kept apart rather
	// than merged, which would copy every posting once more.
	parts      []termIndex
	byKind     map[Kind][]int32 // picks of each kind, in catalog order
	maxPhrase  int              // longest indexed phrase, in words
	vocabulary *vocabulary      // words a typo may be meant as
}

// termIndex is the index of one run of picks, [lo, hi).
type termIndex struct {
	lo, hi   int32
	termIDs  map[string]int32 // key → index into postings and comment
	postings [][]posting      // per key: metadata; ordered by pick
	comment  [][]cposting     // per stemmed word: commentary; ordered by pick
	labels   []string         // tags, names and places that postings point at
}

// lookup returns a run's postings of a key.
func (t *termIndex) lookup(key string) ([]posting, []cposting) {
	if id, ok := t.termIDs[key]; ok {
		return t.postings[id], t.comment[id]
	}
	return nil, nil
}

// part returns the run that indexes pick d.
func (ix *wordIndex) part(d int32) *termIndex {
	i, _ := slices.BinarySearchFunc(ix.parts, d, func(t termIndex, d int32) int {
		switch {
		case d < t.lo:
			return 1
		case d >= t.hi:
			return -1
		}
		return 0
	})
	return &ix.parts[i]
}

// has reports whether any pick has a key.
func (ix *wordIndex) has(key string) bool {
	for i := range ix.parts {
		if ps, _ := ix.parts[i].lookup(key); len(ps) > 0 {
			return true
		}
	}
	return false
}

// parallelFrom is the catalog size from which indexing is split across cores.
const parallelFrom = 4096

// buildWordIndex indexes a catalog, cut into runs of picks indexed on
// separate cores when it is large.
func buildWordIndex(c *Catalog) wordIndex {
	parts := 1
	if len(c.Picks) >= parallelFrom {
		parts = min(runtime.GOMAXPROCS(0), 8)
	}
	built := make([]indexBuilder, parts)
	var wg sync.WaitGroup
	for i := range parts {
		lo, hi := len(c.Picks)*i/parts, len(c.Picks)*(i+1)/parts
		wg.Go(func() {
			b := &built[i]
			b.t = termIndex{lo: int32(lo), hi: int32(hi), termIDs: map[string]int32{}}
			b.byKind, b.labelIDs, b.vocab = map[Kind][]int32{}, map[string]int32{}, map[string]bool{}
			b.names = c.Names
			for d := lo; d < hi; d++ {
				b.add(int32(d), &c.Picks[d])
			}
		})
	}
	wg.Wait()
	ix := wordIndex{byKind: map[Kind][]int32{}}
	words := map[string]bool{}
	for i := range built {
		b := &built[i]
		ix.parts = append(ix.parts, b.t)
		ix.maxPhrase = max(ix.maxPhrase, b.maxPhrase)
		for k, docs := range b.byKind {
			ix.byKind[k] = append(ix.byKind[k], docs...)
		}
		for w := range b.vocab {
			words[w] = true
		}
	}
	ix.weigh(len(c.Picks))
	ix.vocabulary = newVocabulary(words)
	return ix
}

// indexBuilder indexes one run of picks, one pick at a time. It numbers
// terms so that per-pick bookkeeping is arrays indexed by term, not maps:
// indexing 100,000 picks allocates little beyond the postings themselves.
type indexBuilder struct {
	t         termIndex
	maxPhrase int
	byKind    map[Kind][]int32
	labelIDs  map[string]int32
	names     map[string][]string // the catalog's other names of people
	vocab     map[string]bool     // words of names, tags and places, for typos
	buf       []byte
	key       []byte
	doc       int32
	seenDoc   []int32 // term → last pick that posted it, +1
	seenW     []float32
	tf        []int32 // term → occurrences in the current pick's commentary
	touched   []int32 // terms with tf > 0
	skip      []bool  // term → a function word or too short to index
}

func (b *indexBuilder) label(s string) int32 {
	id, ok := b.labelIDs[s]
	if !ok {
		id = int32(len(b.t.labels))
		b.t.labels = append(b.t.labels, s)
		b.labelIDs[s] = id
	}
	return id
}

// term returns the id of a key, numbering it when new. The conversion in
// the map lookup does not allocate; only a new term does.
func (b *indexBuilder) term(k []byte) int32 {
	if id, ok := b.t.termIDs[string(k)]; ok {
		return id
	}
	id := int32(len(b.t.postings))
	b.t.termIDs[string(k)] = id
	b.t.postings = append(b.t.postings, nil)
	b.t.comment = append(b.t.comment, nil)
	b.seenDoc = append(b.seenDoc, 0)
	b.seenW = append(b.seenW, 0)
	b.tf = append(b.tf, 0)
	b.skip = append(b.skip, len(k) < 2 || functionWords[string(k)])
	return id
}

// post records a key of the current pick once, in its strongest field.
func (b *indexBuilder) post(key []byte, f field, w float32, lbl int32) {
	id := b.term(key)
	ps := b.t.postings[id]
	if b.seenDoc[id] == b.doc+1 {
		if w <= b.seenW[id] {
			return
		}
		ps[len(ps)-1] = posting{doc: b.doc, label: lbl, w: w, field: f}
		b.seenW[id] = w
		return
	}
	b.seenDoc[id], b.seenW[id] = b.doc+1, w
	b.t.postings[id] = append(ps, posting{doc: b.doc, label: lbl, w: w, field: f})
}

// phrase indexes a tag, genre, theme, mood or place: the whole phrase, and
// each meaningful word of it at a lower weight.
func (b *indexBuilder) phrase(s string, f field) {
	lbl := b.label(s)
	b.key = append(b.key[:0], keyPhrase...)
	n := 0
	b.buf = scanWords(s, b.buf, func(w []byte) {
		if n > 0 {
			b.key = append(b.key, ' ')
		}
		b.key = append(b.key, stemBytes(w)...)
		n++
	})
	if n == 0 {
		return
	}
	b.maxPhrase = max(b.maxPhrase, n)
	b.post(b.key, f, fieldWeight[f], lbl)
	phrase := string(b.key[len(keyPhrase):])
	for _, w := range strings.Fields(phrase) {
		b.vocab[w] = true
		if n == 1 || functionWords[w] || len(w) < 3 {
			continue
		}
		b.key = append(append(b.key[:0], keyWord...), w...)
		b.post(b.key, fieldPhraseWord, fieldWeight[fieldPhraseWord], lbl)
	}
}

// person indexes a name by the whole of it and by its surname, never by a
// first name alone: "Al Pacino" is found as "al pacino" and "pacino", a
// particle kept with the surname ("de niro", and "deniro" as typed). The
// other names the catalog knows the person by are found too: "kid cudi"
// finds Scott Mescudi's titles, labelled with both names.
func (b *indexBuilder) person(name string, f field, w float32) {
	b.personLabel(name, f, w, name)
	for _, other := range b.names[name] {
		// A stage name is no first name and surname: only the whole of it.
		b.fullName(other, f, w, b.label(name+" ("+other+")"))
	}
}

// personLabel indexes a name with the label a match on it shows.
func (b *indexBuilder) personLabel(name string, f field, w float32, label string) {
	lbl := b.label(label)
	for _, sur := range surnames(b.fullName(name, f, w, lbl)) {
		if !strings.Contains(sur, " ") {
			b.vocab[sur] = true // "deniro"; the words themselves are in already
		}
		b.key = append(append(b.key[:0], keySurname...), sur...)
		b.post(b.key, f, w*0.9, lbl)
	}
}

// surnames are what a name of several words is also found by without its
// first names: "pacino" for Al Pacino, "de niro" and "deniro" for Robert
// De Niro. Validation keeps other names off them.
func surnames(words []string) []string {
	if len(words) <= 1 {
		return nil
	}
	var out []string
	last := words[len(words)-1]
	if len(last) >= 3 && !functionWords[last] {
		out = append(out, last)
	}
	if len(words) >= 3 && particles[words[len(words)-2]] {
		out = append(out, words[len(words)-2]+" "+last, words[len(words)-2]+last)
	}
	return out
}

// fullName indexes a name as a whole and returns its words.
func (b *indexBuilder) fullName(name string, f field, w float32, lbl int32) []string {
	words := strings.Fields(normalizeText(name))
	if len(words) == 0 {
		return nil
	}
	for _, x := range words {
		b.vocab[x] = true
	}
	b.maxPhrase = max(b.maxPhrase, len(words))
	b.key = append(append(b.key[:0], keyName...), strings.Join(words, " ")...)
	b.post(b.key, f, w, lbl)
	return words
}

// particles belong to a surname: "de" in Robert De Niro.
var particles = map[string]bool{"de": true, "da": true, "di": true, "del": true, "della": true, "van": true, "von": true, "le": true, "la": true, "du": true, "mac": true, "st": true}

func (b *indexBuilder) plain(key string, f field, w float32, lbl string) {
	b.key = append(b.key[:0], key...)
	b.post(b.key, f, w, b.label(lbl))
}

func decadeKey(prefix string, decade int) string { return prefix + strconv.Itoa(decade) }

func (b *indexBuilder) add(doc int32, t *Title) {
	b.doc = doc
	b.byKind[t.Kind] = append(b.byKind[t.Kind], doc)
	// The facts first: at equal weight, the first field to post a term
	// names it, and "mood “tense”" says more than "tag “tense”".
	for _, s := range t.Genres {
		b.phrase(s, fieldGenre)
	}
	for _, s := range t.Themes {
		b.phrase(s, fieldTheme)
	}
	for _, s := range t.Moods {
		b.phrase(s, fieldMood)
	}
	for _, s := range t.Places {
		b.phrase(s, fieldPlace)
		for _, near := range broader[normalizeText(s)] {
			b.phrase(near, fieldNear)
			// The label says where exactly: "set in Brooklyn" for "new york".
			id := b.term(append(append(b.key[:0], keyPhrase...), strings.Join(terms(near), " ")...))
			if ps := b.t.postings[id]; len(ps) > 0 && ps[len(ps)-1].doc == doc && ps[len(ps)-1].field == fieldNear {
				ps[len(ps)-1].label = b.label(s)
			}
		}
	}
	for _, s := range t.Tags {
		b.phrase(s, fieldTag)
	}
	creditField := fieldDirector
	if t.Credit.Role == "creators" {
		creditField = fieldCreator
	}
	for _, name := range t.Credit.Names {
		b.person(name, creditField, fieldWeight[creditField])
	}
	for i, name := range t.Cast {
		w := fieldWeight[fieldCast]
		if i >= 3 {
			w -= 0.5 // top billing first
		}
		b.person(name, fieldCast, w)
	}
	for i, name := range t.Writers {
		w := fieldWeight[fieldWriter]
		if i > 0 {
			w -= 0.5 // first credit first
		}
		b.person(name, fieldWriter, w)
	}
	for _, name := range t.Composers {
		b.person(name, fieldComposer, fieldWeight[fieldComposer])
	}
	for _, name := range t.People {
		b.person(name, fieldNamed, fieldWeight[fieldNamed])
	}
	if t.BasedOn != "" {
		b.plain(keyPhrase+"base on", fieldBasedOn, fieldWeight[fieldBasedOn], t.BasedOn)
		b.plain(keyPhrase+"adaptation", fieldBasedOn, fieldWeight[fieldBasedOn], t.BasedOn)
		// "the novel American Psycho by Bret Easton Ellis": its author.
		if _, by, ok := strings.Cut(t.BasedOn, " by "); ok {
			for _, name := range strings.Split(by, " and ") {
				b.personLabel(name, fieldBasedOn, fieldWeight[fieldBasedOn], t.BasedOn)
			}
		}
	}
	// Eras: the decades it came out in (a series, every decade it ran),
	// the decades it is set in, the year it came out.
	b.plain(keyYear+strconv.Itoa(t.Year), fieldYear, fieldWeight[fieldYear], strconv.Itoa(t.Year))
	end := t.Year
	if t.Kind == TV {
		end = t.EndYear
		if end == 0 {
			end = t.Year
		}
	}
	for d := t.Year / 10 * 10; d <= end; d += 10 {
		b.plain(decadeKey(keyRelease, d), fieldReleased, fieldWeight[fieldReleased], t.Years())
	}
	for _, d := range t.SetIn {
		b.plain(decadeKey(keySetIn, d), fieldSetIn, fieldWeight[fieldSetIn], strconv.Itoa(d)+"s")
	}
	// Length: a film under 100 minutes or a half-hour comedy is short; a
	// film over two and a half hours or a series of six seasons is long.
	switch {
	case t.Kind == Film && t.Runtime > 0 && t.Runtime <= 100:
		b.plain(keyLength+"short", fieldLength, fieldWeight[fieldLength], strconv.Itoa(t.Runtime)+" minutes")
	case t.Kind == Film && t.Runtime >= 150:
		b.plain(keyLength+"long", fieldLength, fieldWeight[fieldLength], strconv.Itoa(t.Runtime)+" minutes")
	case t.Kind == TV && halfHour(t):
		b.plain(keyLength+"short", fieldLength, fieldWeight[fieldLength]*0.8, "half-hour episodes")
	}
	if t.Kind == TV && (t.Seasons >= 6 || t.Episodes >= 60) {
		b.plain(keyLength+"long", fieldLength, fieldWeight[fieldLength], strconv.Itoa(t.Seasons)+" seasons")
	}
	// Commentary words are counted now and weighed once the whole catalog
	// says how rare each is. Idioms ("fall short") are not their words.
	for _, p := range t.Commentary {
		b.buf = scanWords(maskIdioms(p), b.buf, func(w []byte) {
			id := b.term(stemBytes(w))
			if b.skip[id] {
				return
			}
			if b.tf[id] == 0 {
				b.touched = append(b.touched, id)
			}
			b.tf[id]++
		})
	}
	for _, id := range b.touched {
		// The raw count rides in w until weigh turns it into a weight.
		b.t.comment[id] = append(b.t.comment[id], cposting{doc: doc, w: float32(b.tf[id])})
		b.tf[id] = 0
	}
	b.touched = b.touched[:0]
}

// halfHour reports whether a series is made of half-hour episodes: a
// sitcom or a comedy.
func halfHour(t *Title) bool {
	for _, g := range t.Genres {
		if g == "sitcom" || g == "comedy" {
			return true
		}
	}
	return false
}

// idioms are phrases whose words mean nothing alone: "fall well short" is
// not about anything short.
var idioms = []string{"fall short", "falls short", "fall well short", "falls well short", "fell short", "in short", "short of",
	"feel like", "feels like", "look like", "looks like", "sort of", "kind of", "of course", "at least", "a lot", "no doubt",
	"make sure", "in fact", "right now", "of all time", "the best", "for good"}

// maskIdioms blanks the idioms of a paragraph.
func maskIdioms(p string) string {
	lower := strings.ToLower(p)
	for _, id := range idioms {
		for i := strings.Index(lower, id); i >= 0; {
			end := i + len(id)
			if (i == 0 || !isWordByte(lower[i-1])) && (end == len(lower) || !isWordByte(lower[end])) {
				p = p[:i] + strings.Repeat(" ", len(id)) + p[end:]
				lower = lower[:i] + strings.Repeat(" ", len(id)) + lower[end:]
			}
			next := strings.Index(lower[min(end, len(lower)):], id)
			if next < 0 {
				break
			}
			i = end + next
		}
	}
	return p
}

func isWordByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 0x80 }

// weigh turns the commentary counts into weights by rarity across n picks:
// a word every pick uses says nothing.
func (ix *wordIndex) weigh(picks int) {
	df := map[string]int{}
	if len(ix.parts) > 1 {
		for _, t := range ix.parts {
			for word, id := range t.termIDs {
				df[word] += len(t.comment[id])
			}
		}
	}
	n := float64(picks)
	norm := math.Log(1 + n)
	for _, t := range ix.parts {
		for word, id := range t.termIDs {
			ps := t.comment[id]
			if len(ps) == 0 {
				continue
			}
			f := len(ps)
			if len(ix.parts) > 1 {
				f = df[word]
			}
			idf := math.Log(1+n/float64(f)) / norm
			for i := range ps {
				w := commentaryWeight * idf * (1 + 0.3*math.Log(float64(ps[i].w)))
				ps[i].w = float32(min(w, commentaryWeight))
			}
		}
	}
}

// broader names the places that hold a place, so "New York" finds a title
// set in Brooklyn and "California" one set in Palo Alto.
var broader = map[string][]string{
	"manhattan":              {"new york"},
	"brooklyn":               {"new york"},
	"queens":                 {"new york"},
	"bronx":                  {"new york"},
	"greenpoint":             {"brooklyn", "new york"},
	"wall street":            {"manhattan", "new york", "finance"},
	"madison avenue":         {"manhattan", "new york", "advertising"},
	"diamond district":       {"manhattan", "new york"},
	"washington square park": {"manhattan", "new york"},
	"long island":            {"new york"},
	"ossining":               {"new york"},
	"westchester":            {"new york"},
	"new york":               {"united states", "east coast"},
	"los angeles":            {"california", "united states", "west coast"},
	"oakland":                {"california", "bay area", "united states"},
	"palo alto":              {"silicon valley", "california", "bay area", "united states"},
	"san francisco":          {"california", "bay area", "united states"},
	"silicon valley":         {"california", "bay area", "united states"},
	"california":             {"united states", "west coast"},
	"dallas":                 {"texas", "united states"},
	"houston":                {"texas", "united states"},
	"austin":                 {"texas", "united states"},
	"silicon prairie":        {"texas", "dallas"},
	"texas":                  {"united states"},
	"harvard":                {"massachusetts", "boston", "university", "united states"},
	"massachusetts":          {"united states", "east coast"},
	"milwaukee":              {"wisconsin", "united states"},
	"wisconsin":              {"united states"},
	"chicago":                {"illinois", "united states"},
	"new jersey":             {"united states", "east coast"},
	"croydon":                {"london", "england", "british"},
	"london":                 {"england", "british"},
	"slough":                 {"england", "british"},
	"torquay":                {"devon", "england", "british"},
	"devon":                  {"england", "british"},
	"manchester":             {"england", "british"},
	"england":                {"british"},
	"scotland":               {"british"},
}

package bot

import (
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// wordIndex finds picks by the words of their titles, tags, names and
// commentary.
type wordIndex struct {
	// parts index runs of picks, in catalog order. A large catalog is
	// indexed on several cores, a run each; the runs are kept apart rather
	// than merged, which would copy every posting once more.
	parts       []termIndex
	tags        map[string]*tagPostings // stemmed tag phrase → picks
	maxTagWords int                     // longest tag, in words
	byKind      map[Kind][]int32        // picks of each kind, in catalog order
}

// termIndex is the word index of one run of picks, [lo, hi).
type termIndex struct {
	lo, hi   int32
	termIDs  map[string]int32 // stemmed word → index into postings and comment
	postings [][]posting      // per term: titles, tags, names; ordered by pick
	comment  [][]cposting     // per term: commentary; ordered by pick
	labels   []string         // tags and names that postings point at
}

// lookup returns a run's postings of a stemmed word.
func (t *termIndex) lookup(word string) ([]posting, []cposting) {
	if id, ok := t.termIDs[word]; ok {
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
			b.tags, b.byKind, b.labelIDs = map[string]*tagPostings{}, map[Kind][]int32{}, map[string]int32{}
			for d := lo; d < hi; d++ {
				b.add(int32(d), &c.Picks[d])
			}
		})
	}
	wg.Wait()
	ix := wordIndex{tags: map[string]*tagPostings{}, byKind: map[Kind][]int32{}}
	for i := range built {
		b := &built[i]
		ix.parts = append(ix.parts, b.t)
		for key, tp := range b.tags {
			if have := ix.tags[key]; have != nil {
				have.docs = append(have.docs, tp.docs...)
			} else {
				ix.tags[key] = tp
			}
		}
		ix.maxTagWords = max(ix.maxTagWords, b.maxTagWords)
		for k, docs := range b.byKind {
			ix.byKind[k] = append(ix.byKind[k], docs...)
		}
	}
	ix.weigh(len(c.Picks))
	return ix
}

// indexBuilder indexes one run of picks, one pick at a time. It numbers
// terms so that per-pick bookkeeping is arrays indexed by term, not maps:
// indexing 100,000 picks allocates little beyond the postings themselves.
type indexBuilder struct {
	t           termIndex
	tags        map[string]*tagPostings
	maxTagWords int
	byKind      map[Kind][]int32
	labelIDs    map[string]int32
	buf         []byte
	doc         int32
	seenDoc     []int32 // term → last pick that posted it, +1
	seenFld     []field // term → best field posted for that pick
	tf          []int32 // term → occurrences in the current pick's commentary
	touched     []int32 // terms with tf > 0
	skip        []bool  // term → a stopword or too short to index
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

// term returns the id of a stemmed word, numbering it when new. The
// conversion in the map lookup does not allocate; only a new term does.
func (b *indexBuilder) term(w []byte) int32 {
	if id, ok := b.t.termIDs[string(w)]; ok {
		return id
	}
	id := int32(len(b.t.postings))
	b.t.termIDs[string(w)] = id
	b.t.postings = append(b.t.postings, nil)
	b.t.comment = append(b.t.comment, nil)
	b.seenDoc = append(b.seenDoc, 0)
	b.seenFld = append(b.seenFld, 0)
	b.tf = append(b.tf, 0)
	b.skip = append(b.skip, len(w) < 2 || stopwords[string(w)])
	return id
}

// post records a term of the current pick in a field, once per field, and
// not in a weaker field when a stronger one has it (title beats tag beats
// name).
func (b *indexBuilder) post(w []byte, f field, weight float32, lbl int32) {
	id := b.term(stemBytes(w))
	if b.skip[id] || b.seenDoc[id] == b.doc+1 && b.seenFld[id] <= f {
		return
	}
	b.seenDoc[id], b.seenFld[id] = b.doc+1, f
	b.t.postings[id] = append(b.t.postings[id], posting{doc: b.doc, label: lbl, w: weight, field: f})
}

func (b *indexBuilder) add(doc int32, t *Title) {
	b.doc = doc
	b.byKind[t.Kind] = append(b.byKind[t.Kind], doc)
	words := func(s string, f field, weight float32, lbl int32) {
		b.buf = scanWords(s, b.buf, func(w []byte) { b.post(w, f, weight, lbl) })
	}
	words(t.Title, fieldTitle, titleWeight, -1)
	for _, a := range t.Aliases {
		words(a, fieldTitle, titleWeight, -1)
	}
	for _, tag := range t.Tags {
		key := strings.Join(terms(tag), " ")
		tp := b.tags[key]
		if tp == nil {
			tp = &tagPostings{label: tag}
			b.tags[key] = tp
		}
		if n := len(tp.docs); n == 0 || tp.docs[n-1] != doc {
			tp.docs = append(tp.docs, doc)
		}
		b.maxTagWords = max(b.maxTagWords, strings.Count(key, " ")+1)
		words(tag, fieldTag, tagWordWeight, b.label(tag))
	}
	for _, name := range t.Credit.Names {
		words(name, fieldPeople, peopleWeight, b.label(name))
	}
	for _, name := range t.People {
		words(name, fieldPeople, peopleWeight, b.label(name))
	}
	// Commentary words are counted now and weighed once the whole catalog
	// says how rare each is.
	for _, p := range t.Commentary {
		b.buf = scanWords(p, b.buf, func(w []byte) {
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
		// The raw count rides in w until finish turns it into a weight.
		b.t.comment[id] = append(b.t.comment[id], cposting{doc: doc, w: float32(b.tf[id])})
		b.tf[id] = 0
	}
	b.touched = b.touched[:0]
}

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
				w := commentaryWeight * idf * (1 + 0.5*math.Log(float64(ps[i].w)))
				ps[i].w = float32(min(w, commentaryWeight*1.5))
			}
		}
	}
}

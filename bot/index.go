package bot

import (
	"math"
	"runtime"
	"strings"
	"sync"
)

// wordIndex finds picks by the words of their titles, tags, names and
// commentary.
type wordIndex struct {
	termIDs     map[string]int32        // stemmed word → index into postings and comment
	postings    [][]posting             // per term: titles, tags, names; ordered by pick
	comment     [][]cposting            // per term: commentary; ordered by pick
	tags        map[string]*tagPostings // stemmed tag phrase → picks
	maxTagWords int                     // longest tag, in words
	labels      []string                // tags and names that postings point at
	byKind      map[Kind][]int32        // picks of each kind, in catalog order
}

func newWordIndex() wordIndex {
	return wordIndex{termIDs: map[string]int32{}, tags: map[string]*tagPostings{}, byKind: map[Kind][]int32{}}
}

// parallelFrom is the catalog size from which indexing is split across cores.
const parallelFrom = 4096

// buildWordIndex indexes a catalog. A large one is cut into runs of picks
// indexed on separate cores and merged in order, so postings stay ordered
// by pick.
func buildWordIndex(c *Catalog) wordIndex {
	parts := 1
	if len(c.Picks) >= parallelFrom {
		parts = min(runtime.GOMAXPROCS(0), 8)
	}
	built := make([]wordIndex, parts)
	var wg sync.WaitGroup
	for i := range parts {
		lo, hi := len(c.Picks)*i/parts, len(c.Picks)*(i+1)/parts
		wg.Go(func() {
			b := &indexBuilder{ix: newWordIndex(), labelIDs: map[string]int32{}}
			for d := lo; d < hi; d++ {
				b.add(int32(d), &c.Picks[d])
			}
			built[i] = b.ix
		})
	}
	wg.Wait()
	ix := built[0]
	for _, part := range built[1:] {
		ix.merge(&part)
	}
	ix.weigh(len(c.Picks))
	return ix
}

// merge appends src, which indexes later picks than ix, to ix.
func (ix *wordIndex) merge(src *wordIndex) {
	labels := make([]int32, len(src.labels))
	have := make(map[string]int32, len(ix.labels))
	for i, l := range ix.labels {
		have[l] = int32(i)
	}
	for i, l := range src.labels {
		id, ok := have[l]
		if !ok {
			id = int32(len(ix.labels))
			ix.labels = append(ix.labels, l)
		}
		labels[i] = id
	}
	for term, sid := range src.termIDs {
		id, ok := ix.termIDs[term]
		if !ok {
			id = int32(len(ix.postings))
			ix.termIDs[term] = id
			ix.postings = append(ix.postings, nil)
			ix.comment = append(ix.comment, nil)
		}
		for _, p := range src.postings[sid] {
			if p.label >= 0 {
				p.label = labels[p.label]
			}
			ix.postings[id] = append(ix.postings[id], p)
		}
		ix.comment[id] = append(ix.comment[id], src.comment[sid]...)
	}
	for key, tp := range src.tags {
		if have := ix.tags[key]; have != nil {
			have.docs = append(have.docs, tp.docs...)
		} else {
			ix.tags[key] = tp
		}
	}
	ix.maxTagWords = max(ix.maxTagWords, src.maxTagWords)
	for k, docs := range src.byKind {
		ix.byKind[k] = append(ix.byKind[k], docs...)
	}
}

// indexBuilder fills a wordIndex one pick at a time. It numbers terms so
// that per-pick bookkeeping is arrays indexed by term, not maps: indexing
// 100,000 picks allocates little beyond the postings themselves.
type indexBuilder struct {
	ix       wordIndex
	labelIDs map[string]int32
	buf      []byte
	doc      int32
	seenDoc  []int32 // term → last pick that posted it, +1
	seenFld  []field // term → best field posted for that pick
	tf       []int32 // term → occurrences in the current pick's commentary
	touched  []int32 // terms with tf > 0
	skip     []bool  // term → a stopword or too short to index
}

func (b *indexBuilder) label(s string) int32 {
	id, ok := b.labelIDs[s]
	if !ok {
		id = int32(len(b.ix.labels))
		b.ix.labels = append(b.ix.labels, s)
		b.labelIDs[s] = id
	}
	return id
}

// term returns the id of a stemmed word, numbering it when new. The
// conversion in the map lookup does not allocate; only a new term does.
func (b *indexBuilder) term(w []byte) int32 {
	if id, ok := b.ix.termIDs[string(w)]; ok {
		return id
	}
	id := int32(len(b.ix.postings))
	b.ix.termIDs[string(w)] = id
	b.ix.postings = append(b.ix.postings, nil)
	b.ix.comment = append(b.ix.comment, nil)
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
	b.ix.postings[id] = append(b.ix.postings[id], posting{doc: b.doc, label: lbl, w: weight, field: f})
}

func (b *indexBuilder) add(doc int32, t *Title) {
	e := &b.ix
	b.doc = doc
	e.byKind[t.Kind] = append(e.byKind[t.Kind], doc)
	words := func(s string, f field, weight float32, lbl int32) {
		b.buf = scanWords(s, b.buf, func(w []byte) { b.post(w, f, weight, lbl) })
	}
	words(t.Title, fieldTitle, titleWeight, -1)
	for _, a := range t.Aliases {
		words(a, fieldTitle, titleWeight, -1)
	}
	for _, tag := range t.Tags {
		key := strings.Join(terms(tag), " ")
		tp := e.tags[key]
		if tp == nil {
			tp = &tagPostings{label: tag}
			e.tags[key] = tp
		}
		if n := len(tp.docs); n == 0 || tp.docs[n-1] != doc {
			tp.docs = append(tp.docs, doc)
		}
		e.maxTagWords = max(e.maxTagWords, strings.Count(key, " ")+1)
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
		b.ix.comment[id] = append(b.ix.comment[id], cposting{doc: doc, w: float32(b.tf[id])})
		b.tf[id] = 0
	}
	b.touched = b.touched[:0]
}

// weigh turns the commentary counts into weights by rarity across n picks:
// a word every pick uses says nothing.
func (ix *wordIndex) weigh(picks int) {
	n := float64(picks)
	norm := math.Log(1 + n)
	for _, ps := range ix.comment {
		if len(ps) == 0 {
			continue
		}
		idf := math.Log(1+n/float64(len(ps))) / norm
		for i := range ps {
			w := commentaryWeight * idf * (1 + 0.5*math.Log(float64(ps[i].w)))
			ps[i].w = float32(min(w, commentaryWeight*1.5))
		}
	}
}

package bot_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

// The quality benchmark: labelled queries with graded relevance, written
// from the article and film facts by someone who had not read the engine
// (testdata/quality/queries.json, see its note). go test ./bot -run Quality -v
// prints the figures next to a plain BM25 ranking of the same text.

type qualityQuery struct {
	Q        string         `json:"q"`
	Category string         `json:"category"`
	Kind     bot.Kind       `json:"kind"`
	Grades   map[string]int `json:"grades"`
	Not      []string       `json:"not"`
	NoFit    bool           `json:"nofit"`
	Closest  []string       `json:"closest"`
}

type whyQuery struct {
	Q      string `json:"q"`
	Expect string `json:"expect"`
}

type qualitySet struct {
	Note    string         `json:"note"`
	Queries []qualityQuery `json:"queries"`
	Why     []whyQuery     `json:"why"`
}

func loadQualitySet(tb testing.TB) qualitySet {
	tb.Helper()
	data, err := os.ReadFile("testdata/quality/queries.json")
	if err != nil {
		tb.Fatal(err)
	}
	var s qualitySet
	if err := json.Unmarshal(data, &s); err != nil {
		tb.Fatal(err)
	}
	return s
}

// answer is what a ranker made of a query: the ids it ranked, or that
// nothing fits, or that it read no preference and chose freely.
type answer struct {
	ids    []string
	noFit  bool
	varied bool
}

// scores are one query's figures.
type scores struct{ hit1, hit3, ndcg3, mrr float64 }

// grade scores an answer against a labelled query.
//   - A no-fit query scores 1 only when the ranker said nothing fits.
//   - A no-preference query (every pick graded 1) scores 1 only when the
//     ranker said it chose freely.
//   - Otherwise the graded figures, and 0 when it said nothing fits or
//     returned a pick the query rules out.
func grade(q qualityQuery, a answer) scores {
	if q.NoFit {
		if a.noFit {
			return scores{1, 1, 1, 1}
		}
		return scores{}
	}
	if a.noFit || q.Category == "nopref" && !a.varied {
		return scores{}
	}
	for _, id := range a.ids {
		if slices.Contains(q.Not, id) {
			return scores{}
		}
	}
	var s scores
	dcg := 0.0
	for i, id := range a.ids {
		if i == bot.MaxPicks {
			break
		}
		g := q.Grades[id]
		if g > 0 {
			if i == 0 {
				s.hit1 = 1
			}
			s.hit3 = 1
			if s.mrr == 0 {
				s.mrr = 1 / float64(i+1)
			}
		}
		dcg += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
	}
	ideal := make([]int, 0, len(q.Grades))
	for _, g := range q.Grades {
		ideal = append(ideal, g)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(ideal)))
	idcg := 0.0
	for i, g := range ideal {
		if i == bot.MaxPicks {
			break
		}
		idcg += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
	}
	if idcg > 0 {
		s.ndcg3 = dcg / idcg
	}
	return s
}

type tally struct {
	n   int
	sum scores
}

func (t *tally) add(s scores) {
	t.n++
	t.sum.hit1 += s.hit1
	t.sum.hit3 += s.hit3
	t.sum.ndcg3 += s.ndcg3
	t.sum.mrr += s.mrr
}

func (t tally) mean() scores {
	if t.n == 0 {
		return scores{}
	}
	n := float64(t.n)
	return scores{t.sum.hit1 / n, t.sum.hit3 / n, t.sum.ndcg3 / n, t.sum.mrr / n}
}

type report struct {
	all   tally
	byCat map[string]*tally
	fails []string
}

func evaluate(set qualitySet, rank func(q qualityQuery) answer) report {
	r := report{byCat: map[string]*tally{}}
	for _, q := range set.Queries {
		a := rank(q)
		s := grade(q, a)
		r.all.add(s)
		t := r.byCat[q.Category]
		if t == nil {
			t = &tally{}
			r.byCat[q.Category] = t
		}
		t.add(s)
		if s.hit3 == 0 {
			got := strings.Join(a.ids, ", ")
			switch {
			case a.noFit:
				got = "nothing fits"
			case a.varied:
				got = "free choice: " + got
			}
			want := fmt.Sprint(q.Grades)
			if q.NoFit {
				want = "nothing fits"
			}
			r.fails = append(r.fails, fmt.Sprintf("%-10s %q (kind %q): got [%s], want %s", q.Category, q.Q, q.Kind, got, want))
		}
	}
	return r
}

func engineAnswer(e *bot.Engine) func(q qualityQuery) answer {
	return func(q qualityQuery) answer {
		rec := e.Recommend(q.Q, q.Kind, nil)
		a := answer{noFit: rec.NoFit != "", varied: rec.Varied}
		for _, p := range rec.Picks {
			a.ids = append(a.ids, p.Title.ID)
		}
		return a
	}
}

// The floors the engine must hold on this set: set from its results, a
// little below them, so a change that makes answers worse fails here.
const (
	floorHit1   = 0.93
	floorHit3   = 0.965
	floorNDCG3  = 0.90
	floorMRR    = 0.945
	floorCatHit = 0.90 // hit@3 of every category
)

func TestQuality(t *testing.T) {
	set := loadQualitySet(t)
	c := bottest.Catalog(t)
	// A seeded source, so free picks are the same on every run.
	engine := evaluate(set, engineAnswer(bottest.Engine(t, bot.WithRand(rand.New(rand.NewPCG(1, 2)).IntN))))
	bm := evaluate(set, bm25Answer(newBM25(c)))

	var cats []string
	for c := range engine.byCat {
		cats = append(cats, c)
	}
	slices.Sort(cats)
	row := func(name string, n int, a, b scores) {
		t.Logf("%-11s %4d   %5.3f %5.3f %5.3f %5.3f   %5.3f %5.3f %5.3f %5.3f", name, n,
			a.hit1, a.hit3, a.ndcg3, a.mrr, b.hit1, b.hit3, b.ndcg3, b.mrr)
	}
	t.Logf("%-11s %4s   %-23s   %-23s", "", "", "engine", "BM25")
	t.Logf("%-11s %4s   %5s %5s %5s %5s   %5s %5s %5s %5s", "category", "n", "hit@1", "hit@3", "nDCG3", "MRR", "hit@1", "hit@3", "nDCG3", "MRR")
	for _, c := range cats {
		row(c, engine.byCat[c].n, engine.byCat[c].mean(), bm.byCat[c].mean())
	}
	all := engine.all.mean()
	row("all", engine.all.n, all, bm.all.mean())
	if testing.Verbose() {
		for _, f := range engine.fails {
			t.Log("miss: " + f)
		}
	}

	for _, f := range []struct {
		name       string
		got, floor float64
	}{
		{"hit@1", all.hit1, floorHit1},
		{"hit@3", all.hit3, floorHit3},
		{"nDCG@3", all.ndcg3, floorNDCG3},
		{"MRR", all.mrr, floorMRR},
	} {
		if f.got < f.floor {
			t.Errorf("%s = %.3f, below the floor %.2f", f.name, f.got, f.floor)
		}
	}
	for _, c := range cats {
		if got := engine.byCat[c].mean().hit3; got < floorCatHit {
			t.Errorf("category %s: hit@3 = %.3f, below the floor %.2f", c, got, floorCatHit)
		}
	}
}

// TestQualityWhy holds /why's title lookup to the labelled lookups: the
// pick or mention meant, or none ("did you mean…") where none is meant.
func TestQualityWhy(t *testing.T) {
	set := loadQualitySet(t)
	e := bottest.Engine(t)
	right := 0
	for _, w := range set.Why {
		a := e.Why(w.Q)
		got := ""
		switch {
		case a.Title != nil:
			got = a.Title.ID
		case a.Mention != nil:
			got = a.Mention.ID
		}
		if got == w.Expect {
			right++
			continue
		}
		t.Logf("miss: /why %q: got %q, want %q", w.Q, got, w.Expect)
	}
	score := float64(right) / float64(len(set.Why))
	t.Logf("/why lookups: %d of %d right (%.3f)", right, len(set.Why), score)
	if score < floorWhy {
		t.Errorf("/why lookups: %.3f right, below the floor %.2f", score, floorWhy)
	}
}

const floorWhy = 0.95

// bm25 is a plain Okapi BM25 ranking over all of a pick's text: title,
// aliases, credit, people, tags, facts and commentary. It is the baseline
// the engine is measured against.
type bm25 struct {
	docs  []*bot.Title
	tf    []map[string]int
	len   []int
	df    map[string]int
	avgdl float64
}

func bm25Tokens(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		out = append(out, w)
	}
	return out
}

func newBM25(c *bot.Catalog) *bm25 {
	b := &bm25{df: map[string]int{}}
	total := 0
	for i := range c.Picks {
		t := &c.Picks[i]
		parts := []string{t.Title, t.Heading, t.Credit.String()}
		parts = append(parts, t.Aliases...)
		parts = append(parts, t.People...)
		parts = append(parts, t.Tags...)
		parts = append(parts, t.Commentary...)
		parts = append(parts, t.Cast...)
		parts = append(parts, t.Writers...)
		parts = append(parts, t.Composers...)
		parts = append(parts, t.BasedOn, t.Period)
		parts = append(parts, t.Places...)
		parts = append(parts, t.Genres...)
		parts = append(parts, t.Themes...)
		parts = append(parts, t.Moods...)
		parts = append(parts, t.AltTitles...)
		tf := map[string]int{}
		n := 0
		for _, w := range bm25Tokens(strings.Join(parts, " ")) {
			tf[w]++
			n++
		}
		for w := range tf {
			b.df[w]++
		}
		b.docs = append(b.docs, t)
		b.tf = append(b.tf, tf)
		b.len = append(b.len, n)
		total += n
	}
	b.avgdl = float64(total) / float64(len(b.docs))
	return b
}

func bm25Answer(b *bm25) func(q qualityQuery) answer {
	const k1, bb = 1.2, 0.75
	return func(q qualityQuery) answer {
		type scored struct {
			i int
			s float64
		}
		var ranked []scored
		n := float64(len(b.docs))
		for i, t := range b.docs {
			if q.Kind != "" && t.Kind != q.Kind {
				continue
			}
			s := 0.0
			for _, w := range bm25Tokens(q.Q) {
				f := float64(b.tf[i][w])
				if f == 0 {
					continue
				}
				idf := math.Log(1 + (n-float64(b.df[w])+0.5)/(float64(b.df[w])+0.5))
				s += idf * f * (k1 + 1) / (f + k1*(1-bb+bb*float64(b.len[i])/b.avgdl))
			}
			if s > 0 {
				ranked = append(ranked, scored{i, s})
			}
		}
		slices.SortStableFunc(ranked, func(x, y scored) int { return cmp.Compare(y.s, x.s) })
		var a answer
		for _, r := range ranked {
			if len(a.ids) == bot.MaxPicks {
				break
			}
			a.ids = append(a.ids, b.docs[r.i].ID)
		}
		a.noFit = len(a.ids) == 0
		return a
	}
}

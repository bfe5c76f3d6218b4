package bot_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

// bigCatalog generates a catalog of n picks in the built-in format: titles,
// tags and commentary drawn from a vocabulary, so the indexes are exercised
// the way a large real catalog would.
func bigCatalog(tb testing.TB, n int) []byte {
	tb.Helper()
	r := rand.New(rand.NewPCG(42, uint64(n)))
	words := strings.Fields(`glass harbour money night city winter trader panic static empire
		silver debt broker margin fever orchid lantern velvet signal ledger crown
		hollow tide morning office river black gold saint north quiet bright long`)
	vocab := strings.Fields(`the we love how it is a film about work money people and their
		ambition dialogue scene shot camera light colour dark night city trading
		floor bank risk fear desire friendship rivalry power script score grain
		frame cut edit actor performance story truth detail process research`)
	tags := strings.Fields(`tense talky raw finance comedy drama workplace crime thriller
		youth period british satire intimate kinetic corporate heist indie`)
	pick := func(list []string, k int) []string {
		out := make([]string, k)
		for i := range out {
			out[i] = list[r.IntN(len(list))]
		}
		return out
	}
	type title struct {
		ID         string         `json:"id"`
		Title      string         `json:"title"`
		Kind       string         `json:"kind"`
		Year       int            `json:"year"`
		EndYear    int            `json:"end_year,omitempty"`
		Credit     map[string]any `json:"credit"`
		People     []string       `json:"people"`
		Tags       []string       `json:"tags"`
		Aliases    []string       `json:"aliases"`
		Heading    string         `json:"heading"`
		Commentary []string       `json:"commentary"`
		Link       string         `json:"link"`
	}
	picks := make([]title, n)
	for i := range picks {
		kind, end := "film", 0
		year := 1950 + r.IntN(70)
		if i%3 == 0 {
			kind, end = "tv", year+r.IntN(8)
		}
		name := strings.Join(pick(words, 2+r.IntN(2)), " ") + fmt.Sprintf(" %d", i)
		picks[i] = title{
			ID: fmt.Sprintf("t%d", i), Title: name, Kind: kind, Year: year, EndYear: end,
			Credit:     map[string]any{"role": "director", "names": []string{"Director " + words[r.IntN(len(words))]}},
			People:     []string{"Person " + words[r.IntN(len(words))]},
			Tags:       dedupe(pick(tags, 3)),
			Aliases:    []string{},
			Commentary: []string{strings.Join(pick(vocab, 40), " ") + ".", strings.Join(pick(vocab, 30), " ") + "."},
		}
		if kind == "film" {
			picks[i].EndYear = 0
		}
	}
	b, err := json.Marshal(map[string]any{
		"source": map[string]any{"article": "Generated", "speakers": []string{"A", "B"}, "speakers_role": "bench"},
		"picks":  picks,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

var big struct {
	once sync.Once
	data []byte
	e    *bot.Engine
}

func bigEngine(b *testing.B) *bot.Engine {
	big.once.Do(func() {
		big.data = bigCatalog(b, 100_000)
		c, err := bot.ParseCatalog(big.data)
		if err != nil {
			b.Fatal(err)
		}
		big.e = bot.NewEngine(c)
	})
	return big.e
}

func benchEngines(b *testing.B, run func(b *testing.B, e *bot.Engine, big bool)) {
	b.Run("catalog=builtin", func(b *testing.B) { run(b, bottest.Engine(b), false) })
	b.Run("catalog=100k", func(b *testing.B) { run(b, bigEngine(b), true) })
}

func BenchmarkRecommend(b *testing.B) {
	benchEngines(b, func(b *testing.B, e *bot.Engine, big bool) {
		queries := []string{"something tense", "a workplace drama on tv", "like Succession", "british comedy", "finance"}
		if big {
			queries = []string{"something tense", "talky dialogue on tv", "like glass harbour 17", "british comedy", "finance risk"}
		}
		exclude := []string{"heat", "t1", "t2"}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if r := e.Recommend(queries[i%len(queries)], "", exclude); len(r.Picks) == 0 {
				b.Fatal("no picks")
			}
		}
	})
}

func BenchmarkWhy(b *testing.B) {
	benchEngines(b, func(b *testing.B, e *bot.Engine, big bool) {
		queries := []string{"heat", "social netwrok", "mad man", "The Sopranos", "nothing like this"}
		if big {
			queries = []string{"glass harbour money 1234", "glas harbor money 1234", "t99999", "winter trader 5", "nothing like this"}
		}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			e.Why(queries[i%len(queries)])
		}
	})
}

func BenchmarkRandom(b *testing.B) {
	benchEngines(b, func(b *testing.B, e *bot.Engine, big bool) {
		exclude := []string{"heat", "kids", "girls", "mad-men", "t1", "t2", "t3"}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			kinds := []bot.Kind{"", bot.Film, bot.TV}
			if t, _ := e.Random(kinds[i%3], exclude); t == nil {
				b.Fatal("no pick")
			}
		}
	})
}

// BenchmarkLoad100k measures parsing, validating and indexing 100,000 picks.
func BenchmarkLoad100k(b *testing.B) {
	data := bigCatalog(b, 100_000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		c, err := bot.ParseCatalog(data)
		if err != nil {
			b.Fatal(err)
		}
		bot.NewEngine(c)
	}
}

// Package bottest builds the catalog, engine and bot that tests use, the same deterministic way every time.
package bottest

import (
	"math/rand/v2"
	"sync"
	"testing"

	industrybot "github.com/industrybot/industrybot"
	"github.com/industrybot/industrybot/bot"
)

// builtin parses the built-in catalog and the knowledge that goes with it,
// once for the whole test binary.
var builtin = sync.OnceValues(func() (builtinData, error) {
	c, err := bot.ParseCatalog(industrybot.CatalogJSON())
	if err != nil {
		return builtinData{}, err
	}
	k, err := bot.ParseKnowledge(industrybot.KnowledgeJSON(), c)
	if err != nil {
		return builtinData{}, err
	}
	return builtinData{c, k}, nil
})

type builtinData struct {
	catalog   *bot.Catalog
	knowledge *bot.Knowledge
}

func load(tb testing.TB) builtinData {
	tb.Helper()
	d, err := builtin()
	if err != nil {
		tb.Fatalf("the built-in catalog or knowledge does not load: %v", err)
	}
	return d
}

// Catalog returns the built-in catalog, recommendations.json. It is parsed
// once and shared by every test in the binary: callers must not modify it.
// A test that needs a changed catalog parses its own.
func Catalog(tb testing.TB) *bot.Catalog {
	tb.Helper()
	return load(tb).catalog
}

// seed is the seed of the PCG random source Engine gives each engine.
const seed = 1

// Engine returns an engine on Catalog with the built-in knowledge of titles
// outside the list, as the released bot runs, and a random source of its
// own seeded with seed: the same calls give the same answers every run, and
// no two engines share a source. The source is safe for concurrent use,
// though concurrent draws come in no fixed order. opts apply after these
// defaults, so a caller can replace either (bot.WithRand, bot.WithKnowledge).
func Engine(tb testing.TB, opts ...bot.EngineOption) *bot.Engine {
	tb.Helper()
	d := load(tb)
	r := rand.New(rand.NewPCG(seed, seed))
	var mu sync.Mutex
	intn := func(n int) int {
		mu.Lock()
		defer mu.Unlock()
		return r.IntN(n)
	}
	defaults := []bot.EngineOption{bot.WithKnowledge(d.knowledge), bot.WithRand(intn)}
	return bot.NewEngine(d.catalog, append(defaults, opts...)...)
}

// Option changes how Bot builds its bot.
type Option func(*bot.Config)

// WithMemory gives the bot m instead of a fresh in-memory store.
func WithMemory(m bot.Memory) Option {
	return func(c *bot.Config) { c.Memory = m }
}

// Bot returns a bot on a new Engine, with a fresh in-memory store
// (bot.NewMemoryStore) unless WithMemory says otherwise, and no daily picks.
func Bot(tb testing.TB, opts ...Option) *bot.Bot {
	tb.Helper()
	c := bot.Config{Engine: Engine(tb), Memory: bot.NewMemoryStore()}
	for _, o := range opts {
		o(&c)
	}
	return bot.New(c)
}

package bot

import (
	"context"
	"slices"
	"sync"
)

// Answers that are a pure function of the catalog and the request (/why
// of a title, the first page of /recommend for a query that states a
// preference) are worked out once and reused: the engine's search and
// the reply's wording are done for the first such request, and every
// later one gets the same Reply, with a Key that says so. Renderers may
// keep what they made of a reply by its Key. What is the request's own
// is still done for each: the channel remembers what it was shown, and
// whatever wraps the Bot (metrics) sees every request.

// reusedAnswers bounds how many answers are kept. An answer is a reply
// that points into the catalog, a few hundred bytes of its own; past the
// bound, one is dropped at random for each added.
const reusedAnswers = 1024

// answers holds the reused answers by key.
type answers struct {
	mu sync.Mutex
	m  map[string]answer
}

// answer is a reply and the ids of the picks it shows, which the channel
// asking remembers.
type answer struct {
	reply Reply
	shown []string
}

func (a *answers) get(key string) (answer, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	got, ok := a.m[key]
	return got, ok
}

func (a *answers) put(key string, ans answer) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil {
		a.m = make(map[string]answer)
	}
	if _, ok := a.m[key]; !ok && len(a.m) >= reusedAnswers {
		for k := range a.m { // a random one
			delete(a.m, k)
			break
		}
	}
	a.m[key] = ans
}

// reuseKey names an answer by the command and the options it depends on.
func reuseKey(command string, parts ...string) string {
	key := command
	for _, p := range parts {
		key += "\x00" + p
	}
	return key
}

// reuse answers with the reply kept for key, or with work's, which it
// keeps when work says it is reusable (a free choice is not: it varies
// from call to call). Either way, the channel remembers the picks shown.
// A kept reply's slices are shared by every request that gets it: it is
// read, never changed.
func (b *Bot) reuse(ctx context.Context, ch ChannelKey, key string, work func() (r Reply, shown []string, reusable bool)) Reply {
	ans, ok := b.answers.get(key)
	if !ok {
		r, shown, reusable := work()
		ans = answer{r, shown}
		if reusable {
			// Clipped, an append by a reader makes a slice of its own.
			r := &ans.reply
			r.Key = key
			r.Picks, r.Actions, r.Suggestions, r.Help = slices.Clip(r.Picks), slices.Clip(r.Actions), slices.Clip(r.Suggestions), slices.Clip(r.Help)
			b.answers.put(key, ans)
		}
	}
	if len(ans.shown) > 0 {
		b.remember(ctx, ch, ans.shown...)
	}
	return ans.reply
}

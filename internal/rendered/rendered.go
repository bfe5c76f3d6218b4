// Package rendered keeps answers already encoded for a platform, by the
// key of the reply they render (bot.Reply.Key), within a bound of bytes.
package rendered

import "sync"

// DefaultMax is the bound of a Cache made with New(0): a few thousand
// answers of a kilobyte or two.
const DefaultMax = 4 << 20

// Cache holds encoded answers by key. Past its bound, answers are dropped
// at random until the new one fits. It is safe for concurrent use.
type Cache struct {
	mu   sync.Mutex
	m    map[string][]byte
	size int // bytes held, keys and answers
	max  int
}

// New returns a Cache that holds at most max bytes of keys and answers,
// DefaultMax when max is 0 or less.
func New(max int) *Cache {
	if max <= 0 {
		max = DefaultMax
	}
	return &Cache{m: make(map[string][]byte), max: max}
}

// Get returns the answer kept for key. The caller must not change it.
func (c *Cache) Get(key string) ([]byte, bool) {
	if key == "" {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.m[key]
	return b, ok
}

// Put keeps b as the answer for key, unless key is "" or the pair is
// larger than the whole bound. The caller must not change b afterwards.
func (c *Cache) Put(key string, b []byte) {
	n := len(key) + len(b)
	if key == "" || n > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[key]; ok {
		c.size -= len(key) + len(old)
		delete(c.m, key)
	}
	for k, v := range c.m { // in no fixed order: at random
		if c.size+n <= c.max {
			break
		}
		c.size -= len(k) + len(v)
		delete(c.m, k)
	}
	c.m[key] = b
	c.size += n
}

// Len returns how many answers are kept.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// Size returns how many bytes of keys and answers are kept.
func (c *Cache) Size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

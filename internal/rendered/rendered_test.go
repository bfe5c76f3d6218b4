package rendered

import (
	"bytes"
	"strconv"
	"testing"
)

func TestCache(t *testing.T) {
	t.Parallel()
	c := New(100)
	if _, ok := c.Get("a"); ok {
		t.Error("an empty cache holds a")
	}
	c.Put("a", []byte("1234"))
	if got, ok := c.Get("a"); !ok || !bytes.Equal(got, []byte("1234")) {
		t.Errorf("Get(a) = %q, %v; want 1234", got, ok)
	}
	c.Put("a", []byte("56"))
	if got, _ := c.Get("a"); string(got) != "56" || c.Size() != 3 || c.Len() != 1 {
		t.Errorf("after replacing a: %q, size %d, len %d; want 56, 3, 1", got, c.Size(), c.Len())
	}
	c.Put("", []byte("x"))
	if _, ok := c.Get(""); ok || c.Len() != 1 {
		t.Error("the empty key was kept")
	}
	c.Put("big", bytes.Repeat([]byte("x"), 100))
	if _, ok := c.Get("big"); ok {
		t.Error("an answer larger than the bound was kept")
	}
}

func TestCacheBound(t *testing.T) {
	t.Parallel()
	c := New(1000)
	for i := range 1000 {
		key := "key-" + strconv.Itoa(i)
		c.Put(key, bytes.Repeat([]byte("x"), 40))
		if c.Size() > 1000 {
			t.Fatalf("after %d answers, %d bytes kept; want at most 1000", i+1, c.Size())
		}
		if got, ok := c.Get(key); !ok || len(got) != 40 {
			t.Fatalf("the answer just put, %s, is not kept", key)
		}
	}
	if n := c.Len(); n < 15 || n > 1000/45 {
		t.Errorf("%d answers of 45 to 47 bytes kept in 1,000; want 15 to 22", n)
	}
}

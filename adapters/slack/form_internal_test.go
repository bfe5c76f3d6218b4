package slack

import (
	"net/url"
	"strings"
	"testing"
)

// TestParseForm holds parseForm to url.ParseQuery: the same values, the
// first of each key, and an error for the same bodies.
func TestParseForm(t *testing.T) {
	t.Parallel()
	bodies := []string{
		"", "a=1", "a=1&b=2&a=3", "a", "a=", "=1", "&&a=1&&", "a=1;b=2", "a=%zz&b=2", "%zz=1&b=2",
		"text=%2Fwhy+heat&command=%2Fwhy&channel_id=C1", "a=1=2", "k=%E2%80%9Cq%E2%80%9D", "a+b=c+d", "a=1&a",
		strings.Repeat("a=1&", 10001),
	}
	for _, body := range bodies {
		want, werr := url.ParseQuery(body)
		got, gerr := parseForm(body)
		if (werr == nil) != (gerr == nil) {
			t.Errorf("%.40q: error %v; url.ParseQuery's %v", body, gerr, werr)
			continue
		}
		if werr != nil {
			continue
		}
		for key := range want {
			if got.Get(key) != want.Get(key) {
				t.Errorf("%.40q: Get(%q) = %q; want %q", body, key, got.Get(key), want.Get(key))
			}
		}
		n := 0
		for _, vs := range want {
			n += len(vs)
		}
		if len(got) != n {
			t.Errorf("%.40q: %d fields; want %d", body, len(got), n)
		}
	}
}

func FuzzParseForm(f *testing.F) {
	f.Add("text=%2Fwhy+heat&command=%2Fwhy")
	f.Fuzz(func(t *testing.T, body string) {
		want, werr := url.ParseQuery(body)
		got, gerr := parseForm(body)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("%q: error %v; url.ParseQuery's %v", body, gerr, werr)
		}
		if werr == nil {
			for key := range want {
				if got.Get(key) != want.Get(key) {
					t.Fatalf("%q: Get(%q) = %q; want %q", body, key, got.Get(key), want.Get(key))
				}
			}
		}
	})
}

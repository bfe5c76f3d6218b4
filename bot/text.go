package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// fold maps the accented letters and typographic marks that appear in titles,
// names and commentary to plain ASCII, so "vérité" matches "verite" and
// “Heat” matches "heat".
var fold = map[rune]string{
	'á': "a", 'à': "a", 'â': "a", 'ä': "a", 'ã': "a", 'å': "a", 'æ': "ae",
	'ç': "c", 'é': "e", 'è': "e", 'ê': "e", 'ë': "e",
	'í': "i", 'ì': "i", 'î': "i", 'ï': "i", 'ñ': "n",
	'ó': "o", 'ò': "o", 'ô': "o", 'ö': "o", 'õ': "o", 'ø': "o", 'œ': "oe",
	'ú': "u", 'ù': "u", 'û': "u", 'ü': "u", 'ý': "y", 'ÿ': "y", 'ß': "ss",
	'&': " and ",
}

// scanWords calls f with each word of s, lower-cased, accents folded,
// apostrophes dropped (so "O'Connor" is one word) and "&" read as "and";
// every other run of punctuation or space separates words. The slice f gets
// is reused: f must copy what it keeps. Index building calls it for every
// word of a catalog, so it allocates nothing per word.
func scanWords(s string, buf []byte, f func(word []byte)) []byte {
	w := buf[:0]
	flush := func() {
		if len(w) > 0 {
			f(w)
			w = w[:0]
		}
	}
	for _, r := range s {
		if r < utf8.RuneSelf {
			switch {
			case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
				w = append(w, byte(r))
				continue
			case r >= 'A' && r <= 'Z':
				w = append(w, byte(r)+('a'-'A'))
				continue
			case r == '\'' || r == '`':
				continue
			}
		}
		r = unicode.ToLower(r)
		if r == '’' || r == '‘' {
			continue
		}
		if fl, ok := fold[r]; ok {
			for _, fr := range fl {
				if fr == ' ' {
					flush()
					continue
				}
				w = utf8.AppendRune(w, fr)
			}
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			w = utf8.AppendRune(w, r)
			continue
		}
		flush()
	}
	flush()
	return w
}

// normalizeText joins the words of s with single spaces: "Halt & Catch
// Fire!" → "halt and catch fire".
func normalizeText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	scanWords(s, nil, func(w []byte) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.Write(w)
	})
	return b.String()
}

// normalizeTitle is normalizeText without a leading article, the key under
// which titles and aliases are looked up: "The Social Network" → "social
// network".
func normalizeTitle(s string) string {
	n := normalizeText(s)
	for _, article := range []string{"the ", "a ", "an "} {
		if rest, ok := strings.CutPrefix(n, article); ok && rest != "" {
			return rest
		}
	}
	return n
}

// stem reduces an English word to a crude stem so the forms of a word meet:
// plurals and possessives ("bankers" → "banker", "Industry’s" →
// "industry"), -ing and -ed ("gambling" and "gamble", "bored" and
// "boring"), -ness ("awkwardness" → "awkward") and a final y or e
// ("comedy" and "comedies", "tense" and "tenses"). Queries and catalogs go
// through the same stem, so the stems need only agree, not be words.
func stem(w string) string { return string(stemBytes([]byte(w))) }

// stemBytes is stem in place.
func stemBytes(w []byte) []byte {
	n := len(w)
	switch {
	case n > 4 && hasSuffix(w, "sses"):
		w = w[:n-2]
	case n > 4 && hasSuffix(w, "ies"):
		w = w[:n-2]
		w[len(w)-1] = 'i'
	case n > 3 && w[n-1] == 's' && w[n-2] != 's' && w[n-2] != 'u' && w[n-2] != 'i':
		w = w[:n-1]
	}
	n = len(w)
	switch {
	case n > 7 && hasSuffix(w, "ness") && !hasSuffix(w, "business") && !hasSuffix(w, "witness"):
		w = w[:n-4]
	case n > 5 && hasSuffix(w, "ing"):
		w = undouble(w[:n-3])
	case n > 4 && hasSuffix(w, "ed") && w[n-3] != 'e':
		w = undouble(w[:n-2])
	}
	n = len(w)
	switch {
	case n > 3 && w[n-1] == 'e':
		w = w[:n-1]
	case n > 3 && w[n-1] == 'y' && !vowel(w[n-2]):
		w[n-1] = 'i'
	}
	return w
}

func hasSuffix(w []byte, s string) bool {
	return len(w) >= len(s) && string(w[len(w)-len(s):]) == s
}

func vowel(c byte) bool { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' }

// undouble drops one of a doubled final consonant: "bett" → "bet".
func undouble(w []byte) []byte {
	n := len(w)
	if n > 2 && w[n-1] == w[n-2] && !vowel(w[n-1]) && w[n-1] != 'l' && w[n-1] != 's' && w[n-1] != 'z' {
		return w[:n-1]
	}
	return w
}

// terms returns the stemmed words of s.
func terms(s string) []string {
	var out []string
	scanWords(s, nil, func(w []byte) { out = append(out, string(stemBytes(w))) })
	return out
}

// stemPhrase is the stemmed words of s joined by single spaces: the key of
// a phrase.
func stemPhrase(s string) string { return strings.Join(terms(s), " ") }

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[stemPhrase(w)] = true
	}
	return m
}

// Distance is the optimal-string-alignment edit distance between a and b
// (insertions, deletions, substitutions and transpositions of neighbours),
// or max+1 as soon as it must exceed max.
func Distance(a, b string, max int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > max || -d > max {
		return max + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// sentences splits a paragraph after ".", "!" or "?" (and any closing quote
// or bracket) where a space follows.
func sentences(p string) []string {
	var out []string
	start := 0
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '.', '!', '?':
		default:
			continue
		}
		j := i + 1
		for j < len(p) {
			r, size := utf8.DecodeRuneInString(p[j:])
			if r != '"' && r != '”' && r != '’' && r != ')' && r != '\'' {
				break
			}
			j += size
		}
		if r, _ := utf8.DecodeRuneInString(p[j:]); j < len(p) && unicode.IsSpace(r) {
			if s := strings.TrimSpace(p[start:j]); s != "" {
				out = append(out, s)
			}
			start = j
			i = j - 1
		}
	}
	if s := strings.TrimSpace(p[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

// Clip shortens s to at most max runes, cutting at a word boundary and ending
// with "…" when it had to cut. Collapsed runs of spaces count once.
func Clip(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	if max < 2 {
		return "…"
	}
	cut := 0
	n := 0
	for i := range s {
		if n == max-1 {
			cut = i
			break
		}
		n++
	}
	head := s[:cut]
	if sp := strings.LastIndexByte(head, ' '); sp > 0 && s[cut] != ' ' {
		head = head[:sp]
	}
	return strings.TrimRight(head, " ,;:-–—") + "…"
}

// Split breaks text into chunks of at most max runes, at sentence ends where
// it can and at spaces otherwise, never inside a word unless a single word is
// longer than max. Platforms with a per-field limit render long commentary
// with it. Joining the chunks with single spaces gives the text back with its
// whitespace runs collapsed.
func Split(text string, max int) []string {
	text = strings.Join(strings.Fields(text), " ")
	var out []string
	for utf8.RuneCountInString(text) > max {
		// limit is the byte offset of the rune just past max runes.
		limit, n := len(text), 0
		for i := range text {
			if n == max {
				limit = i
				break
			}
			n++
		}
		cut := -1
		for _, end := range []string{". ", "! ", "? ", ".” ", "!” ", "?” ", ".\" "} {
			if i := strings.LastIndex(text[:limit], end); i >= 0 && i+len(end)-1 > cut {
				cut = i + len(end) - 1 // keep the mark, drop the space
			}
		}
		if cut < limit/2 { // a sentence end too early wastes the chunk
			if text[limit] == ' ' {
				cut = limit
			} else if sp := strings.LastIndexByte(text[:limit], ' '); sp > 0 {
				cut = sp
			} else {
				cut = limit // one word longer than max: no choice but to cut it
			}
		}
		out = append(out, strings.TrimSpace(text[:cut]))
		text = strings.TrimSpace(text[cut:])
	}
	if text != "" {
		out = append(out, text)
	}
	return out
}

package bot_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/industrybot/industrybot/bot"
)

func TestQuote(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"plain", "something tense", 80, "“something tense”"},
		{"spaces and newlines", "  a\nb\r\n\tc\u2028d\u0085e\u00a0f  ", 80, "“a b c d e f”"},
		{"control characters", "da\x1a\x00sh\x7f", 80, "“dash”"},
		{"terminal escape", "\x1b[31mred\x1b[0m", 80, "“[31mred[0m”"},
		{"bidi override", "abc\u202edcba\u202c", 80, "“abcdcba”"},
		{"bidi isolate and marks", "\u2066x\u2069\u200ey\u200f", 80, "“xy”"},
		{"zero-width", "he\u200bl\u200cl\u200do\ufeff", 80, "“hello”"},
		{"invalid UTF-8", "a\xffb\xc0", 80, "“a\ufffdb\ufffd”"},
		{"clipped", strings.Repeat("word ", 30), 12, "“word word…”"},
		{"clipped long word", strings.Repeat("x", 600), 10, "“xxxxxxxxx…”"},
		{"https URL", "https://evil.example/login", 80, "“https[:]//evil[.]example/login”"},
		{"any scheme", "steam://run/1 ftp://x", 80, "“steam[:]//run/1 ftp[:]//x”"},
		{"www", "www.evil.com", 80, "“www[.]evil[.]com”"},
		{"bare domain", "go to bit.ly/x now", 80, "“go to bit[.]ly/x now”"},
		{"invite", "discord.gg/abc", 80, "“discord[.]gg/abc”"},
		{"e-mail", "me@mail.co", 80, "“me@mail[.]co”"},
		{"masked link", "[HBO](https://hbo.com)", 80, "“[HBO](https[:]//hbo[.]com)”"},
		{"Slack link markup", "<https://x.io|HBO> <!here>", 80, "“<https[:]//x[.]io|HBO> <!here>”"},
		{"zero-width inside a domain", "evil\u200b.com", 80, "“evil[.]com”"},
		{"ideographic full stop", "evil。com and 東京。大阪", 80, "“evil[.]com and 東京。大阪”"},
		{"fullwidth full stop", "evil．com", 80, "“evil[.]com”"},
		{"non-Latin domain", "пример.рф", 80, "“пример[.]рф”"},
		{"letter number before the dot", "ꛪ.A0 Ⅻ.com", 80, "“ꛪ[.]A0 Ⅻ[.]com”"},
		{"combining mark before the dot", "cafe\u0301.com", 80, "“cafe\u0301[.]com”"},
		{"superscript after the dot", "x.²a", 80, "“x[.]²a”"},
		{"numbers stay", "3.5 stars, v2.0, 127.0.0.1", 80, "“3.5 stars, v2.0, 127.0.0.1”"},
		{"abbreviations stay", "e.g. tense, i.e. talky", 80, "“e.g. tense, i.e. talky”"},
		{"sentences stay", "Tense. Talky... like Succession.", 80, "“Tense. Talky... like Succession.”"},
		{"a colon stays", "kind: tv, 9:30", 80, "“kind: tv, 9:30”"},
		{"empty", "", 80, "“”"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := bot.Quote(tc.in, tc.max); got != tc.want {
				t.Errorf("Quote(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
			}
		})
	}
}

// linkable finds what Discord or Slack would turn into a link: a scheme's
// "://", or a dot between a domain's labels (see delink).
var linkable = regexp.MustCompile(`://|[\p{L}\p{M}\p{N}]\.[\p{L}\p{Nl}\p{No}][\p{L}\p{M}\p{N}]|[A-Za-z0-9][。．｡﹒․][A-Za-z][A-Za-z0-9]`)

// FuzzQuote holds Quote to its promises on any text: one line of valid
// UTF-8, no control or format character, at most max runes between the
// quotes, nothing a platform would make a link.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"talky", "a\nb", "https://x.io", "www.x.com\u202e", "evil\u200b.com", "\xff\xfe", strings.Repeat("ab.cd ", 40)} {
		f.Add(s, 40)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		max = 1 + abs(max%200)
		q := bot.Quote(s, max)
		inner, ok := strings.CutPrefix(q, "“")
		if inner, ok = strings.CutSuffix(inner, "”"); !ok {
			t.Fatalf("%q is not between “ and ”", q)
		}
		if !utf8.ValidString(q) {
			t.Errorf("%q is not valid UTF-8", q)
		}
		if n := utf8.RuneCountInString(inner); n > max {
			t.Errorf("%d runes, max %d: %q", n, max, q)
		}
		for _, r := range inner {
			if r != ' ' && unicode.IsSpace(r) || unicode.In(r, unicode.Cc, unicode.Cf) {
				t.Errorf("%q keeps %U", q, r)
			}
		}
		if loc := linkable.FindStringIndex(inner); loc != nil {
			t.Errorf("%q keeps a link: %q", q, inner[loc[0]:loc[1]])
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

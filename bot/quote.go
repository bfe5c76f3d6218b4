package bot

import (
	"strings"
	"unicode"
)

// Quote returns text someone sent, fit to be echoed in a message or an
// error, between “ and ”. Every echo of user text goes through it, so that
// none can break a message, hide or reorder what follows it, or become a
// link:
//
//   - at most max runes between the quotes, cut at a word and ending "…"
//     when it had to cut (Clip);
//   - valid UTF-8: a broken byte becomes U+FFFD;
//   - one line: every run of white space, newlines, U+2028 and U+0085
//     included, is one space;
//   - no control or format character (Unicode Cc and Cf: NUL, ESC, bidi
//     overrides and isolates, zero-width spaces and joiners, the BOM…);
//   - de-linked: "://" becomes "[:]//", and a dot that would make a domain
//     ("www.x.com", "bit.ly", "a@b.co", "discord.gg/x") becomes "[.]", so
//     that neither Discord nor Slack turns it into a link or an e-mail
//     address. Markup (Discord's Markdown and masked links, Slack's <…> and
//     &-escapes) is the renderers' to escape: they do it for all text.
func Quote(s string, max int) string {
	return "“" + Clip(delink(visible(s)), max) + "”"
}

// visible drops the control and format characters of s and turns its
// white space into plain spaces; what it returns is valid UTF-8.
func visible(s string) string {
	clean := true
	for _, r := range s {
		if r == unicode.ReplacementChar || r != ' ' && (unicode.IsSpace(r) || unicode.In(r, unicode.Cc, unicode.Cf)) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s { // a broken byte comes out as U+FFFD
		switch {
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case unicode.In(r, unicode.Cc, unicode.Cf):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// delink breaks what the platforms would turn into a link: the "://" of a
// URL, and each dot between a word rune (a letter, mark or number of any
// script, as IDNA allows in a label) and a label of two or more that does
// not start with a digit, as a domain has before its TLD. Numbers ("3.5",
// "v2.0") and abbreviations ("e.g.") stay as they are. The dots IDNA reads
// as full stops (。．｡﹒ and the one dot leader) count too when they stand
// between ASCII letters and digits, so CJK sentences keep theirs.
func delink(s string) string {
	if !strings.ContainsAny(s, ".:。．｡﹒․") {
		return s
	}
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i, r := range rs {
		switch {
		case r == ':' && i+2 < len(rs) && rs[i+1] == '/' && rs[i+2] == '/':
			b.WriteString("[:]")
		case r == '.' && domainDot(rs, i, isWordRune),
			isAltDot(r) && domainDot(rs, i, isASCIIWordRune):
			b.WriteString("[.]")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isAltDot(r rune) bool {
	switch r {
	case '。', '．', '｡', '﹒', '․':
		return true
	}
	return false
}

// domainDot reports whether the dot at rs[i] joins two labels of a domain:
// a word rune before it, and after it a word rune that is neither a digit
// nor a mark, then another word rune.
func domainDot(rs []rune, i int, word func(rune) bool) bool {
	return i > 0 && i+2 < len(rs) && word(rs[i-1]) && word(rs[i+1]) && !unicode.IsDigit(rs[i+1]) && !unicode.IsMark(rs[i+1]) && word(rs[i+2])
}

// isWordRune reports whether r may stand in a domain's label: letters,
// marks ("e\u0301") and numbers, Nl and No included ("Ⅻ" and "²" become
// "xii" and "2" under IDNA).
func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r) }

func isASCIIWordRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

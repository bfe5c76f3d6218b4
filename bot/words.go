package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The bot's words that every renderer shows: a renderer lays them out, it
// does not write them.

// Failure is the reply to a request that failed on the bot's side.
func Failure() Reply {
	return Reply{Private: true, Error: "Something went wrong on our side and it has been logged. Please try again."}
}

// Noun names the kind in a sentence: "film", "series"; "pick" for either.
func (k Kind) Noun() string { return kindNoun(k, 1) }

// Label names the kind on its own, as a heading or a choice: "Film",
// "Series"; "Pick" for either.
func (k Kind) Label() string {
	n := k.Noun()
	return strings.ToUpper(n[:1]) + n[1:]
}

func kindNoun(k Kind, n int) string {
	switch {
	case k == Film && n == 1:
		return "film"
	case k == Film:
		return "films"
	case k == TV:
		return "series"
	}
	if n == 1 {
		return "pick"
	}
	return "picks"
}

// OrList joins alternatives: "A", "A or B", "A, B or C".
func OrList(items []string) string { return joinList(items, " or ") }

func joinAnd(names []string) string { return joinList(names, " and ") }

func joinList(items []string, last string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + last + items[len(items)-1]
}

// DidYouMean offers the suggestions of an answer that found nothing: "Did
// you mean Heat (1995) or Thief (1981)?"; "" when there are none.
func DidYouMean(ss []Suggestion) string {
	if len(ss) == 0 {
		return ""
	}
	labels := make([]string, len(ss))
	for i, s := range ss {
		labels[i] = s.Label()
	}
	return "Did you mean " + OrList(labels) + "?"
}

// ErrorText is an answer's error as one paragraph: the error, what the user
// may have meant, and the lead that says what to try.
func (r Reply) ErrorText() string {
	parts := []string{r.Error}
	if d := DidYouMean(r.Suggestions); d != "" {
		parts = append(parts, d)
	}
	if r.Text != "" {
		parts = append(parts, r.Text)
	}
	return strings.Join(parts, " ")
}

// asSentence starts s with a capital and ends it with a full stop, for errors
// that read as clauses ("kind "x" is neither film nor tv").
func asSentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.ContainsRune(".!?", lastMark(s)) {
		s += "."
	}
	return s
}

// lastMark is the last rune of s before any closing quotes or brackets.
func lastMark(s string) rune {
	t := strings.TrimRight(s, "”’\"')")
	r, _ := utf8.DecodeLastRuneInString(t)
	return r
}

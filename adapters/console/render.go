package console

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mattn/go-runewidth"
	"github.com/muesli/termenv"

	"github.com/industrybot/industrybot/bot"
)

// Style says how text is emphasised: in colour and bold on a terminal that
// shows them, not at all in plain text.
type Style struct {
	out *termenv.Output // nil: plain text
}

// Plain is the style of text for a file or a pipe: no escape codes at all.
var Plain = Style{}

// role is what a span of text is, for its emphasis.
type role int

const (
	roleText    role = iota
	roleTitle        // a title's heading
	roleLead         // the line that leads an answer
	roleError        // what could not be answered
	roleHint         // did you mean, what to type next
	roleQuote        // the creators' words
	roleNote         // a note on the words, the attribution
	roleLink         // a URL
	rolePrompt       // the prompt
	roleButtons      // the buttons one may type
)

func (s Style) apply(r role, text string) string {
	if s.out == nil || text == "" || r == roleText || r == roleQuote {
		return text
	}
	st := s.out.String(text)
	switch r {
	case roleTitle:
		st = st.Bold()
	case roleLead:
		st = st.Bold().Foreground(s.out.Color("6"))
	case roleError:
		st = st.Bold().Foreground(s.out.Color("1"))
	case roleHint:
		st = st.Foreground(s.out.Color("3"))
	case roleNote, roleButtons:
		st = st.Faint()
	case roleLink:
		st = st.Underline().Foreground(s.out.Color("4"))
	case rolePrompt:
		st = st.Bold().Foreground(s.out.Color("5"))
	}
	return st.String()
}

// Layout is how a reply is laid out: the column to wrap at (0: none, one
// line a paragraph, as a pipe wants) and the emphasis.
type Layout struct {
	Width int
	Style Style
}

// Render writes a reply as plain text, wrapped at width columns (0: not
// wrapped).
func Render(r bot.Reply, width int) string { return Layout{Width: width}.Render(r) }

// Render lays a reply out as text.
func (l Layout) Render(r bot.Reply) string {
	var b strings.Builder
	p := paragraphs{l: l, b: &b}
	marked, para := p.marked, p.para
	para(roleError, r.WriteTimes(r.Error, bot.PlainTime), "")
	para(roleHint, bot.DidYouMean(r.Suggestions), "")
	lead := roleLead
	if r.Error != "" || r.Private {
		lead = roleText
	}
	para(lead, r.PlainText(), "")
	for i, p := range r.Picks {
		b.WriteByte('\n')
		t := p.Title
		prefix := ""
		if len(r.Picks) > 1 {
			prefix = fmt.Sprintf("%d. ", i+1)
		}
		indent := strings.Repeat(" ", len(prefix))
		marked(roleTitle, prefix, heading(&t.Work), indent)
		para(roleQuote, indent+"“"+p.Excerpt+"”", indent+" ")
		for _, n := range t.SpellingNotes(p.Excerpt) {
			para(roleNote, indent+n, indent)
		}
		if len(p.Reasons) > 0 {
			para(roleNote, indent+"Why it matched: "+strings.Join(p.Reasons, ", "), indent+"  ")
		}
	}
	if t := r.Commentary; t != nil {
		para(roleTitle, heading(&t.Work), "")
		para(roleLink, t.Link, "")
		for _, p := range t.Commentary {
			b.WriteByte('\n')
			para(roleQuote, "  "+strings.Join(strings.Fields(p), " "), "  ")
		}
		if notes := t.SpellingNotes(strings.Join(t.Commentary, " ")); len(notes) > 0 {
			b.WriteByte('\n')
			for _, n := range notes {
				para(roleNote, "  "+n, "  ")
			}
		}
	}
	if m := r.Mention; m != nil {
		b.WriteByte('\n')
		para(roleTitle, heading(&m.Work), "")
		para(roleQuote, "  “"+m.Sentence+"”", "   ")
	}
	for _, h := range r.Help {
		b.WriteByte('\n')
		para(roleTitle, h.Usage, "")
		para(roleText, "    "+h.Summary, "    ")
	}
	if r.Attribution != "" {
		b.WriteByte('\n')
		para(roleNote, "— "+r.Attribution, "  ")
	}
	if len(r.Actions) > 0 && r.Error == "" {
		var labels, hints []string
		for _, a := range r.Actions {
			labels = append(labels, "["+a.Label+"]")
			switch {
			case a.Effect == bot.ReplaceMessage && !slices.Contains(hints, "/another"):
				hints = append(hints, "/another")
			case a.Command == bot.CmdWhy && !slices.Contains(hints, "/why and a title"):
				hints = append(hints, "/why and a title")
			case a.Command == bot.CmdRandom && a.Effect == bot.PostNew && !slices.Contains(hints, "/random"):
				hints = append(hints, "/random")
			}
		}
		b.WriteByte('\n')
		para(roleButtons, strings.Join(labels, " ")+" (type "+bot.OrList(hints)+")", "")
	}
	return b.String()
}

// paragraphs writes wrapped, emphasised paragraphs.
type paragraphs struct {
	l Layout
	b *strings.Builder
}

// marked writes a paragraph that starts with mark ("1. "), which keeps
// its own emphasis, and goes on at indent.
func (p paragraphs) marked(ro role, mark, s, indent string) {
	if strings.TrimSpace(s) == "" {
		return
	}
	for i, line := range strings.Split(wrap(mark+s, p.l.Width, indent), "\n") {
		lead := indent
		if i == 0 {
			lead = mark
			if mark == "" {
				lead = s[:len(s)-len(strings.TrimLeft(s, " "))]
			}
		}
		body := strings.TrimPrefix(line, lead)
		p.b.WriteString(lead + p.l.Style.apply(ro, body) + "\n")
	}
}

// para writes each line of s as a paragraph; a line that starts with
// spaces goes on at that indent.
func (p paragraphs) para(ro role, s, indent string) {
	for _, line := range strings.Split(s, "\n") {
		in := indent
		if lead := line[:len(line)-len(strings.TrimLeft(line, " "))]; len(lead) > len(in) {
			in = lead + "  "
		}
		p.marked(ro, "", line, in)
	}
}

// text lays out s, a paragraph a line, in the emphasis of ro.
func (l Layout) text(ro role, s string) string {
	var b strings.Builder
	paragraphs{l: l, b: &b}.para(ro, s, "")
	return b.String()
}

// heading renders the core's facts of a title as "Heat (1995), film
// directed by Michael Mann".
func heading(w *bot.Work) string {
	return fmt.Sprintf("%s (%s), %s", w.Title, w.Years(), w.Byline())
}

// wrap fills text into lines of at most width columns; lines after the
// first start with indent. A word longer than a line stays whole: a
// terminal breaks it, but no word is broken where it fits on a line of its
// own. Width 0 does not wrap.
func wrap(text string, width int, indent string) string {
	lead := len(text) - len(strings.TrimLeft(text, " "))
	words := strings.Fields(text)
	if len(words) == 0 {
		return ""
	}
	if width <= 0 {
		return strings.Repeat(" ", lead) + strings.Join(words, " ")
	}
	var b strings.Builder
	line := strings.Repeat(" ", lead) + words[0]
	n := runewidth.StringWidth(line)
	for _, w := range words[1:] {
		wl := runewidth.StringWidth(w)
		if n+1+wl > width {
			b.WriteString(line)
			b.WriteByte('\n')
			line = indent + w
			n = runewidth.StringWidth(indent) + wl
			continue
		}
		line += " " + w
		n += 1 + wl
	}
	b.WriteString(line)
	return b.String()
}

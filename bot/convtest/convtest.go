// Package convtest is the scripted conversation that the core and every chat
// adapter must answer with the same content: the same titles, the same
// privacy, the same buttons and the same words, whatever the rendering.
package convtest

import (
	"slices"
	"strings"
	"testing"

	"github.com/industrybot/industrybot/bot"
)

// Turn is one line said in a channel and what the answer must hold.
type Turn struct {
	Say  string
	Want Content
	// Count, when Want.Titles is nil, is how many titles the answer shows
	// (for /random, whose title is not known in advance).
	Count int
	// Contains lists words the answer's text must hold.
	Contains []string
}

// Content is an answer reduced to what every platform must agree on.
type Content struct {
	Titles  []string // titles of the picks, commentary or mention shown, in order
	Private bool     // shown only to the user who asked
	Buttons []string // button labels, in order
	Text    string   // every word shown, in order, formatting removed
}

// Script returns the conversation. Turns depend on the ones before them
// ("/why" with no title explains the last pick), so an adapter plays them in
// order in one channel.
func Script() []Turn {
	return []Turn{
		{Say: "/help", Want: Content{Private: true},
			Contains: []string{"/recommend", "/why", "/random", "Mickey Down and Konrad Kay"}},
		{Say: "/recommend talky", Want: Content{Titles: []string{"The Social Network", "Michael Clayton"}, Buttons: []string{"Another", "Why The Social Network?", "Why Michael Clayton?"}},
			Contains: []string{"Picks for “talky”", "2010", "directed by David Fincher", "The fast-talking, talky script is very much what we try to achieve with Industry", "Mickey Down and Konrad Kay"}},
		{Say: "/why", Want: Content{Titles: []string{"The Social Network"}},
			Contains: []string{"More Sorkin.", "Luckily, we had the equally talented Nathan Micay to give us that drive.", "Mickey Down and Konrad Kay"}},
		{Say: "/why heat", Want: Content{Titles: []string{"Heat"}},
			Contains: []string{"1995", "directed by Michael Mann", "“The action is the juice” is also a great mantra for being on set.", "https://en.wikipedia.org/wiki/Heat_(1995_film)"}},
		{Say: "/why social netwrok", Want: Content{Titles: []string{"The Social Network"}},
			Contains: []string{"Dialogue as competition"}},
		{Say: "/why mad", Want: Content{Private: true, Buttons: []string{"Mad Men"}},
			Contains: []string{"No title on the creators' list matches “mad”.", "Mad Men"}},
		{Say: "/why the sopranos", Want: Content{Titles: []string{"The Sopranos"}, Buttons: []string{"Why Mad Men?"}},
			Contains: []string{"When you make TV you imagine you’re making The Sopranos or Mad Men.", "in passing"}},
		{Say: "/why succession", Want: Content{Titles: []string{"Succession"}},
			Contains: []string{"the missing link between Succession and Euphoria", "introduction"}},
		{Say: "/recommend british comedy kind:tv", Want: Content{Titles: []string{"Peep Show", "Mad Men", "Girls"}, Buttons: []string{"Another", "Why Peep Show?", "Why Mad Men?", "Why Girls?"}},
			Contains: []string{"line for line Peep Show is the funniest British comedy of all time.", "created by Andrew O'Connor, Jesse Armstrong and Sam Bain", "2003–2015"}},
		{Say: "/random film", Count: 1, Want: Content{Buttons: []string{"Another", "Why?"}},
			Contains: []string{"A random film"}},
		{Say: "/recommend zzzz", Want: Content{Private: true},
			Contains: []string{"Nothing on the creators' list matches “zzzz”."}},
	}
}

// FromReply reduces a core reply to its content: the reference adapters are
// held to.
func FromReply(r bot.Reply) Content {
	c := Content{Private: r.Private}
	var text []string
	add := func(s ...string) { text = append(text, s...) }
	add(r.Error, r.Text)
	for _, p := range r.Picks {
		c.Titles = append(c.Titles, p.Title.Title)
		add(p.Title.Title, p.Title.Years(), p.Title.Credit.String(), p.Excerpt)
	}
	if t := r.Commentary; t != nil {
		c.Titles = append(c.Titles, t.Title)
		add(t.Title, t.Years(), t.Credit.String())
		add(t.Commentary...)
		add(t.Link)
	}
	if m := r.Mention; m != nil {
		c.Titles = append(c.Titles, m.Title)
		add(m.Title, m.Years(), m.Credit.String(), m.Sentence)
	}
	for _, s := range r.Suggestions {
		add(s.Label())
	}
	for _, h := range r.Help {
		add(h.Usage, h.Summary)
	}
	add(r.Attribution)
	for _, a := range r.Actions {
		c.Buttons = append(c.Buttons, a.Label)
	}
	c.Text = Normalize(strings.Join(text, " "))
	return c
}

// Normalize collapses whitespace, so text split over fields or blocks
// compares equal to the text it came from.
func Normalize(s string) string { return strings.Join(strings.Fields(s), " ") }

// Run plays the script through say, which sends one line to the adapter
// under test in one channel and returns the content it rendered.
func Run(t *testing.T, say func(t *testing.T, line string) Content) {
	t.Helper()
	for i, turn := range Script() {
		got := say(t, turn.Say)
		Check(t, i, turn, got)
	}
}

// Check compares one answer with its turn.
func Check(t *testing.T, i int, turn Turn, got Content) {
	t.Helper()
	want := turn.Want
	if want.Titles != nil && !slices.Equal(got.Titles, want.Titles) {
		t.Errorf("turn %d %q: titles = %q, want %q", i, turn.Say, got.Titles, want.Titles)
	}
	if want.Titles == nil && len(got.Titles) != turn.Count {
		t.Errorf("turn %d %q: %d titles (%q), want %d", i, turn.Say, len(got.Titles), got.Titles, turn.Count)
	}
	if got.Private != want.Private {
		t.Errorf("turn %d %q: private = %v, want %v", i, turn.Say, got.Private, want.Private)
	}
	if !slices.Equal(got.Buttons, want.Buttons) {
		t.Errorf("turn %d %q: buttons = %q, want %q", i, turn.Say, got.Buttons, want.Buttons)
	}
	text := Normalize(got.Text)
	for _, w := range turn.Contains {
		if !strings.Contains(text, Normalize(w)) {
			t.Errorf("turn %d %q: text lacks %q\ntext: %s", i, turn.Say, w, text)
		}
	}
}

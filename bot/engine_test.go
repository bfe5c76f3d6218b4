package bot_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

func titles(picks []bot.Pick) []string {
	out := make([]string, len(picks))
	for i, p := range picks {
		out[i] = p.Title.Title
	}
	return out
}

func TestRecommend(t *testing.T) {
	e := bottest.Engine(t)
	tests := []struct {
		query    string
		kind     bot.Kind
		top      string
		reason   string // a reason the top pick must give
		wantKind bot.Kind
	}{
		{"something tense", "", "Uncut Gems", `mood “tense”`, ""},
		{"great dialogue", "", "The Social Network", `tag “dialogue”`, ""},
		{"british comedy", "", "Peep Show", `tag “british comedy”`, ""},
		{"finance", "", "American Psycho", `tag “finance”`, ""},
		{"like Succession", "", "Peep Show", "like Succession: Jesse Armstrong's acid comedy", ""},
		{"a workplace drama on tv", "", "Halt and Catch Fire", `tag “workplace drama”`, bot.TV},
		{"raw", "", "James White", `mood “raw”`, ""},
		{"talky", "", "The Social Network", `tag “talky”`, ""},
		{"stressful", "", "Uncut Gems", `tag “stress”`, ""},
		{"bankers", "", "American Psycho", `tag “banking”`, ""},
		{"coming of age", "", "Kids", `genre “coming-of-age”`, ""},
		{"something like Girls", "", "Kids", "like Girls: drama, coming-of-age", ""},
		{"a film like heat", "", "Uncut Gems", "like Heat: crime, thriller", bot.Film},
		{"Sorkin", "", "The Social Network", "written by Aaron Sorkin", ""},
		{"al pacino", "", "Heat", "stars Al Pacino", ""},
		{"pacino and de niro", "", "Heat", "stars Al Pacino", ""},
		{"deniro", "", "Heat", "stars Robert De Niro", ""},
		{"christain bale", "", "American Psycho", "stars Christian Bale", ""},
		{"kid cudi", "", "James White", "stars Scott Mescudi (Kid Cudi)", ""},
		{"anything with oneohtrix point never", "", "Uncut Gems", "score by Daniel Lopatin (Oneohtrix Point Never)", ""},
		{"set in 1990s los angeles", "", "Heat", "set in 1990s Los Angeles", ""},
		{"something from the nineties", "", "Kids", "released 1995", ""},
		{"finanace", "", "American Psycho", `tag “finance”`, ""},
		{"brooklyn", "", "Girls", "set in Brooklyn", ""},
		{"texas", "", "Halt and Catch Fire", "set in Texas", ""},
		{"like Billions", "", "Michael Clayton", "like Billions: corporate power games", ""},
		{"workplace drama", bot.Film, "Moneyball", `tag “workplace”`, bot.Film},
		{"comedy", bot.TV, "Peep Show", `tag “comedy”`, bot.TV},
		{"VÉRITÉ", "", "Uncut Gems", `tag “verite”`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			r := e.Recommend(tc.query, tc.kind, nil)
			if len(r.Picks) == 0 {
				t.Fatalf("got no picks, want %s", tc.top)
			}
			if got := r.Picks[0].Title.Title; got != tc.top {
				t.Errorf("top pick = %s (all %v), want %s", got, titles(r.Picks), tc.top)
			}
			if !slices.Contains(r.Picks[0].Reasons, tc.reason) {
				t.Errorf("reasons = %q, want %q among them", r.Picks[0].Reasons, tc.reason)
			}
			if r.Kind != tc.wantKind {
				t.Errorf("kind = %q, want %q", r.Kind, tc.wantKind)
			}
			for _, p := range r.Picks {
				if r.Kind != "" && p.Title.Kind != r.Kind {
					t.Errorf("%s is a %s, want only %s", p.Title.Title, p.Title.Kind, r.Kind)
				}
				all := strings.Join(strings.Fields(strings.Join(p.Title.Commentary, " ")), " ")
				if p.Excerpt == "" || !strings.Contains(all, strings.TrimSuffix(p.Excerpt, "…")) {
					t.Errorf("%s: excerpt %q is not a pull from the commentary", p.Title.Title, p.Excerpt)
				}
			}
			if len(r.Picks) > bot.MaxPicks {
				t.Errorf("got %d picks, want at most %d", len(r.Picks), bot.MaxPicks)
			}
		})
	}
}

func TestRecommendLikeNeverReturnsTheTitleItself(t *testing.T) {
	e := bottest.Engine(t)
	for _, p := range bottest.Catalog(t).Picks {
		r := e.Recommend("like "+p.Title, "", nil)
		if r.Like != p.Title {
			t.Errorf("like %s: Like = %q", p.Title, r.Like)
		}
		for _, got := range r.Picks {
			if got.Title.ID == p.ID {
				t.Errorf("like %s recommended %s itself", p.Title, p.Title)
			}
		}
	}
}

func TestRecommendIsDeterministic(t *testing.T) {
	e := bottest.Engine(t)
	first := titles(e.Recommend("new york", "", nil).Picks)
	// Three picks share the tag: ties keep catalog order.
	if want := []string{"American Psycho", "Uncut Gems", "James White"}; !slices.Equal(first, want) {
		t.Fatalf("got %v, want %v", first, want)
	}
	for range 50 {
		if got := titles(e.Recommend("new york", "", nil).Picks); !slices.Equal(got, first) {
			t.Fatalf("got %v, then %v", first, got)
		}
	}
}

func TestRecommendExcludeAndRepeat(t *testing.T) {
	e := bottest.Engine(t)
	r := e.Recommend("new york", "", []string{"american-psycho", "uncut-gems"})
	if got := titles(r.Picks); got[0] != "James White" || slices.Contains(got, "American Psycho") {
		t.Errorf("got %v, want James White first and no excluded pick", got)
	}
	r = e.Recommend("baseball", "", []string{"moneyball"})
	if !r.Repeated || len(r.Picks) != 1 || r.Picks[0].Title.ID != "moneyball" {
		t.Errorf("every match excluded: got %v repeated=%v, want the match again with Repeated", titles(r.Picks), r.Repeated)
	}
}

func TestRecommendNoMatchAndEmpty(t *testing.T) {
	e := bottest.Engine(t)
	if r := e.Recommend("zzzz qqqq", "", nil); len(r.Picks) != 0 {
		t.Errorf("nonsense matched %v", titles(r.Picks))
	}
	r := e.Recommend("", bot.TV, nil)
	if !r.Empty || !slices.Equal(titles(r.Picks), []string{"Peep Show", "Halt and Catch Fire", "Mad Men"}) {
		t.Errorf("empty tv query: got %v empty=%v, want the first three series in list order", titles(r.Picks), r.Empty)
	}
}

func TestWhy(t *testing.T) {
	e := bottest.Engine(t)
	tests := []struct {
		in, want string
	}{
		{"heat", "heat"},
		{"HEAT", "heat"},
		{"The Social Network", "the-social-network"},
		{"social network", "the-social-network"},
		{"‘The Social Network’", "the-social-network"},
		{"social netwrok", "the-social-network"},
		{"socail netowrk", "the-social-network"},
		{"mad man", "mad-men"},
		{"madmen", "mad-men"},
		{"halt & catch fire", "halt-and-catch-fire"},
		{"Halt and Catch Fire!", "halt-and-catch-fire"},
		{"HCF", "halt-and-catch-fire"},
		{"american pyscho", "american-psycho"},
		{"peep", "peep-show"},
		{"uncut-gems", "uncut-gems"},
		{"michael clayten", "michael-clayton"},
		{"kidz", "kids"},
		{"the safdies", "uncut-gems"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			a := e.Why(tc.in)
			if a.Title == nil {
				t.Fatalf("got no title (suggestions %v), want %s", a.Suggestions, tc.want)
			}
			if a.Title.ID != tc.want {
				t.Errorf("got %s, want %s", a.Title.ID, tc.want)
			}
		})
	}
}

func TestWhyMentions(t *testing.T) {
	e := bottest.Engine(t)
	tests := []struct{ in, mention, from string }{
		{"Succession", "succession", ""},
		{"euphoria", "euphoria", ""},
		{"the office", "the-office-uk", "peep-show"},
		{"Fawlty Towers", "fawlty-towers", "peep-show"},
		{"sopranos", "the-sopranos", "mad-men"},
		{"thief", "thief", "uncut-gems"},
	}
	for _, tc := range tests {
		a := e.Why(tc.in)
		if a.Mention == nil || a.Mention.ID != tc.mention {
			t.Errorf("%s: got %+v, want mention %s", tc.in, a, tc.mention)
			continue
		}
		if from := a.From; (from == nil) != (tc.from == "") || from != nil && from.ID != tc.from {
			t.Errorf("%s: from = %v, want %q", tc.in, from, tc.from)
		}
	}
}

func TestWhyMissSuggests(t *testing.T) {
	e := bottest.Engine(t)
	tests := []struct {
		in   string
		want []string // suggestion ids, in order
	}{
		{"mad", []string{"mad-men"}},
		{"the wire", nil},
		{"social", []string{"the-social-network"}}, // a unique prefix of 6 names it outright, see below
	}
	for _, tc := range tests[:2] {
		a := e.Why(tc.in)
		if a.Title != nil || a.Mention != nil {
			t.Errorf("%s: got a match, want suggestions", tc.in)
		}
		var got []string
		for _, s := range a.Suggestions {
			got = append(got, s.ID)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: suggestions = %v, want %v", tc.in, got, tc.want)
		}
	}
	if a := e.Why("social"); a.Title == nil || a.Title.ID != "the-social-network" {
		t.Errorf("social: got %+v, want The Social Network by its unique prefix", a)
	}
	// Two titles start with "m": ask rather than guess.
	a := e.Why("mi")
	if a.Title != nil {
		t.Errorf("mi: got %s, want no guess", a.Title.ID)
	}
	if a := e.Why("girls and boys and more words"); len(a.Suggestions) > 3 {
		t.Errorf("got %d suggestions, want at most 3", len(a.Suggestions))
	}
}

func TestComplete(t *testing.T) {
	e := bottest.Engine(t)
	got := e.Complete("", 25)
	if len(got) != 18 || got[0].ID != "moneyball" || !got[17].Mention {
		t.Errorf("empty: got %d choices starting %v, want the 12 picks then the 6 mentions", len(got), got[0])
	}
	if got := e.Complete("", 5); len(got) != 5 {
		t.Errorf("limit 5: got %d", len(got))
	}
	ids := func(ss []bot.Suggestion) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.ID)
		}
		return out
	}
	if got := ids(e.Complete("ma", 25)); !slices.Contains(got, "mad-men") || slices.Contains(got, "heat") {
		t.Errorf("ma: got %v", got)
	}
	if got := ids(e.Complete("the so", 25)); !slices.Contains(got, "the-social-network") || !slices.Contains(got, "the-sopranos") {
		t.Errorf("the so: got %v, want The Social Network and The Sopranos", got)
	}
	if got := ids(e.Complete("netwrok", 25)); len(got) == 0 || got[0] != "the-social-network" {
		t.Errorf("netwrok: got %v, want The Social Network first", got)
	}
}

func TestRandomDealsEveryPickBeforeRepeating(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	e := bottest.Engine(t, bot.WithRand(r.IntN))
	for _, kind := range []bot.Kind{"", bot.Film, bot.TV} {
		var shown []string // newest first
		n := 0
		for _, p := range bottest.Catalog(t).Picks {
			if kind == "" || p.Kind == kind {
				n++
			}
		}
		for i := range n {
			p, reset := e.Random(kind, shown)
			if reset {
				t.Fatalf("%q: draw %d reset the rotation before all %d were dealt", kind, i, n)
			}
			if slices.Contains(shown, p.ID) {
				t.Fatalf("%q: draw %d repeated %s", kind, i, p.ID)
			}
			if kind != "" && p.Kind != kind {
				t.Fatalf("%q: drew a %s", kind, p.Kind)
			}
			shown = slices.Insert(shown, 0, p.ID)
		}
		p, reset := e.Random(kind, shown)
		if !reset || p.ID == shown[0] {
			t.Errorf("%q: after all %d, got %s reset=%v; want a reset that avoids the last (%s)", kind, n, p.ID, reset, shown[0])
		}
	}
}

// TestLargeCatalogIndexedInParts: a catalog big enough to be indexed on
// several cores answers like a small one, for picks in every part.
func TestLargeCatalogIndexedInParts(t *testing.T) {
	c, err := bot.ParseCatalog(bigCatalog(t, 6000))
	if err != nil {
		t.Fatal(err)
	}
	e := bot.NewEngine(c)
	for _, i := range []int{0, 2999, 3000, 5999} {
		p := c.Picks[i]
		r := e.Recommend(p.Title, "", nil)
		if len(r.Picks) == 0 || r.Picks[0].Title.ID != p.ID {
			t.Errorf("pick %d: %q found %v", i, p.Title, titles(r.Picks))
			continue
		}
		if !slices.Contains(r.Picks[0].Reasons, "the title you named") {
			t.Errorf("pick %d: reasons %q, want its title among them", i, r.Picks[0].Reasons)
		}
		if a := e.Why(p.ID); a.Title == nil || a.Title.ID != p.ID {
			t.Errorf("pick %d: Why by id found %+v", i, a)
		}
	}
}

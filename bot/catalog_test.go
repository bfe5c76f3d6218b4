package bot_test

import (
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	industrybot "github.com/industrybot/industrybot"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

func TestBuiltinCatalogHasTheTwelvePicks(t *testing.T) {
	c := bottest.Catalog(t)
	want := []string{"Moneyball", "American Psycho", "Peep Show", "Uncut Gems", "James White", "Halt and Catch Fire",
		"Kids", "Heat", "The Social Network", "Mad Men", "Girls", "Michael Clayton"}
	if len(c.Picks) != len(want) {
		t.Fatalf("got %d picks, want %d", len(c.Picks), len(want))
	}
	for i, w := range want {
		if got := c.Picks[i].Title; got != w {
			t.Errorf("picks[%d] = %q, want %q", i, got, w)
		}
	}
	for _, id := range []string{"succession", "euphoria", "the-office-uk", "fawlty-towers", "the-sopranos", "thief"} {
		found := false
		for _, m := range c.Mentions {
			found = found || m.ID == id
		}
		if !found {
			t.Errorf("mention %q is missing", id)
		}
	}
}

// article reads the source the catalog quotes; a copy lives in testdata so
// the test runs from a clean clone.
func article(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/article.txt")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCommentaryIsVerbatimAndComplete holds every pick's commentary to the
// article: each paragraph appears in it word for word, and together they are
// every paragraph between the pick's heading and the next heading.
func TestCommentaryIsVerbatimAndComplete(t *testing.T) {
	c := bottest.Catalog(t)
	text := article(t)
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if s := strings.TrimSpace(l); s != "" {
			lines = append(lines, s)
		}
	}
	headingAt := map[int]bool{}
	index := func(s string) int {
		for i, l := range lines {
			if l == s {
				return i
			}
		}
		return -1
	}
	for _, p := range c.Picks {
		i := index(strings.TrimSpace(p.Heading))
		if i < 0 {
			t.Fatalf("%s: heading %q is not a line of the article", p.ID, p.Heading)
		}
		headingAt[i] = true
	}
	last := index("Catch season two of Industry on HBO and BBC Two\u00a0now.")
	if last < 0 {
		t.Fatal("the article's closing line is missing from testdata")
	}
	headingAt[last] = true
	for _, p := range c.Picks {
		i := index(strings.TrimSpace(p.Heading))
		var want []string
		for j := i + 1; !headingAt[j]; j++ {
			want = append(want, lines[j])
		}
		if len(p.Commentary) != len(want) {
			t.Errorf("%s: %d paragraphs of commentary, the article has %d", p.ID, len(p.Commentary), len(want))
			continue
		}
		for j := range want {
			if p.Commentary[j] != want[j] {
				t.Errorf("%s: commentary[%d] is not verbatim:\n got %q\nwant %q", p.ID, j, p.Commentary[j], want[j])
			}
		}
	}
	for _, m := range c.Mentions {
		if !strings.Contains(text, m.Sentence) {
			t.Errorf("%s: sentence %q is not in the article", m.ID, m.Sentence)
		}
		if m.Source != "" {
			if !strings.Contains(strings.Join(c.Pick(m.Source).Commentary, "\n"), m.Sentence) {
				t.Errorf("%s: sentence is not in the commentary on %s", m.ID, m.Source)
			}
		}
	}
}

// TestFactsCorrectTheArticle checks the facts the article gets wrong are
// right in the metadata while the quotes keep the article's words.
func TestFactsCorrectTheArticle(t *testing.T) {
	c := bottest.Catalog(t)
	cases := []struct {
		id    string
		check func(*bot.Title) bool
		what  string
	}{
		{"moneyball", func(p *bot.Title) bool { return has(p.People, "Brad Pitt") && has(p.People, "Philip Seymour Hoffman") }, "Brad Pitt and Philip Seymour Hoffman"},
		{"moneyball", func(p *bot.Title) bool { return strings.Contains(p.Commentary[0], "Bradd Pitt") }, "the quote keeps “Bradd Pitt”"},
		{"heat", func(p *bot.Title) bool { return p.Credit.Names[0] == "Michael Mann" }, "directed by Michael Mann"},
		{"peep-show", func(p *bot.Title) bool { return p.Year == 2003 && p.EndYear == 2015 }, "ran 2003–2015"},
		{"girls", func(p *bot.Title) bool { return p.Year == 2012 && p.EndYear == 2017 }, "ran 2012–2017"},
		{"james-white", func(p *bot.Title) bool { return has(p.People, "Christopher Abbott") }, "stars Christopher Abbott"},
		{"uncut-gems", func(p *bot.Title) bool { return p.Credit.String() == "directed by Josh Safdie and Benny Safdie" }, "directed by the Safdies"},
		{"halt-and-catch-fire", func(p *bot.Title) bool { return has(p.Aliases, "hcf") && p.Years() == "2014–2017" }, "HCF, 2014–2017"},
	}
	for _, tc := range cases {
		if p := c.Pick(tc.id); p == nil || !tc.check(p) {
			t.Errorf("%s: want %s", tc.id, tc.what)
		}
	}
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// mutate returns the built-in catalog with one change applied to its JSON.
func mutate(t *testing.T, change func(doc map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(industrybot.CatalogJSON(), &doc); err != nil {
		t.Fatal(err)
	}
	change(doc)
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pick(doc map[string]any, i int) map[string]any {
	return doc["picks"].([]any)[i].(map[string]any)
}

func TestCatalogValidation(t *testing.T) {
	tests := []struct {
		name   string
		change func(doc map[string]any)
		want   string // a regexp the error must match
	}{
		{"unknown field", func(d map[string]any) { pick(d, 3)["directer"] = "x" }, `picks\[3\] \(uncut-gems\): field directer: unknown field`},
		{"duplicate id", func(d map[string]any) { pick(d, 1)["id"] = "moneyball" }, `picks\[1\] \(moneyball\): field id: "moneyball" is already the id of picks\[0\]`},
		{"duplicate alias", func(d map[string]any) { pick(d, 2)["aliases"] = []any{"The Money-Ball"} }, `picks\[2\] \(peep-show\): field aliases\[0\]: "The Money-Ball" is already used by picks\[0\]`},
		{"alias clashing with a title", func(d map[string]any) { pick(d, 4)["aliases"] = []any{"heat"} }, `picks\[7\] \(heat\): field title: "Heat" is already used by picks\[4\] \(james-white\)`},
		{"empty commentary", func(d map[string]any) { pick(d, 5)["commentary"] = []any{} }, `picks\[5\] \(halt-and-catch-fire\): field commentary: is empty`},
		{"blank paragraph", func(d map[string]any) { pick(d, 5)["commentary"] = []any{"  "} }, `field commentary\[0\]: is an empty paragraph`},
		{"impossible year", func(d map[string]any) { pick(d, 0)["year"] = 1700 }, `picks\[0\] \(moneyball\): field year: 1700 is impossible`},
		{"end before start", func(d map[string]any) { pick(d, 2)["end_year"] = 1999 }, `picks\[2\] \(peep-show\): field end_year: 1999 is impossible`},
		{"film with an end year", func(d map[string]any) { pick(d, 7)["end_year"] = 1996 }, `picks\[7\] \(heat\): field end_year: a film has one year`},
		{"unknown kind", func(d map[string]any) { pick(d, 6)["kind"] = "podcast" }, `picks\[6\] \(kids\): field kind: "podcast" is unknown`},
		{"wrong type", func(d map[string]any) { pick(d, 8)["year"] = "2010" }, `picks\[8\] \(the-social-network\): field year: is a JSON string, want int`},
		{"bad id", func(d map[string]any) { pick(d, 9)["id"] = "Mad Men" }, `field id: "Mad Men" must be lower-case`},
		{"mention of a missing pick", func(d map[string]any) {
			d["mentions"].([]any)[2].(map[string]any)["source"] = "the-wire"
		}, `mentions\[2\] \(the-office-uk\): field source: "the-wire" is not the id of a pick`},
		{"no speakers", func(d map[string]any) { d["source"].(map[string]any)["speakers"] = []any{} }, `source: field speakers: is empty`},
		{"other name of someone not credited", func(d map[string]any) {
			d["names"].(map[string]any)["Kid Cudi"] = []any{"Scott Mescudi"}
		}, `names: field "Kid Cudi": "Kid Cudi" is not a name the catalog credits`},
		{"no other names", func(d map[string]any) { d["names"].(map[string]any)["Brad Pitt"] = []any{} }, `names: field "Brad Pitt": is empty`},
		{"other name that is credited", func(d map[string]any) {
			d["names"].(map[string]any)["Brad Pitt"] = []any{"jonah  HILL"}
		}, `names: field "Brad Pitt"\[0\]: "jonah  HILL" is a name the catalog credits \(Jonah Hill\)`},
		{"other name that is a credited surname", func(d map[string]any) {
			d["names"].(map[string]any)["Brad Pitt"] = []any{"Pacino"}
		}, `names: field "Brad Pitt"\[0\]: "Pacino" is what the catalog finds Al Pacino by`},
		{"other name that is a credited surname with its particle", func(d map[string]any) {
			d["names"].(map[string]any)["Brad Pitt"] = []any{"DeNiro"}
		}, `names: field "Brad Pitt"\[0\]: "DeNiro" is what the catalog finds Robert De Niro by`},
		{"other name of two people", func(d map[string]any) {
			d["names"].(map[string]any)["The Weeknd"] = []any{"Kid Cudi"}
		}, `names: field "The Weeknd"\[0\]: "Kid Cudi" is already an other name of Scott Mescudi`},
		{"other name without letters", func(d map[string]any) { d["names"].(map[string]any)["Brad Pitt"] = []any{"--"} }, `names: field "Brad Pitt"\[0\]: "--" has no letters or digits`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := bot.ParseCatalog(mutate(t, tc.change))
			if err == nil {
				t.Fatal("got no error")
			}
			if !regexp.MustCompile(tc.want).MatchString(err.Error()) {
				t.Errorf("got %q, want a match for %q", err, tc.want)
			}
			var ce *bot.CatalogError
			if !errors.As(err, &ce) {
				t.Errorf("got %T, want a *bot.CatalogError inside", err)
			}
		})
	}
}

func TestCatalogSyntaxErrorNamesLine(t *testing.T) {
	_, err := bot.ParseCatalog([]byte("{\n  \"picks\": [\n    {,}\n  ]\n}"))
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("got %v, want an error naming line 3", err)
	}
}

func TestCatalogReportsEveryProblem(t *testing.T) {
	_, err := bot.ParseCatalog(mutate(t, func(d map[string]any) {
		pick(d, 0)["year"] = 0
		pick(d, 1)["kind"] = "book"
	}))
	if err == nil || !strings.Contains(err.Error(), "moneyball") || !strings.Contains(err.Error(), "american-psycho") {
		t.Fatalf("got %v, want both problems reported", err)
	}
}

package bot

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"testing"

	industrybot "github.com/industrybot/industrybot"
)

// TestNoAnswerRestsOnAFunctionWord asks every query of the quality set and
// reads every reason given: none may rest on a word that carries no
// meaning ("should", "like", "short" in "fall short"), neither the words of
// the request it matched nor the catalog's words it quotes.
func TestNoAnswerRestsOnAFunctionWord(t *testing.T) {
	data, err := os.ReadFile("testdata/quality/queries.json")
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Queries []struct {
			Q    string `json:"q"`
			Kind Kind   `json:"kind"`
		} `json:"queries"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		t.Fatal(err)
	}
	c, err := ParseCatalog(industrybot.CatalogJSON())
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParseKnowledge(industrybot.KnowledgeJSON(), c)
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine(c, WithKnowledge(k))
	meaningless := func(s string) bool {
		if related[s] != nil || e.lex.related[stemPhrase(s)] != nil || e.lex.constraints[stemPhrase(s)].name != "" {
			return false // a phrase the lexicon knows: "feel good"
		}
		if _, ok := e.titles.exactKey(s); ok {
			return false // a title the request named
		}
		for _, w := range terms(s) {
			if !functionWords[w] && !filler[w] {
				return false
			}
		}
		return true
	}
	quoted := regexp.MustCompile(`“([^”]*)”`)
	extra := []string{"what should I watch tonight", "something feel-good", "like The Big Short", "like Suits", "like Margin Call",
		"anything that falls short", "i would like something", "the one that you should see", "a cartoon for my kids"}
	queries := extra
	for _, q := range set.Queries {
		queries = append(queries, q.Q)
	}
	answers := 0
	for _, q := range queries {
		rec := e.Recommend(q, "", nil)
		for _, p := range rec.Picks {
			answers++
			if len(p.Reasons) == 0 {
				t.Errorf("%q → %s: no reason given", q, p.Title.Title)
			}
			for _, m := range p.Matched {
				if meaningless(m) {
					t.Errorf("%q → %s rests on %q, which means nothing alone (reasons %q)", q, p.Title.Title, m, p.Reasons)
				}
			}
			for _, r := range p.Reasons {
				for _, m := range quoted.FindAllStringSubmatch(r, -1) {
					if meaningless(m[1]) {
						t.Errorf("%q → %s: reason %q quotes a function word", q, p.Title.Title, r)
					}
				}
			}
		}
		for _, p := range rec.Picks {
			if _, isTitle := e.titles.exactKey(q); slices.Contains(p.Reasons, "the title you named") && !isTitle {
				t.Errorf("%q → %s as a title, but the request is not one", q, p.Title.Title)
			}
		}
	}
	if answers < 500 {
		t.Fatalf("only %d answers were read; the set should give many more", answers)
	}
}

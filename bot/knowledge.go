package bot

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-json-experiment/json"
)

// Knowledge is what the bot itself knows of titles outside the creators'
// list: well-known films and series that people compare the picks to, each
// with the picks it leads to and why. None of it is the creators' words or
// opinion, and answers drawn from it say so.
type Knowledge struct {
	Schema string  `json:"$schema,omitempty"`
	Note   string  `json:"note"`
	Titles []Known `json:"titles"`
	// Mentions gives the picks that the catalog's passing mentions lead to,
	// by mention id.
	Mentions map[string][]Lead `json:"mentions,omitempty"`
}

// Known is a title the bot knows that is not on the creators' list. Its
// Work has no tags or link: its traits say what it is like.
type Known struct {
	Work    `json:",inline"`
	Traits  []string `json:"traits"` // genres, themes, moods, places, decades
	LeadsTo []Lead   `json:"leads_to"`
}

// Lead is a pick a title leads to, and the trait they share: "corporate
// power games".
type Lead struct {
	Pick    string `json:"pick"`
	Because string `json:"because"`
}

// maxBecause bounds a lead's reason, which is shown with the pick.
const maxBecause = 60

// ParseKnowledge decodes and validates a knowledge file against the catalog
// its leads point into, as strictly as ParseCatalog: unknown fields,
// duplicate ids, impossible years, unknown kinds and leads to ids the
// catalog does not have are errors naming the entry and field. Titles the
// catalog itself holds are left to the catalog: their entries are dropped.
func ParseKnowledge(data []byte, c *Catalog) (*Knowledge, error) {
	var k Knowledge
	if err := json.Unmarshal(data, &k, json.RejectUnknownMembers(true)); err != nil {
		return nil, locateKnowledgeError(err)
	}
	var errs []error
	add := func(entry, field, format string, args ...any) {
		if len(errs) < maxErrors {
			errs = append(errs, &CatalogError{Entry: entry, Field: field, Msg: fmt.Sprintf(format, args...)})
		}
	}
	if strings.TrimSpace(k.Note) == "" {
		add("", "note", "is empty: say whose knowledge this is")
	}
	ids := map[string]string{}
	for i := range c.Picks {
		ids[c.Picks[i].ID] = "the catalog"
	}
	for i := range c.Mentions {
		ids[c.Mentions[i].ID] = "the catalog"
	}
	leads := func(entry, field string, list []Lead) {
		for j, l := range list {
			f := fmt.Sprintf("%s[%d]", field, j)
			if c.Pick(l.Pick) == nil {
				add(entry, f+".pick", "%q is not the id of a pick", l.Pick)
			}
			switch b := strings.TrimSpace(l.Because); {
			case b == "":
				add(entry, f+".because", "is empty: say what they share")
			case len([]rune(b)) > maxBecause:
				add(entry, f+".because", "is %d characters; keep it under %d", len([]rune(b)), maxBecause)
			}
		}
	}
	kept := k.Titles[:0]
	for i := range k.Titles {
		t := &k.Titles[i]
		entry := entryName("titles", i, t.ID)
		switch owner, dup := ids[t.ID]; {
		case t.ID == "" || !validID(t.ID):
			add(entry, "id", "%q must be lower-case letters, digits and dashes", t.ID)
		case dup:
			add(entry, "id", "%q is already used by %s", t.ID, owner)
		default:
			ids[t.ID] = entry
		}
		if strings.TrimSpace(t.Title) == "" || !hasWord(t.Title) {
			add(entry, "title", "is empty")
		}
		if t.Kind != Film && t.Kind != TV {
			add(entry, "kind", "%q is unknown: use \"film\" or \"tv\"", t.Kind)
		}
		if t.Year < minYear || t.Year > maxYear {
			add(entry, "year", "%d is impossible: films and series date from %d to %d", t.Year, minYear, maxYear)
		}
		if t.EndYear != 0 && (t.Kind == Film || t.EndYear < t.Year || t.EndYear > maxYear) {
			add(entry, "end_year", "%d is impossible for this %s", t.EndYear, t.Kind)
		}
		if t.Credit.Role != "director" && t.Credit.Role != "creators" || len(t.Credit.Names) == 0 {
			add(entry, "credit", "needs a role (director or creators) and names")
		}
		if len(t.Tags) > 0 {
			add(entry, "tags", "a title outside the list has traits, not tags")
		}
		if t.Link != "" {
			add(entry, "link", "a title outside the list has no link")
		}
		if len(t.LeadsTo) == 0 {
			add(entry, "leads_to", "is empty: name the picks it leads to")
		}
		leads(entry, "leads_to", t.LeadsTo)
		for j, tr := range t.Traits {
			if !hasWord(tr) {
				add(entry, fmt.Sprintf("traits[%d]", j), "%q has no letters or digits", tr)
			}
		}
		kept = append(kept, *t)
	}
	k.Titles = kept
	for id, list := range k.Mentions {
		found := false
		for i := range c.Mentions {
			found = found || c.Mentions[i].ID == id
		}
		if !found {
			add("mentions", id, "%q is not the id of a mention in the catalog", id)
		}
		leads("mentions", id, list)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &k, nil
}

func locateKnowledgeError(err error) error {
	var sem *json.SemanticError
	if errors.As(err, &sem) {
		msg := "is invalid"
		if errors.Is(sem.Err, json.ErrUnknownName) {
			msg = "unknown field (check its spelling against knowledge.schema.json)"
		} else if sem.Err != nil {
			msg = sem.Err.Error()
		}
		return &CatalogError{Entry: "knowledge", Field: string(sem.JSONPointer), Msg: msg}
	}
	return &CatalogError{Entry: "knowledge", Msg: err.Error()}
}

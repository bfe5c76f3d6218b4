package bot

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Kind says whether a title is a film or a television series.
type Kind string

// The kinds of title in a catalog.
const (
	Film Kind = "film"
	TV   Kind = "tv"
)

// ParseKind reads "film" or "tv" and their common synonyms ("movie",
// "series", "show", …). The empty string is the zero Kind, meaning either.
func ParseKind(s string) (Kind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "", nil
	case "film", "films", "movie", "movies", "feature":
		return Film, nil
	case "tv", "series", "show", "shows", "television", "telly":
		return TV, nil
	}
	return "", fmt.Errorf("kind %q is neither film nor tv", s)
}

// Credit names who directed a film or created a series.
type Credit struct {
	Role  string   `json:"role"` // "director" or "creators"
	Names []string `json:"names"`
}

// String renders the credit as "directed by X" or "created by X and Y".
func (c Credit) String() string {
	verb := "directed by "
	if c.Role == "creators" {
		verb = "created by "
	}
	return verb + joinAnd(c.Names)
}

// Correction records a fact the article gets wrong: the metadata holds the
// fact, the quoted commentary keeps the article's words.
type Correction struct {
	Field   string `json:"field"`
	Article string `json:"article"`
	Fact    string `json:"fact"`
}

// SpellingNotes says where quoted, words of the title's commentary, spells
// a name as the article does and not as the facts have it: "The article
// spells Brad Pitt “Bradd”." Renderers show the notes beside the quote, so
// that the article's misspelling is not taken for the bot's; the quote
// itself stays verbatim.
func (t *Title) SpellingNotes(quoted string) []string {
	var out []string
	for _, c := range t.Corrections {
		if c.Field != "people" && c.Field != "credit" || !strings.Contains(quoted, c.Article) {
			continue
		}
		as, fs := strings.Fields(c.Article), strings.Fields(c.Fact)
		spelt := c.Article
		if len(as) == len(fs) {
			var diff []string
			for i := range as {
				if as[i] != fs[i] {
					diff = append(diff, as[i])
				}
			}
			spelt = strings.Join(diff, " ")
		}
		out = append(out, fmt.Sprintf("The article spells %s “%s”.", c.Fact, spelt))
	}
	return out
}

// Source says where the catalog's words come from.
type Source struct {
	Article      string   `json:"article"`
	Standfirst   string   `json:"standfirst,omitempty"`
	Speakers     []string `json:"speakers"`
	SpeakersRole string   `json:"speakers_role"`
	Note         string   `json:"note,omitempty"`
}

// Attribution credits the speakers and the article: "Mickey Down and Konrad
// Kay, creators of Industry (HBO/BBC), in “Inside 'Industry': …”".
func (s Source) Attribution() string {
	return fmt.Sprintf("%s, %s, in “%s”", joinAnd(s.Speakers), s.SpeakersRole, s.Article)
}

// Work is what the bot holds of every title it knows, a pick, a passing
// mention or a title outside the list: who made it and when, and the names
// it is found by.
type Work struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Kind    Kind     `json:"kind"`
	Year    int      `json:"year"`
	EndYear int      `json:"end_year,omitempty"`
	Credit  Credit   `json:"credit"`
	People  []string `json:"people"` // top-billed cast and the people the commentary names
	Tags    []string `json:"tags"`
	Aliases []string `json:"aliases"`
	Link    string   `json:"link"`
}

// Years renders the year of a film, or the run of a series: "2007–2015",
// "2019–" while it runs.
func (w *Work) Years() string {
	switch {
	case w.Kind == TV && w.EndYear == 0:
		return strconv.Itoa(w.Year) + "–"
	case w.Kind == TV && w.EndYear != w.Year:
		return strconv.Itoa(w.Year) + "–" + strconv.Itoa(w.EndYear)
	}
	return strconv.Itoa(w.Year)
}

// Byline is what kind of title it is and who made it: "film directed by
// Michael Mann", "series created by Sam Esmail".
func (w *Work) Byline() string { return w.Kind.Noun() + " " + w.Credit.String() }

// Title is one pick of the catalog: a film or series the creators named,
// with their commentary on it.
type Title struct {
	Work        `json:",inline"`
	Heading     string       `json:"heading"`
	Commentary  []string     `json:"commentary"`
	Corrections []Correction `json:"corrections,omitempty"`
	Facts       `json:",inline"`
}

// Mention is a title the article only mentions in passing.
type Mention struct {
	Work     `json:",inline"`
	Sentence string `json:"sentence"`
	// Source is the id of the pick whose commentary holds the sentence, or
	// empty when the sentence is the article's own (its introduction).
	Source string `json:"source"`
	Facts  `json:",inline"`
}

// Facts are what a standard reference says of a title beyond its credit:
// who is in it and who wrote it, what it adapts, where and when it is set,
// what it is like. They are the catalog's own facts, never the creators'
// words, and every one is optional.
type Facts struct {
	Cast      []string `json:"cast,omitempty"`      // top-billed cast, in billing order
	Writers   []string `json:"writers,omitempty"`   // screenwriters, or a series' principal writers
	Composers []string `json:"composers,omitempty"` // of the score
	BasedOn   string   `json:"based_on,omitempty"`  // the book or source it adapts: "the novel American Psycho by Bret Easton Ellis"
	Places    []string `json:"places,omitempty"`    // where it is set: "New York", "Wall Street"
	Period    string   `json:"period,omitempty"`    // when it is set, in words: "1980s", "present day"
	SetIn     []int    `json:"set_in,omitempty"`    // decades it is set in: 1980 for the 1980s
	Genres    []string `json:"genres,omitempty"`
	Themes    []string `json:"themes,omitempty"`
	Moods     []string `json:"moods,omitempty"`
	Runtime   int      `json:"runtime,omitempty"`  // a film's length in minutes
	Seasons   int      `json:"seasons,omitempty"`  // a series' seasons
	Episodes  int      `json:"episodes,omitempty"` // a series' episodes
	// Rating is a film's US (MPAA) rating: "PG-13", "R".
	Rating string `json:"rating,omitempty"`
	// AltTitles are other titles it is released or known under, such as
	// international release titles ("La red social"); /why finds them.
	AltTitles []string `json:"alt_titles,omitempty"`
}

// Catalog is the set of picks and passing mentions the bot knows.
type Catalog struct {
	Schema   string    `json:"$schema,omitempty"`
	Source   Source    `json:"source"`
	Picks    []Title   `json:"picks"`
	Mentions []Mention `json:"mentions"`
	// Names gives the other names a person the catalog credits is known
	// by, as a standard reference gives them (a stage name, a real name,
	// the name they record under), keyed by the name the catalog uses:
	// "Scott Mescudi": ["Kid Cudi"]. Asking for either finds their titles.
	Names map[string][]string `json:"names,omitempty"`

	byID map[string]int // pick id → index
	keys []titleKey     // normalised titles and aliases, from validation
}

// titleKey is a normalised title or alias and the entry it names: picks
// first, then mentions.
type titleKey struct {
	key string
	ent int32
}

// Pick returns the pick with the given id, or nil.
func (c *Catalog) Pick(id string) *Title {
	if i, ok := c.byID[id]; ok {
		return &c.Picks[i]
	}
	return nil
}

// Plausible years for a film or series.
const (
	minYear = 1888
	maxYear = 2100
)

// CatalogError names the entry and field of a problem in a catalog.
type CatalogError struct {
	Entry string // "picks[3] (uncut-gems)", or "" for the document
	Field string // "year", or "" for the entry as a whole
	Msg   string
}

func (e *CatalogError) Error() string {
	switch {
	case e.Entry == "":
		return e.Msg
	case e.Field == "":
		return e.Entry + ": " + e.Msg
	}
	return e.Entry + ": field " + e.Field + ": " + e.Msg
}

// ParseCatalog decodes and validates a catalog. It is strict: unknown fields,
// duplicate keys, duplicate ids or aliases, empty commentary, impossible
// years and unknown kinds are errors, and each error names the entry and
// field. The error is a *CatalogError, or an errors.Join of several.
//
// Decoding uses encoding/json/v2 (through its mirror module until Go 1.27):
// strict decoding of a 100,000-entry catalog takes a third of the time v1's
// Decoder with DisallowUnknownFields does, and its errors carry a JSON
// pointer to the offending value.
func ParseCatalog(data []byte) (*Catalog, error) {
	var c Catalog
	if err := json.Unmarshal(data, &c, json.RejectUnknownMembers(true)); err != nil {
		return nil, locateDecodeError(data, err)
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// locateDecodeError turns a JSON error into one that names the entry and
// field, from the JSON pointer the decoder reports.
func locateDecodeError(data []byte, err error) error {
	var syn *jsontext.SyntacticError
	if errors.As(err, &syn) {
		line, col := lineCol(data, syn.ByteOffset)
		return &CatalogError{Msg: fmt.Sprintf("invalid JSON at line %d, column %d: %v", line, col, syn.Err)}
	}
	var sem *json.SemanticError
	if !errors.As(err, &sem) {
		return &CatalogError{Msg: err.Error()}
	}
	msg := "is invalid"
	switch {
	case errors.Is(sem.Err, json.ErrUnknownName):
		msg = "unknown field (check its spelling against recommendations.schema.json)"
	case sem.GoType != nil && sem.JSONKind != 0:
		msg = fmt.Sprintf("is a JSON %s, want %s", sem.JSONKind, sem.GoType)
	case sem.Err != nil:
		msg = sem.Err.Error()
	}
	tokens := slices.Collect(sem.JSONPointer.Tokens())
	if len(tokens) >= 2 && (tokens[0] == "picks" || tokens[0] == "mentions") {
		i, convErr := strconv.Atoi(tokens[1])
		if convErr == nil {
			type entry struct {
				ID string `json:"id"`
			}
			var ids struct {
				Picks    []entry `json:"picks"`
				Mentions []entry `json:"mentions"`
			}
			_ = json.Unmarshal(data, &ids)
			list := ids.Picks
			if tokens[0] == "mentions" {
				list = ids.Mentions
			}
			id := ""
			if i < len(list) {
				id = list[i].ID
			}
			return &CatalogError{Entry: entryName(tokens[0], i, id), Field: fieldPath(tokens[2:]), Msg: msg}
		}
	}
	if len(tokens) > 0 {
		return &CatalogError{Entry: tokens[0], Field: fieldPath(tokens[1:]), Msg: msg}
	}
	return &CatalogError{Msg: msg}
}

// fieldPath renders pointer tokens as "credit.names[0]".
func fieldPath(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		if _, err := strconv.Atoi(t); err == nil {
			b.WriteString("[" + t + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(t)
	}
	return b.String()
}

func lineCol(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

func entryName(list string, i int, id string) string {
	if id == "" {
		return fmt.Sprintf("%s[%d]", list, i)
	}
	return fmt.Sprintf("%s[%d] (%s)", list, i, id)
}

// validator collects every problem rather than stopping at the first, so a
// catalog author fixes a file in one pass. Entries are numbered picks first,
// then mentions; their names are only formatted for an error.
type validator struct {
	c    *Catalog
	errs []error
	keys map[string]int32 // normalised title or alias → entry that owns it
	ids  map[string]int32 // id → entry
}

func (v *validator) name(ent int32) string {
	if int(ent) < len(v.c.Picks) {
		return entryName("picks", int(ent), v.c.Picks[ent].ID)
	}
	i := int(ent) - len(v.c.Picks)
	return entryName("mentions", i, v.c.Mentions[i].ID)
}

func (v *validator) add(ent int32, field, format string, args ...any) {
	entry := "source"
	if ent >= 0 {
		entry = v.name(ent)
	}
	v.errs = append(v.errs, &CatalogError{Entry: entry, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// claim reserves a title or alias for an entry and records its lookup key.
func (v *validator) claim(ent int32, field func() string, name string) {
	key := normalizeTitle(name)
	if key == "" {
		v.add(ent, field(), "%q has no letters or digits", name)
		return
	}
	if owner, ok := v.keys[key]; ok {
		if owner != ent {
			v.add(ent, field(), "%q is already used by %s", name, v.name(owner))
		}
		return
	}
	v.keys[key] = ent
	v.c.keys = append(v.c.keys, titleKey{key, ent})
}

// maxErrors bounds the report on a badly broken file.
const maxErrors = 20

func (c *Catalog) validate() error {
	n := len(c.Picks) + len(c.Mentions)
	v := &validator{c: c, keys: make(map[string]int32, 2*n), ids: make(map[string]int32, n)}
	c.keys = make([]titleKey, 0, 2*n)
	if strings.TrimSpace(c.Source.Article) == "" {
		v.add(-1, "article", "is empty: name the article the words come from")
	}
	if len(c.Source.Speakers) == 0 {
		v.add(-1, "speakers", "is empty: name who said the words")
	}
	if strings.TrimSpace(c.Source.SpeakersRole) == "" {
		v.add(-1, "speakers_role", "is empty")
	}
	if len(c.Picks) == 0 {
		v.errs = append(v.errs, &CatalogError{Field: "picks", Msg: "the catalog has no picks"})
	}
	c.byID = make(map[string]int, len(c.Picks))
	for i := range c.Picks {
		t := &c.Picks[i]
		ent := int32(i)
		v.entry(ent, &t.Work)
		if len(t.Commentary) == 0 {
			v.add(ent, "commentary", "is empty: a pick needs the creators' words")
		}
		for j, p := range t.Commentary {
			if strings.TrimSpace(p) == "" {
				v.add(ent, fmt.Sprintf("commentary[%d]", j), "is an empty paragraph")
			}
		}
		for j, co := range t.Corrections {
			if co.Field == "" || co.Article == "" || co.Fact == "" {
				v.add(ent, fmt.Sprintf("corrections[%d]", j), "needs field, article and fact")
			}
		}
		c.byID[t.ID] = i
		if len(v.errs) >= maxErrors {
			return errors.Join(v.errs...)
		}
	}
	for i := range c.Mentions {
		m := &c.Mentions[i]
		ent := int32(len(c.Picks) + i)
		v.entry(ent, &m.Work)
		if strings.TrimSpace(m.Sentence) == "" {
			v.add(ent, "sentence", "is empty: a mention needs the sentence that names it")
		}
		if m.Source != "" {
			if _, ok := c.byID[m.Source]; !ok {
				v.add(ent, "source", "%q is not the id of a pick", m.Source)
			}
		}
		if len(v.errs) >= maxErrors {
			break
		}
	}
	v.names()
	v.errs = append(v.errs, buttonIDErrors(c)...)
	return errors.Join(v.errs...)
}

// names checks the catalog's other names of people: each is keyed by a
// name the catalog credits, and names one person only, who is not also
// credited under it.
func (v *validator) names() {
	if len(v.c.Names) == 0 {
		return // no walk over every credited name of a large catalog for nothing
	}
	credited := map[string]string{}  // normalised → as written
	surnameOf := map[string]string{} // what a credited name is found by alone → the name
	exact := map[string]bool{}
	credit := func(w *Work, f *Facts) {
		for _, list := range [][]string{w.Credit.Names, w.People, f.Cast, f.Writers, f.Composers} {
			for _, n := range list {
				key := normalizeText(n)
				credited[key], exact[n] = n, true
				for _, sur := range surnames(strings.Fields(key)) {
					surnameOf[sur] = n
				}
			}
		}
	}
	for i := range v.c.Picks {
		credit(&v.c.Picks[i].Work, &v.c.Picks[i].Facts)
	}
	for i := range v.c.Mentions {
		credit(&v.c.Mentions[i].Work, &v.c.Mentions[i].Facts)
	}
	add := func(field, format string, args ...any) {
		v.errs = append(v.errs, &CatalogError{Entry: "names", Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	owner := map[string]string{} // normalised other name → whose
	for _, name := range slices.Sorted(maps.Keys(v.c.Names)) {
		field := fmt.Sprintf("%q", name)
		if !exact[name] {
			add(field, "%q is not a name the catalog credits: key an other name by the name in cast, writers, composers, people or credit", name)
			continue
		}
		if len(v.c.Names[name]) == 0 {
			add(field, "is empty")
		}
		for j, other := range v.c.Names[name] {
			key := normalizeText(other)
			switch prev, dup := owner[key]; {
			case key == "":
				add(fmt.Sprintf("%s[%d]", field, j), "%q has no letters or digits", other)
			case credited[key] != "":
				add(fmt.Sprintf("%s[%d]", field, j), "%q is a name the catalog credits (%s)", other, credited[key])
			case surnameOf[key] != "":
				add(fmt.Sprintf("%s[%d]", field, j), "%q is what the catalog finds %s by", other, surnameOf[key])
			case dup:
				add(fmt.Sprintf("%s[%d]", field, j), "%q is already an other name of %s", other, prev)
			default:
				owner[key] = name
			}
		}
	}
}

func (v *validator) entry(ent int32, w *Work) {
	id, title, kind, year, end, credit, tags, aliases, link := w.ID, w.Title, w.Kind, w.Year, w.EndYear, w.Credit, w.Tags, w.Aliases, w.Link
	switch owner, dup := v.ids[id]; {
	case id == "":
		v.add(ent, "id", "is empty")
	case !validID(id):
		v.add(ent, "id", "%q must be lower-case letters, digits and dashes", id)
	case dup:
		v.add(ent, "id", "%q is already the id of %s", id, v.name(owner))
	default:
		v.ids[id] = ent
	}
	if strings.TrimSpace(title) == "" {
		v.add(ent, "title", "is empty")
	} else {
		v.claim(ent, func() string { return "title" }, title)
	}
	for j, a := range aliases {
		v.claim(ent, func() string { return fmt.Sprintf("aliases[%d]", j) }, a)
	}
	if kind != Film && kind != TV {
		v.add(ent, "kind", "%q is unknown: use \"film\" or \"tv\"", kind)
	}
	if year < minYear || year > maxYear {
		v.add(ent, "year", "%d is impossible: films and series date from %d to %d", year, minYear, maxYear)
	}
	switch {
	case end != 0 && kind == Film:
		v.add(ent, "end_year", "a film has one year: remove end_year")
	case end != 0 && (end < year || end > maxYear):
		v.add(ent, "end_year", "%d is impossible: it must be between year (%d) and %d", end, year, maxYear)
	}
	if credit.Role != "director" && credit.Role != "creators" {
		v.add(ent, "credit.role", "%q is unknown: use \"director\" or \"creators\"", credit.Role)
	}
	if len(credit.Names) == 0 {
		v.add(ent, "credit.names", "is empty")
	}
	for j, t := range tags {
		if !hasWord(t) {
			v.add(ent, fmt.Sprintf("tags[%d]", j), "%q has no letters or digits", t)
		}
	}
	if link != "" && !strings.HasPrefix(link, "https://") && !strings.HasPrefix(link, "http://") {
		v.add(ent, "link", "%q is not an http(s) URL", link)
	} else if link != "" {
		if u, err := url.Parse(link); err != nil || u.Host == "" {
			v.add(ent, "link", "%q is not an http(s) URL", link)
		}
	}
}

// hasWord reports whether s holds a letter or digit.
func hasWord(s string) bool {
	found := false
	scanWords(s, nil, func([]byte) { found = true })
	return found
}

func validID(id string) bool {
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return id[0] != '-' && id[len(id)-1] != '-'
}

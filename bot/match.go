package bot

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// matched is what scoring a query left besides the scores: what it rules
// out, whether it asked for anything at all, and what nothing fits.
type matched struct {
	q        *query
	ruledOut map[int32]bool
	free     bool // no preference: deal picks freely
	noFit    string
	// constraints every answer must meet (a genre, an audience).
	constraints []constraint
	e           *Engine
}

// fits reports whether pick d meets every constraint of the request.
func (m *matched) fits(d int32) bool {
	for _, c := range m.constraints {
		if !m.e.meets(d, c) {
			return false
		}
	}
	return true
}

// meets reports whether pick d is what a constraint insists on.
func (e *Engine) meets(d int32, c constraint) bool {
	if c.family {
		r := e.cat.Picks[d].Rating
		if slices.Contains(c.needs, "young") {
			return r == "G" || r == "PG" || r == "U"
		}
		return familyRatings[r]
	}
	part := e.part(d)
	for _, need := range c.needs {
		if postingFor(part, keyPhrase+stemPhrase(need), d) != nil {
			return true
		}
	}
	return false
}

// postingFor returns pick d's posting of a key in its run, or nil.
func postingFor(part *termIndex, key string, d int32) *posting {
	ps, _ := part.lookup(key)
	i, ok := slices.BinarySearchFunc(ps, d, func(p posting, d int32) int { return int(p.doc - d) })
	if !ok {
		return nil
	}
	return &ps[i]
}

// Scores of the strongest signals: a pick named outright, and the picks a
// known title leads to, best first.
const (
	aboutScore = 100
	leadScore  = 12
)

// match scores every pick the query reaches into acc.
func (e *Engine) match(q query, acc *accumulator) *matched {
	m := &matched{q: &q, e: e, ruledOut: map[int32]bool{}}
	acc.q = &q
	for _, c := range q.constraints {
		m.constraints = append(m.constraints, c)
	}
	for i, c := range m.constraints {
		if c.family && young(q.text) {
			m.constraints[i].needs = []string{"young"}
		}
	}
	if q.about >= 0 {
		acc.add(q.about, aboutScore)
		e.likePick(&e.cat.Picks[q.about], acc, 1)
		return m
	}
	positive := 0
	for i := range q.clauses {
		if !q.clauses[i].neg {
			positive++
		}
	}
	// "like Heat but funnier": what else it asks counts as much as the
	// likeness.
	likeW := float32(1)
	if positive > 0 {
		likeW = 0.5
	}
	for _, like := range q.likes() {
		switch {
		case e.titles.pick(like) != nil:
			m.ruledOut[like] = true
			e.likePick(e.titles.pick(like), acc, likeW)
		case e.titles.mention(like) != nil:
			mn := e.titles.mention(like)
			e.likeFacts(mn.Tags, mn.Credit, &mn.Facts, acc, 1)
			if e.knowledge != nil {
				e.leads(e.knowledge.Mentions[mn.ID], acc)
			}
		default:
			k := e.titles.known(like)
			e.leads(k.LeadsTo, acc)
			for _, tr := range k.Traits {
				c := e.clauseFor(normalizeText(tr), stemPhrase(tr), eraEither)
				c.weight = 0.3
				e.scoreClause(c, q.kind, acc)
			}
		}
	}
	hits := 0
	for _, c := range q.clauses {
		switch {
		case c.neg:
			e.ruleOut(c, m)
		case c.sort != 0:
			e.scoreEra(c.sort, q.kind, acc)
			hits++
		case c.maxRun > 0:
			if e.scoreRuntime(c.maxRun, acc, m) {
				hits++
			}
		default:
			if e.scoreClause(c, q.kind, acc) {
				hits++
			}
		}
	}
	if positive > 1 {
		acc.cover(positive)
	}
	// Constraints: when no allowed pick meets them all, nothing fits.
	if len(m.constraints) > 0 {
		any := false
		for d := range int32(len(e.cat.Picks)) {
			if (q.kind == "" || e.cat.Picks[d].Kind == q.kind) && m.fits(d) {
				any = true
				if positive == 0 && q.like < 0 {
					acc.add(d, 5)
				}
			}
		}
		if !any {
			for _, c := range m.constraints {
				m.noFit = c.name
				ok := false
				for d := range int32(len(e.cat.Picks)) {
					ok = ok || e.meets(d, c)
				}
				if !ok {
					break // name the one nothing meets
				}
			}
			return m
		}
	}
	switch {
	case q.like >= 0 || len(m.constraints) > 0 && positive == 0:
	case positive == 0:
		m.free = true
	case hits == 0:
		m.noFit = Clip(q.text, 80)
	}
	return m
}

// young reports whether a request is for small children.
func young(text string) bool {
	n := normalizeText(text)
	for w := range youngChildren {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// scoreClause adds, for each pick, the best of the clause's alternatives it
// has; it reports whether any pick had one.
func (e *Engine) scoreClause(c clause, kind Kind, acc *accumulator) bool {
	for i := range e.parts {
		part := &e.parts[i]
		for _, a := range c.alts {
			ps, _ := part.lookup(a.key)
			for _, p := range ps {
				acc.best(p.doc, a.w*p.w)
			}
		}
		if c.comment != "" {
			_, comment := part.lookup(c.comment)
			for _, p := range comment {
				acc.best(p.doc, p.w)
			}
		}
	}
	if kind == "" {
		return acc.fold(c.weight, nil)
	}
	return acc.fold(c.weight, func(d int32) bool { return e.kinds[d] == kind })
}

// ruleOut marks the picks a negative clause names plainly ("no comedy"):
// those whose tags, genres, moods or places are the thing itself or very
// close to it.
func (e *Engine) ruleOut(c clause, m *matched) {
	for i := range e.parts {
		part := &e.parts[i]
		for _, a := range c.alts {
			if a.w < 0.8 || strings.HasPrefix(a.key, keyWord) {
				continue
			}
			ps, _ := part.lookup(a.key)
			for _, p := range ps {
				if p.field != fieldNamed && p.field != fieldPhraseWord {
					m.ruledOut[p.doc] = true
				}
			}
		}
	}
}

// scoreEra ranks the picks by year: newest first for "recent", oldest
// first for "old".
func (e *Engine) scoreEra(dir int, kind Kind, acc *accumulator) {
	lo, hi := maxYear, minYear
	for i := range e.cat.Picks {
		lo, hi = min(lo, e.cat.Picks[i].Year), max(hi, e.cat.Picks[i].Year)
	}
	span := float32(max(hi-lo, 1))
	for d := range int32(len(e.cat.Picks)) {
		t := &e.cat.Picks[d]
		if kind != "" && t.Kind != kind {
			continue
		}
		f := float32(t.Year-lo) / span
		if dir < 0 {
			f = 1 - f
		}
		if f > 0 {
			acc.add(d, 5*f*f)
		}
	}
}

// scoreRuntime keeps the films no longer than max minutes.
func (e *Engine) scoreRuntime(max int, acc *accumulator, m *matched) bool {
	any := false
	for d := range int32(len(e.cat.Picks)) {
		t := &e.cat.Picks[d]
		if t.Kind == Film && t.Runtime > 0 && t.Runtime <= max {
			acc.add(d, 5)
			any = true
		}
	}
	if any {
		for d := range int32(len(e.cat.Picks)) {
			if t := &e.cat.Picks[d]; t.Kind != Film || t.Runtime == 0 || t.Runtime > max {
				m.ruledOut[d] = true
			}
		}
	}
	return any
}

// leads adds the picks a title leads to, best first.
func (e *Engine) leads(list []Lead, acc *accumulator) {
	for i, l := range list {
		if d, ok := e.cat.byID[l.Pick]; ok {
			acc.add(int32(d), leadScore-2*float32(i))
		}
	}
}

// similarity weighs what two titles can share: people who made or star in
// both count most, then genre and theme, then mood, tags, places and era.
type feature struct {
	key    string
	w      float32
	label  string
	person bool
}

// features lists what a title is made of, as index keys.
func features(tags []string, credit Credit, f *Facts) []feature {
	var out []feature
	add := func(list []string, w float32) {
		for _, s := range list {
			out = append(out, feature{key: keyPhrase + stemPhrase(s), w: w, label: s})
		}
	}
	add(f.Genres, 1.2)
	add(f.Themes, 1)
	add(f.Moods, 0.8)
	add(tags, 0.6)
	add(f.Places, 0.5)
	for _, d := range f.SetIn {
		out = append(out, feature{key: decadeKey(keySetIn, d), w: 0.6, label: "the " + strconv.Itoa(d) + "s"})
	}
	people := append(append(slices.Clone(credit.Names), f.Cast...), f.Writers...)
	for _, p := range people {
		out = append(out, feature{key: keyName + normalizeText(p), w: 1.5, label: p, person: true})
	}
	return out
}

// pickFeatures is features of a pick, made once per pick asked about.
func (e *Engine) pickFeatures(t *Title) []feature {
	if fs, ok := e.featureCache.Load(t); ok {
		return fs.([]feature)
	}
	fs := features(t.Tags, t.Credit, &t.Facts)
	e.featureCache.Store(t, fs)
	return fs
}

// likePick adds the picks most like t.
func (e *Engine) likePick(t *Title, acc *accumulator, w float32) {
	e.likeFeatures(e.pickFeatures(t), acc, w)
}

func (e *Engine) likeFacts(tags []string, credit Credit, f *Facts, acc *accumulator, w float32) {
	fs, ok := e.featureCache.Load(f)
	if !ok {
		fs = features(tags, credit, f)
		e.featureCache.Store(f, fs)
	}
	e.likeFeatures(fs.([]feature), acc, w)
}

func (e *Engine) likeFeatures(fs []feature, acc *accumulator, w float32) {
	for _, ft := range fs {
		for i := range e.parts {
			ps, _ := e.parts[i].lookup(ft.key)
			for _, p := range ps {
				if p.field == fieldNamed || p.field == fieldNear {
					continue
				}
				acc.add(p.doc, w*ft.w*p.w/5)
			}
		}
	}
}

// closest scores the real alternatives to a request nothing fits: what
// else it asked for, what is near the thing it insisted on, and the picks
// that titles with the person it named lead to.
func (e *Engine) closest(q query, m *matched, acc *accumulator) {
	for _, c := range q.clauses {
		if !c.neg && c.sort == 0 && c.maxRun == 0 {
			e.scoreClause(c, q.kind, acc)
		}
	}
	for _, con := range q.constraints {
		for _, near := range con.near {
			c := e.lexClause(near, stemPhrase(near), 1)
			e.scoreClause(c, q.kind, acc)
			c.text = con.name
			acc.q.clauses = append(acc.q.clauses, c) // the reason: what is near it
		}
	}
	if e.knowledge == nil {
		return
	}
	for _, c := range q.clauses {
		for _, i := range e.knownPeople[c.text] {
			k := &e.knowledge.Titles[i]
			e.leads(k.LeadsTo, acc)
			for _, l := range k.LeadsTo {
				if d, ok := e.cat.byID[l.Pick]; ok {
					acc.note(int32(d), "like "+k.Title+", which "+c.text+" is in: "+l.Because, c.text)
				}
			}
		}
	}
}

// explain says why pick d matched: the reasons, strongest first, the words
// they rest on, and the sentence of the commentary that fits best.
func (e *Engine) explain(d int32, acc *accumulator) Pick {
	q := acc.q
	t := &e.cat.Picks[d]
	type hit struct {
		reason, matched string
		w               float32
	}
	var hits []hit
	part := e.part(d)
	var words []string
	if q.about == d {
		hits = append(hits, hit{"the title you named", t.Title, aboutScore})
	}
	if q.about >= 0 && q.about != d {
		if r := e.sharedReason(&e.cat.Picks[q.about], d); r != "" {
			hits = append(hits, hit{r, e.cat.Picks[q.about].Title, 10})
		}
	}
	for _, like := range q.likes() {
		if r := e.likeReason(like, d, part); r != "" {
			hits = append(hits, hit{r, e.titles.name(like), 10})
		}
	}
	for _, c := range q.clauses {
		switch {
		case c.neg:
		case c.sort > 0:
			hits = append(hits, hit{fmt.Sprintf("among the newest on the list (%s)", t.Years()), c.text, 4})
		case c.sort < 0:
			hits = append(hits, hit{fmt.Sprintf("among the oldest on the list (%s)", t.Years()), c.text, 4})
		case c.maxRun > 0:
			if t.Runtime > 0 && t.Runtime <= c.maxRun {
				hits = append(hits, hit{fmt.Sprintf("runs %d minutes", t.Runtime), c.text, 5})
			}
		default:
			r, w, _ := e.bestReason(c, part, d)
			if r != "" {
				hits = append(hits, hit{r, c.text, w})
				// The pull from the commentary is the sentence with most
				// of what was asked for, when their words have any of it.
				for _, x := range terms(c.text) {
					if e.lex.function[x] || e.lex.filler[x] {
						continue
					}
					_, comment := part.lookup(x)
					if _, ok := slices.BinarySearchFunc(comment, d, func(p cposting, d int32) int { return int(p.doc - d) }); ok {
						words = append(words, x)
					}
				}
			}
		}
	}
	for _, con := range acc.q.constraints {
		switch {
		case con.family && t.Rating != "" && e.meets(d, con):
			hits = append(hits, hit{"rated " + t.Rating, con.name, 5})
		case !con.family && e.meets(d, con):
			hits = append(hits, hit{"genre “" + con.needs[0] + "”", con.name, 5})
		}
	}
	if n, ok := acc.notes[d]; ok {
		hits = append(hits, hit{n[0], n[1], 8})
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return cmp.Compare(b.w, a.w) })
	p := Pick{Title: t}
	for _, h := range hits {
		if slices.Contains(p.Reasons, h.reason) {
			continue
		}
		p.Reasons = append(p.Reasons, h.reason)
		p.Matched = append(p.Matched, h.matched)
		if len(p.Reasons) == 3 {
			break
		}
	}
	p.Reasons = mergeSetting(p.Reasons)
	p.Excerpt = e.excerpt(t, words)
	return p
}

// likeReason says why pick d is like the title entry like: the reason
// the bot's knowledge gives, or what they share.
func (e *Engine) likeReason(like, d int32, part *termIndex) string {
	name := e.titles.name(like)
	if t := e.titles.pick(like); t != nil {
		return e.sharedReason(t, d)
	}
	var list []Lead
	k := e.titles.known(like)
	mn := e.titles.mention(like)
	switch {
	case k != nil:
		list = k.LeadsTo
	case e.knowledge != nil:
		list = e.knowledge.Mentions[mn.ID]
	}
	for _, l := range list {
		if l.Pick == e.cat.Picks[d].ID {
			return "like " + name + ": " + l.Because
		}
	}
	if mn != nil {
		return e.sharedWith(name, features(mn.Tags, mn.Credit, &mn.Facts), d)
	}
	for _, tr := range k.Traits {
		if e.clauseReason(e.clauseFor(normalizeText(tr), stemPhrase(tr), eraEither), part, d) != "" {
			return "like " + name + ": " + tr
		}
	}
	return ""
}

// sharedReason says what pick d shares with t: "like Heat: crime, heist".
func (e *Engine) sharedReason(t *Title, d int32) string {
	return e.sharedWith(t.Title, e.pickFeatures(t), d)
}

func (e *Engine) sharedWith(name string, fs []feature, d int32) string {
	part := e.part(d)
	type shared struct {
		label string
		w     float32
	}
	var got []shared
	for _, f := range fs {
		if p := postingFor(part, f.key, d); p != nil && p.field != fieldNamed && p.field != fieldNear {
			label := f.label
			if f.person {
				label = "with " + label
			}
			got = append(got, shared{label, f.w})
		}
	}
	if len(got) == 0 {
		return ""
	}
	slices.SortStableFunc(got, func(a, b shared) int { return cmp.Compare(b.w, a.w) })
	var labels []string
	for _, g := range got {
		if !slices.Contains(labels, g.label) {
			labels = append(labels, g.label)
		}
		if len(labels) == 2 {
			break
		}
	}
	return "like " + name + ": " + strings.Join(labels, ", ")
}

// clauseReason is the reason of a clause's best match in pick d, or "".
func (e *Engine) clauseReason(c clause, part *termIndex, d int32) string {
	r, _, _ := e.bestReason(c, part, d)
	return r
}

// bestReason finds the alternative of a clause that pick d matched best and
// says it in words; inWords reports that it was the commentary.
func (e *Engine) bestReason(c clause, part *termIndex, d int32) (reason string, w float32, inWords bool) {
	var best *posting
	bestW := float32(0)
	for _, a := range c.alts {
		if p := postingFor(part, a.key, d); p != nil && a.w*p.w > bestW {
			best, bestW = p, a.w*p.w
		}
	}
	if c.comment != "" {
		_, comment := part.lookup(c.comment)
		if i, ok := slices.BinarySearchFunc(comment, d, func(p cposting, d int32) int { return int(p.doc - d) }); ok && comment[i].w > bestW {
			return "“" + c.text + "” in their words", comment[i].w, true
		}
	}
	if best == nil {
		return "", 0, false
	}
	return reasonFor(best.field, part.labels[best.label]), bestW, false
}

// reasonFor says a match in words.
func reasonFor(f field, label string) string {
	switch f {
	case fieldTag, fieldPhraseWord:
		return "tag “" + label + "”"
	case fieldGenre:
		return "genre “" + label + "”"
	case fieldTheme:
		return "theme “" + label + "”"
	case fieldMood:
		return "mood “" + label + "”"
	case fieldPlace, fieldNear:
		return "set in " + label
	case fieldCast:
		return "stars " + label
	case fieldDirector:
		return "directed by " + label
	case fieldCreator:
		return "created by " + label
	case fieldWriter:
		return "written by " + label
	case fieldComposer:
		return "score by " + label
	case fieldNamed:
		return label + ", in their words"
	case fieldReleased:
		return "released " + label
	case fieldSetIn:
		return "set in the " + label
	case fieldYear:
		return "released in " + label
	case fieldLength:
		if strings.HasSuffix(label, "minutes") {
			return "runs " + label
		}
		return label
	case fieldBasedOn:
		return "based on " + label
	}
	return label
}

// mergeSetting joins "set in the 1990s" and "set in Los Angeles" into "set
// in 1990s Los Angeles".
func mergeSetting(reasons []string) []string {
	era, place := -1, -1
	for i, r := range reasons {
		switch {
		case strings.HasPrefix(r, "set in the ") && strings.HasSuffix(r, "0s"):
			era = i
		case strings.HasPrefix(r, "set in ") && place < 0:
			place = i
		}
	}
	if era < 0 || place < 0 {
		return reasons
	}
	merged := "set in " + strings.TrimPrefix(reasons[era], "set in the ") + " " + strings.TrimPrefix(reasons[place], "set in ")
	out := make([]string, 0, len(reasons)-1)
	for i, r := range reasons {
		switch i {
		case min(era, place):
			out = append(out, merged)
		case max(era, place):
		default:
			out = append(out, r)
		}
	}
	return out
}

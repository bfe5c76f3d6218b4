package discord

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/bwmarrin/discordgo"

	"github.com/industrybot/industrybot/bot"
)

// Discord's limits on a message, in characters (counted here in UTF-16
// units, the stricter reading).
const (
	maxContent     = 2000
	maxEmbeds      = 10
	maxEmbedTotal  = 6000 // all embeds of one message together
	maxTitle       = 256
	maxDescription = 4096
	maxFields      = 25
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFooter      = 2048
	maxAuthor      = 256
	maxButtonsRow  = 5
	maxRows        = 5
	maxLabel       = 80
	maxChoices     = 25
	maxChoiceName  = 100
	maxCustomID    = 100
)

// color is the embeds' accent.
const color = 0x2B4C7E

// blank is a field name that shows nothing: Discord requires a name.
const blank = "\u200b"

// message is one Discord message of an answer.
type message struct {
	Content    string
	Embeds     []*discordgo.MessageEmbed
	Components []discordgo.MessageComponent
	Ephemeral  bool
}

func (m message) flags() discordgo.MessageFlags {
	if m.Ephemeral {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

// noMentions keeps echoed user text ("@everyone") from pinging anyone.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// render turns a reply into the messages that carry it: one, unless a
// commentary is longer than one message's embeds may hold, in which case it
// continues in further messages. The buttons go with the last message.
func render(r bot.Reply) []message {
	var embeds []*discordgo.MessageEmbed
	content := r.Text
	switch {
	case r.Error != "":
		content = errorText(r)
	case len(r.Picks) > 0:
		for _, p := range r.Picks {
			embeds = append(embeds, pickEmbed(p))
		}
	case r.Commentary != nil:
		embeds = commentaryEmbeds(r.Commentary, r.Attribution)
	case r.Mention != nil:
		embeds = append(embeds, mentionEmbed(r.Mention))
	case len(r.Help) > 0:
		embeds = append(embeds, helpEmbed(r.Help))
	}
	if r.Attribution != "" && r.Commentary == nil && len(embeds) > 0 {
		embeds[len(embeds)-1].Footer = &discordgo.MessageEmbedFooter{Text: clip(attributionText(r.Attribution), maxFooter)}
	}
	for _, e := range embeds {
		fit(e)
	}
	msgs := pack(embeds)
	msgs[0].Content = clip(r.WriteTimes(escape(content), timestamp), maxContent)
	last := &msgs[len(msgs)-1]
	last.Components = buttons(r.Actions)
	for i := range msgs {
		msgs[i].Ephemeral = r.Private
	}
	return msgs
}

func attributionText(a string) string { return "— " + a }

// timestamp is Discord's markup for a time, which shows every reader the
// weekday, date and time in their own zone, and how far off it is:
// "<t:1795822200:F> (<t:1795822200:R>)".
func timestamp(t time.Time) string {
	u := strconv.FormatInt(t.Unix(), 10)
	return "<t:" + u + ":F> (<t:" + u + ":R>)"
}

// errorText lays out an answer's error, what the user may have meant and
// the lead (bot.Reply.ErrorText's parts) one to a line.
func errorText(r bot.Reply) string {
	parts := []string{r.Error}
	if d := bot.DidYouMean(r.Suggestions); d != "" {
		parts = append(parts, d)
	}
	if r.Text != "" {
		parts = append(parts, r.Text)
	}
	return strings.Join(parts, "\n")
}

// facts renders the core's facts of a title as "*Film · 1995 · directed by
// Michael Mann*".
func facts(w *bot.Work) string {
	return "*" + w.Kind.Label() + " · " + w.Years() + " · " + escape(w.Credit.String()) + "*"
}

// markdown escapes the characters Discord's Markdown reads as formatting:
// quoted words and echoed queries show as written, a query cannot smuggle
// in a masked link, and "<@id>", "<#id>", "<t:…>" or "<https://…>" show as
// typed instead of as a mention, a channel, a date or a link.
var markdown = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "~", `\~`, "`", "\\`", "|", `\|`, "[", `\[`, "]", `\]`, "<", `\<`)

// escape makes text show literally in content, descriptions and fields.
// A line starting with #, > or - would be a heading, quote or list item.
func escape(s string) string { return escapeLines(markdown.Replace(s)) }

// escapeLines escapes the line starts of text whose inline Markdown is
// escaped already.
func escapeLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		t := strings.TrimLeft(l, " ")
		if t != "" && strings.ContainsRune("#>-", rune(t[0])) {
			lines[i] = l[:len(l)-len(t)] + `\` + t
		}
	}
	return strings.Join(lines, "\n")
}

func pickEmbed(p bot.Pick) *discordgo.MessageEmbed {
	t := p.Title
	desc := facts(&t.Work)
	if p.Excerpt != "" {
		desc += "\n\n“" + escape(p.Excerpt) + "”"
	}
	if len(p.Reasons) > 0 {
		desc += "\n\n**Why it matched:** " + escape(strings.Join(p.Reasons, ", "))
	}
	return &discordgo.MessageEmbed{Title: clip(t.Title, maxTitle), URL: t.Link, Description: clip(desc, maxDescription), Color: color}
}

func mentionEmbed(m *bot.Mention) *discordgo.MessageEmbed {
	desc := facts(&m.Work) + "\n\n“" + escape(m.Sentence) + "”"
	return &discordgo.MessageEmbed{Title: clip(m.Title, maxTitle), URL: m.Link, Description: clip(desc, maxDescription), Color: color}
}

func helpEmbed(entries []bot.HelpEntry) *discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{Color: color}
	for i, h := range entries {
		if i == maxFields {
			break
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: clip(escape(h.Usage), maxFieldName), Value: clip(escape(h.Summary), maxFieldValue)})
	}
	return e
}

// footerReserve is kept free in every commentary embed for the footer.
const footerReserve = 512

// commentaryEmbeds lays out a whole commentary: the facts and as many
// paragraphs as fit in the description, the rest in fields, each piece cut
// at a sentence end or a space (bot.Split), never inside a word. What does
// not fit in one message's embeds continues in embeds of their own, each
// headed "Title (continued)", for further messages. The last embed carries
// the attribution.
func commentaryEmbeds(t *bot.Title, attribution string) []*discordgo.MessageEmbed {
	text := attributionText(attribution)
	// The quote keeps the article's spelling; the note says where it
	// differs from the fact, so the bot does not seem to misspell.
	if notes := t.SpellingNotes(strings.Join(t.Commentary, " ")); len(notes) > 0 {
		text += "\n" + strings.Join(notes, " ")
	}
	footer := clip(text, min(maxFooter, footerReserve))
	budget := maxEmbedTotal - footerReserve
	first := &discordgo.MessageEmbed{Title: clip(t.Title, maxTitle), URL: t.Link, Color: color, Description: facts(&t.Work)}
	embeds := []*discordgo.MessageEmbed{first}
	cur := first
	size := embedSize(first)
	inDescription := true // still filling cur's description
	for _, para := range t.Commentary {
		// One unit is kept for escaping a piece's start ("- eg." cut there
		// would make a list item).
		for j, piece := range splitUnits(markdown.Replace(para), maxFieldValue-1) {
			piece = escapeLines(piece)
			sep := "\n\n"
			if j > 0 {
				sep = " " // the same paragraph goes on
			}
			if cur.Description == "" {
				sep = ""
			}
			n := units(piece)
			if inDescription && len(cur.Fields) == 0 && units(cur.Description)+units(sep)+n <= maxDescription && size+units(sep)+n <= budget {
				cur.Description += sep + piece
				size += units(sep) + n
				continue
			}
			inDescription = false
			if len(cur.Fields) < maxFields && size+units(blank)+n <= budget {
				cur.Fields = append(cur.Fields, &discordgo.MessageEmbedField{Name: blank, Value: piece})
				size += units(blank) + n
				continue
			}
			cur = &discordgo.MessageEmbed{Color: color, URL: t.Link, Author: &discordgo.MessageEmbedAuthor{Name: clip(t.Title+" (continued)", maxAuthor)}}
			embeds = append(embeds, cur)
			cur.Description = piece
			size = embedSize(cur)
			inDescription = true
		}
	}
	cur.Footer = &discordgo.MessageEmbedFooter{Text: footer}
	return embeds
}

// fit shortens an embed over Discord's 6000 characters: the footer to
// footerReserve, then the description, then the fields, each at a word.
// Only text the core let grow without bound gets here (a commentary is
// laid out within the limit by commentaryEmbeds).
func fit(e *discordgo.MessageEmbed) {
	over := embedSize(e) - maxEmbedTotal
	if over > 0 && e.Footer != nil && units(e.Footer.Text) > footerReserve {
		e.Footer.Text = clip(e.Footer.Text, max(footerReserve, units(e.Footer.Text)-over))
		over = embedSize(e) - maxEmbedTotal
	}
	if over > 0 && e.Description != "" {
		e.Description = clip(e.Description, max(1, units(e.Description)-over))
		over = embedSize(e) - maxEmbedTotal
	}
	for i := len(e.Fields) - 1; over > 0 && i >= 0; i-- {
		f := e.Fields[i]
		f.Value = clip(f.Value, max(1, units(f.Value)-over))
		over = embedSize(e) - maxEmbedTotal
	}
}

// pack groups embeds into messages within the per-message limits.
func pack(embeds []*discordgo.MessageEmbed) []message {
	msgs := []message{{}}
	total := 0
	for _, e := range embeds {
		m := &msgs[len(msgs)-1]
		n := embedSize(e)
		if len(m.Embeds) > 0 && (len(m.Embeds) == maxEmbeds || total+n > maxEmbedTotal) {
			msgs = append(msgs, message{})
			m = &msgs[len(msgs)-1]
			total = 0
		}
		m.Embeds = append(m.Embeds, e)
		total += n
	}
	return msgs
}

// embedSize counts what Discord counts towards an embed's 6000 characters.
func embedSize(e *discordgo.MessageEmbed) int {
	n := units(e.Title) + units(e.Description)
	for _, f := range e.Fields {
		n += units(f.Name) + units(f.Value)
	}
	if e.Footer != nil {
		n += units(e.Footer.Text)
	}
	if e.Author != nil {
		n += units(e.Author.Name)
	}
	return n
}

// buttons lays actions out as rows of buttons: "Another" primary, the rest
// secondary. Custom ids repeated in one message are dropped (Discord refuses
// them).
func buttons(actions []bot.Action) []discordgo.MessageComponent {
	var rows []discordgo.MessageComponent
	var row []discordgo.MessageComponent
	seen := map[string]bool{}
	for _, a := range actions {
		id := a.ID()
		if seen[id] || len(rows) == maxRows {
			continue
		}
		seen[id] = true
		style := discordgo.SecondaryButton
		if a.Command != bot.CmdWhy {
			style = discordgo.PrimaryButton
		}
		row = append(row, discordgo.Button{Label: clip(a.Label, maxLabel), Style: style, CustomID: id})
		if len(row) == maxButtonsRow {
			rows = append(rows, discordgo.ActionsRow{Components: row})
			row = nil
		}
	}
	if len(row) > 0 && len(rows) < maxRows {
		rows = append(rows, discordgo.ActionsRow{Components: row})
	}
	return rows
}

// units counts s in UTF-16 code units.
func units(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// clip shortens s to max UTF-16 units at a word boundary (bot.Clip), for
// text where a limit may cut: labels, titles, one-line content.
func clip(s string, max int) string {
	if units(s) <= max {
		return s
	}
	if strings.Contains(s, "\n") {
		// Keep the lines; cut the last one that overflows.
		var b strings.Builder
		for i, line := range strings.Split(s, "\n") {
			sep := ""
			if i > 0 {
				sep = "\n"
			}
			if units(b.String())+units(sep)+units(line) > max {
				rest := max - units(b.String()) - units(sep)
				if rest > 1 {
					b.WriteString(sep + clipLine(line, rest))
				}
				break
			}
			b.WriteString(sep + line)
		}
		return b.String()
	}
	return clipLine(s, max)
}

func clipLine(s string, max int) string {
	for n := max; n > 0; n-- {
		c := bot.Clip(s, n)
		if units(c) <= max {
			return c
		}
	}
	return ""
}

// splitUnits is bot.Split measured in UTF-16 units: chunks of at most max
// units, cut at sentence ends or spaces. Text outside the Basic Multilingual
// Plane counts twice, so the rune limit shrinks until every chunk fits; at
// max/2 runes every chunk fits whatever it holds.
func splitUnits(text string, max int) []string {
	limit := max
	for {
		chunks := bot.Split(text, limit)
		fits := true
		for _, c := range chunks {
			if units(c) > max {
				fits = false
				break
			}
		}
		if fits || limit <= max/2 {
			return chunks
		}
		limit = (limit + max/2) / 2
	}
}

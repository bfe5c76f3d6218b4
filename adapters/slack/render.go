package slack

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/industrybot/industrybot/bot"
)

// Block Kit limits the renderer keeps to.
const (
	maxText       = 3000 // characters in one text object of a section
	maxBlocks     = 50   // blocks in one message
	maxButtonText = 75   // characters on a button
	maxFallback   = 300  // characters of the notification text (Slack allows more; notifications show less)
)

// Response types of a message answering a command.
const (
	InChannel = slackapi.ResponseTypeInChannel // seen by the channel
	Ephemeral = slackapi.ResponseTypeEphemeral // seen only by who asked
)

// Message is a reply rendered for Slack: Block Kit blocks, the plain-text
// fallback Slack shows in notifications, and who sees it. It marshals to
// the JSON body Slack takes as a slash command's answer.
type Message struct {
	ResponseType string           `json:"response_type"`
	Text         string           `json:"text"`
	Blocks       []slackapi.Block `json:"blocks"`
}

// Block ids of the parts of a message. Buttons are found by their value
// (bot.Action.ID); these name the rest, so a reader of the message can tell
// a pick's heading from the commentary.
const (
	blockError      = "error"
	blockSuggest    = "suggest"
	blockLead       = "lead"
	blockDaily      = "daily-lead" // the lead of a scheduled post, which buttons leave in place
	blockPick       = "pick-"      // + n: heading of the n-th pick
	blockTitle      = "title"      // heading of the commentary or mention
	blockText       = "text-"      // + n: the commentary, in order
	blockHelp       = "help-"      // + n
	blockAttributed = "credit"     // the attribution
	blockButtons    = "buttons"
)

// Render turns a reply into a Slack message: the first of Messages, and
// the whole reply for all but a commentary longer than a message holds.
// Use Messages where the rest can follow.
func Render(r bot.Reply) Message { return Messages(r)[0] }

// Messages turns a reply into the Slack messages that carry it: the lead
// and any error in mrkdwn; each pick as a heading (title, year, credit),
// its excerpt and why it matched; the commentary as plain text split at
// sentence or word boundaries into sections of at most 3,000 characters
// (maxText); the attribution in a context block; the actions as buttons
// whose value is the action's id. Private replies are ephemeral. It is one
// message unless the blocks are more than 50 (maxBlocks), which Slack
// refuses in one (a long commentary in a custom catalog): then they
// continue, in order, in as many more as they need, the buttons in the
// last, and each message's notification text says which part it is.
func Messages(r bot.Reply) []Message {
	blocks := render(r)
	kind := InChannel
	if r.Private {
		kind = Ephemeral
	}
	text := fallback(r)
	if len(blocks) <= maxBlocks {
		return []Message{{ResponseType: kind, Text: text, Blocks: blocks}}
	}
	n := (len(blocks) + maxBlocks - 1) / maxBlocks
	msgs := make([]Message, 0, n)
	for i := 0; len(blocks) > 0; i++ {
		part := blocks[:min(maxBlocks, len(blocks))]
		blocks = blocks[len(part):]
		msgs = append(msgs, Message{ResponseType: kind, Text: fmt.Sprintf("%s (%d/%d)", clip(text, maxFallback-8), i+1, n), Blocks: part})
	}
	return msgs
}

// render lays a reply out in blocks, as many as it takes.
func render(r bot.Reply) []slackapi.Block {
	var b builder
	if r.Error != "" {
		b.echo(blockError, r.WriteTimes(escape(r.Error), date))
	}
	if d := bot.DidYouMean(r.Suggestions); d != "" {
		b.echo(blockSuggest, escape(d))
	}
	if r.Text != "" {
		id := blockLead
		if r.Scheduled {
			id = blockDaily
		}
		b.echo(id, r.WriteTimes(escape(r.Text), date))
	}
	for i, p := range r.Picks {
		id := blockPick + strconv.Itoa(i+1)
		prefix := ""
		if len(r.Picks) > 1 {
			prefix = strconv.Itoa(i+1) + ". "
		}
		b.mrkdwn(id, prefix+heading(&p.Title.Work))
		if p.Excerpt != "" {
			b.plain(id+"-quote", "“"+p.Excerpt+"”")
		}
		if len(p.Reasons) > 0 {
			b.context(id+"-why", slackapi.NewTextBlockObject(slackapi.PlainTextType, clip("Why it matched: "+strings.Join(p.Reasons, ", "), maxText), false, false))
		}
	}
	if t := r.Commentary; t != nil {
		h := heading(&t.Work)
		if t.Link != "" {
			h += "\n" + escape(t.Link)
		}
		b.mrkdwn(blockTitle, h)
		for i, chunk := range paragraphs(t.Commentary, maxText) {
			b.plain(blockText+strconv.Itoa(i+1), chunk)
		}
		// The quote keeps the article's spelling; the note says where it
		// differs from the fact, so the bot does not seem to misspell.
		if notes := t.SpellingNotes(strings.Join(t.Commentary, " ")); len(notes) > 0 {
			b.context(blockText+"-spelling", slackapi.NewTextBlockObject(slackapi.PlainTextType, clip(strings.Join(notes, " "), maxText), false, false))
		}
	}
	if m := r.Mention; m != nil {
		h := heading(&m.Work)
		if m.Link != "" {
			h += "\n" + escape(m.Link)
		}
		b.mrkdwn(blockTitle, h)
		for i, chunk := range bot.Split("“"+m.Sentence+"”", maxText) {
			b.plain(blockText+strconv.Itoa(i+1), chunk)
		}
	}
	for i, h := range r.Help {
		b.mrkdwn(blockHelp+strconv.Itoa(i+1), "*"+escape(h.Usage)+"*\n"+escape(h.Summary))
	}
	if r.Attribution != "" {
		b.context(blockAttributed, slackapi.NewTextBlockObject(slackapi.MarkdownType, escape(clip("— "+r.Attribution, maxText)), false, false))
	}
	if len(r.Actions) > 0 {
		buttons := make([]slackapi.BlockElement, 0, len(r.Actions))
		for i, a := range r.Actions {
			label := slackapi.NewTextBlockObject(slackapi.PlainTextType, clip(a.Label, maxButtonText), false, false)
			buttons = append(buttons, slackapi.NewButtonBlockElement("ib-"+strconv.Itoa(i+1), a.ID(), label))
		}
		b.blocks = append(b.blocks, slackapi.NewActionBlock(blockButtons, buttons...))
	}
	return b.blocks
}

type builder struct{ blocks []slackapi.Block }

// mrkdwn adds a section of already escaped mrkdwn, split if it is too long
// for one (the escapes count).
func (b *builder) mrkdwn(id, text string) {
	for i, chunk := range split(text) {
		b.blocks = append(b.blocks, slackapi.NewSectionBlock(
			slackapi.NewTextBlockObject(slackapi.MarkdownType, chunk, false, false), nil, nil,
			slackapi.SectionBlockOptionBlockID(partID(id, i))))
	}
}

// echo adds a section of already escaped mrkdwn that may carry user text
// (an error, the lead "Picks for “…”"): verbatim, so that Slack turns no
// URL, channel name or mention in it into a link. The core has de-linked
// the user's words already (bot.Quote); this keeps Slack from trying.
func (b *builder) echo(id, text string) {
	for i, chunk := range split(text) {
		b.blocks = append(b.blocks, slackapi.NewSectionBlock(
			slackapi.NewTextBlockObject(slackapi.MarkdownType, chunk, false, true), nil, nil,
			slackapi.SectionBlockOptionBlockID(partID(id, i))))
	}
}

// plain adds a section of plain text, which Slack shows as written: quoted
// words keep their asterisks and underscores.
func (b *builder) plain(id, text string) {
	for i, chunk := range split(text) {
		b.blocks = append(b.blocks, slackapi.NewSectionBlock(
			slackapi.NewTextBlockObject(slackapi.PlainTextType, chunk, false, false), nil, nil,
			slackapi.SectionBlockOptionBlockID(partID(id, i))))
	}
}

func (b *builder) context(id string, elems ...slackapi.MixedElement) {
	b.blocks = append(b.blocks, slackapi.NewContextBlock(id, elems...))
}

// split cuts text that is too long for one text object with bot.Split,
// and leaves text that fits as it is, line breaks and all.
func split(text string) []string {
	if utf8.RuneCountInString(text) <= maxText {
		return []string{text}
	}
	return bot.Split(text, maxText)
}

// partID names the parts of a section that had to be split: id, id.2, …
func partID(id string, i int) string {
	if i == 0 {
		return id
	}
	return id + "." + strconv.Itoa(i+1)
}

// heading renders the core's facts of a title as "*Heat* (1995), film
// directed by Michael Mann" in mrkdwn.
func heading(w *bot.Work) string {
	return fmt.Sprintf("*%s* (%s), %s", escape(w.Title), escape(w.Years()), escape(w.Byline()))
}

// paragraphs packs the paragraphs of a commentary into texts of at most max
// characters: whole paragraphs separated by blank lines while they fit, and
// a paragraph longer than max split at sentence ends or spaces (bot.Split).
// The pieces of one split paragraph are never joined to each other, so a
// paragraph break only ever stands where the commentary has one.
func paragraphs(paras []string, max int) []string {
	var out []string
	cur, curLen := "", 0
	flush := func() {
		if cur != "" {
			out = append(out, cur)
		}
		cur, curLen = "", 0
	}
	for _, p := range paras {
		pieces := bot.Split(p, max)
		for i, piece := range pieces {
			n := utf8.RuneCountInString(piece)
			if i > 0 || cur != "" && curLen+2+n > max {
				flush()
			}
			if cur == "" {
				cur, curLen = piece, n
				continue
			}
			cur += "\n\n" + piece
			curLen += 2 + n
		}
	}
	flush()
	return out
}

// fallback is the plain text of a notification: what the message is about,
// in one line.
func fallback(r bot.Reply) string {
	var s string
	switch {
	case r.Error != "":
		s = r.Error
		if d := bot.DidYouMean(r.Suggestions); d != "" {
			s += " " + d
		}
	case len(r.Picks) > 0:
		titles := make([]string, len(r.Picks))
		for i, p := range r.Picks {
			titles[i] = p.Title.Title + " (" + p.Title.Years() + ")"
		}
		s = strings.Join(titles, "; ")
		if r.Text != "" {
			s = r.Text + ": " + s
		}
	case r.Commentary != nil:
		s = "Why " + r.Commentary.Title + " (" + r.Commentary.Years() + "): the creators of Industry in their own words"
	case r.Mention != nil && r.Text != "":
		s = r.Text + " “" + r.Mention.Sentence + "”"
	default:
		s = r.Text
	}
	return escape(clip(r.WriteTimes(s, bot.PlainTime), maxFallback))
}

// date is Slack's markup for a time, which shows every reader the date and
// time in their own zone, and the core's plain time where Slack cannot.
func date(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} at {time}|%s>", t.Unix(), escape(bot.PlainTime(t)))
}

// escape makes text safe inside mrkdwn: Slack reads &, < and > as markup.
func escape(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// clip shortens s to max characters at a word boundary (bot.Clip), leaving
// text that fits untouched.
func clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return bot.Clip(s, max)
}

package slack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/adapters/slack/slacktest"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
	"github.com/industrybot/industrybot/bot/convtest"
)

// checkLimits fails on anything in m that Slack would refuse.
func checkLimits(t *testing.T, m slack.Message) {
	t.Helper()
	if len(m.Blocks) > slack.MaxBlocks {
		t.Errorf("%d blocks, over Slack's %d", len(m.Blocks), slack.MaxBlocks)
	}
	ids := map[string]bool{}
	text := func(what string, o *slackapi.TextBlockObject, max int) {
		if o == nil {
			return
		}
		if err := o.Validate(); err != nil {
			t.Errorf("%s: %v", what, err)
		}
		if n := utf8.RuneCountInString(o.Text); n > max {
			t.Errorf("%s: %d characters, over %d", what, n, max)
		}
	}
	for _, b := range m.Blocks {
		if ids[b.ID()] {
			t.Errorf("block id %q twice", b.ID())
		}
		ids[b.ID()] = true
		switch b := b.(type) {
		case *slackapi.SectionBlock:
			text(b.BlockID, b.Text, slack.MaxText)
		case *slackapi.ContextBlock:
			if len(b.ContextElements.Elements) > 10 {
				t.Errorf("%s: %d context elements", b.BlockID, len(b.ContextElements.Elements))
			}
			for _, e := range b.ContextElements.Elements {
				if o, ok := e.(*slackapi.TextBlockObject); ok {
					text(b.BlockID, o, slack.MaxText)
				}
			}
		case *slackapi.ActionBlock:
			if n := len(b.Elements.ElementSet); n > 25 {
				t.Errorf("%d buttons, over 25", n)
			}
			actions := map[string]bool{}
			for _, e := range b.Elements.ElementSet {
				btn := e.(*slackapi.ButtonBlockElement)
				text("button "+btn.ActionID, btn.Text, slack.MaxButtonText)
				if actions[btn.ActionID] || len(btn.ActionID) > 255 || len(btn.Value) > 2000 {
					t.Errorf("button %q: action id repeated or too long, or value of %d bytes", btn.ActionID, len(btn.Value))
				}
				actions[btn.ActionID] = true
				if _, err := bot.ParseAction(btn.Value); err != nil {
					t.Errorf("button %q: value %q is not an action: %v", btn.ActionID, btn.Value, err)
				}
			}
		default:
			t.Errorf("unexpected block %T", b)
		}
	}
	if m.Text == "" || utf8.RuneCountInString(m.Text) > 300 {
		t.Errorf("fallback text %q: want one short line", m.Text)
	}
}

// roundTrip renders a reply and reads it back as Slack would get it.
func roundTrip(t *testing.T, r bot.Reply) (slack.Message, slacktest.Response) {
	t.Helper()
	m := slack.Render(r)
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	ans, ok, err := slacktest.Ack{Payload: data}.Answer()
	if err != nil || !ok {
		t.Fatalf("reading back %s: %v", data, err)
	}
	return m, ans
}

// TestRenderWholeCatalog renders the commentary on every pick: within
// Slack's limits, every word of it there, in order.
func TestRenderWholeCatalog(t *testing.T) {
	cat := bottest.Catalog(t)
	b := bottest.Bot(t)
	for _, p := range cat.Picks {
		t.Run(p.ID, func(t *testing.T) {
			r := b.Handle(context.Background(), bot.Request{Platform: bot.Slack, Channel: "C1", Command: bot.CmdWhy, Options: map[string]string{bot.OptTitle: p.ID}})
			m, ans := roundTrip(t, r)
			checkLimits(t, m)
			c := content(ans)
			if len(c.Titles) != 1 || c.Titles[0] != p.Title {
				t.Errorf("titles %q, want %q", c.Titles, p.Title)
			}
			if got, want := convtest.Normalize(c.Text), convtest.Normalize(strings.Join(p.Commentary, " ")); !strings.Contains(got, want) {
				t.Errorf("the commentary is not all there, in order:\ngot  %s\nwant %s", got, want)
			}
		})
	}
}

func TestRenderRecommendWithinLimits(t *testing.T) {
	b := bottest.Bot(t)
	for _, q := range []string{"talky", "something tense", "british comedy kind:tv", "new york", "like succession", "zzzz"} {
		t.Run(q, func(t *testing.T) {
			opts, err := bot.ParseText(bot.CmdRecommend, q)
			if err != nil {
				t.Fatal(err)
			}
			m, _ := roundTrip(t, b.Handle(context.Background(), bot.Request{Platform: bot.Slack, Channel: "C1", Command: bot.CmdRecommend, Options: opts}))
			checkLimits(t, m)
		})
	}
}

// TestRenderSplitsLongCommentary: commentary longer than a block takes is
// split at sentence ends into blocks of at most 3,000 characters, short
// paragraphs share a block, and nothing is lost.
func TestRenderSplitsLongCommentary(t *testing.T) {
	var long strings.Builder
	for i := range 120 {
		long.WriteString("Sentence number ")
		long.WriteString(strings.Repeat("x", i%40))
		long.WriteString(" ends here. ")
	}
	word := strings.Repeat("w", 3500) // no space to cut at
	paras := []string{"A short opening.", "Another short one.", long.String(), "A short closing.", word}
	title := &bot.Title{Work: bot.Work{ID: "t", Title: "T & <Co>", Kind: bot.TV, Year: 2001, EndYear: 2003, Credit: bot.Credit{Role: "creators", Names: []string{"A", "B"}}}, Commentary: paras}
	m, ans := roundTrip(t, bot.Reply{Commentary: title, Attribution: "the creators"})
	checkLimits(t, m)

	var texts []string
	for _, b := range m.Blocks {
		if s, ok := b.(*slackapi.SectionBlock); ok && strings.HasPrefix(s.BlockID, "text-") {
			if s.Text.Type != slackapi.PlainTextType {
				t.Errorf("%s: commentary in %s, want plain_text so quoted words show as written", s.BlockID, s.Text.Type)
			}
			texts = append(texts, s.Text.Text)
		}
	}
	if len(texts) < 4 {
		t.Fatalf("%d commentary blocks, want the long paragraph and the long word split", len(texts))
	}
	if !strings.HasPrefix(texts[0], "A short opening.\n\nAnother short one.\n\nSentence number") {
		t.Errorf("first block starts %.60q, want the short paragraphs together, then the long one as far as it fits", texts[0])
	}
	n := len(texts)
	for _, s := range texts[:n-2] {
		if !strings.HasSuffix(s, ".") {
			t.Errorf("a block ends %q, want a sentence end", s[max(0, len(s)-20):])
		}
	}
	if texts[n-2]+texts[n-1] != word || utf8.RuneCountInString(texts[n-2]) != slack.MaxText {
		t.Errorf("the long word is cut into %d and %d characters, want %d and the rest", len(texts[n-2]), len(texts[n-1]), slack.MaxText)
	}
	if got, want := convtest.Normalize(strings.Join(texts[:n-1], " ")), convtest.Normalize(strings.Join(paras[:len(paras)-1], " ")+" "+texts[n-2]); got != want {
		t.Errorf("the commentary changed in splitting:\ngot  %.200s…\nwant %.200s…", got, want)
	}
	if c := content(ans); len(c.Titles) != 1 || c.Titles[0] != "T & <Co>" {
		t.Errorf("title %q, want it escaped in mrkdwn and read back whole", c.Titles)
	}
	if h := m.Blocks[0].(*slackapi.SectionBlock).Text.Text; !strings.HasPrefix(h, "*T &amp; &lt;Co&gt;* (2001–2003), series created by A and B") {
		t.Errorf("heading %q, want the title escaped for mrkdwn", h)
	}
}

func TestRenderPrivacyAndFallback(t *testing.T) {
	b := bottest.Bot(t)
	tests := []struct {
		name         string
		reply        bot.Reply
		responseType string
		fallback     string
	}{
		{"error", bot.Reply{Private: true, Error: "No title matches “x”.", Suggestions: []bot.Suggestion{{ID: "heat", Title: "Heat", Years: "1995"}}}, slack.Ephemeral, "No title matches “x”. Did you mean Heat (1995)?"},
		// The core words a parse error as a sentence; the renderer shows it as it is.
		{"parse error is a sentence", b.Handle(t.Context(), bot.Request{Platform: bot.Slack, Channel: "C", Command: bot.CmdRecommend, Text: "kind:x"}), slack.Ephemeral, "Kind “x” is neither film nor tv."},
		{"help", bot.Help(), slack.Ephemeral, "industrybot recommends"},
		{"lead", bot.Reply{Text: "Ham & eggs <3"}, slack.InChannel, "Ham &amp; eggs &lt;3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := slack.Render(tc.reply)
			if m.ResponseType != tc.responseType || !strings.HasPrefix(m.Text, tc.fallback) {
				t.Errorf("got %s %q, want %s %q", m.ResponseType, m.Text, tc.responseType, tc.fallback)
			}
		})
	}
}

// TestRenderTimes: a time in an answer is Slack's date markup, which shows
// every reader the time in their own zone, with the core's plain time as
// its fallback and in the notification.
func TestRenderTimes(t *testing.T) {
	at := time.Date(2026, 11, 27, 18, 30, 0, 0, time.FixedZone("EST", -5*3600))
	r := bot.Reply{Private: true}
	r.Text = "Ham & eggs are due " + r.Stamp(at) + "."
	m := slack.Render(r)
	want := fmt.Sprintf("Ham &amp; eggs are due <!date^%d^{date_short_pretty} at {time}|%s>.", at.Unix(), bot.PlainTime(at))
	if got := m.Blocks[0].(*slackapi.SectionBlock).Text.Text; got != want {
		t.Errorf("lead %q, want %q", got, want)
	}
	if want := "Ham &amp; eggs are due " + bot.PlainTime(at) + "."; m.Text != want {
		t.Errorf("notification %q, want %q", m.Text, want)
	}
}

// TestRenderEchoIsVerbatim: the blocks that may carry the user's words (an
// error, the lead "Picks for …") are verbatim, so Slack link-ifies nothing
// in them, and the words come de-linked from the core; the blocks the bot
// writes itself (a title's heading with its link) are not.
func TestRenderEchoIsVerbatim(t *testing.T) {
	b := bottest.Bot(t)
	ask := func(cmd, opt, text string) slack.Message {
		return slack.Render(b.Handle(t.Context(), bot.Request{Platform: bot.Slack, Channel: "C", Command: cmd, Options: map[string]string{opt: text}}))
	}
	tests := []struct {
		name    string
		m       slack.Message
		blockID string
		want    string
	}{
		{"lead", ask(bot.CmdRecommend, bot.OptQuery, "tense https://evil.example #general"), "lead", "Picks for “tense https[:]//evil[.]example #general”"},
		{"error", ask(bot.CmdWhy, bot.OptTitle, "<!here> www.evil.example"), "error", "matches “&lt;!here&gt; www[.]evil[.]example”"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var found bool
			for _, blk := range tc.m.Blocks {
				s, ok := blk.(*slackapi.SectionBlock)
				if !ok || s.BlockID != tc.blockID {
					continue
				}
				found = true
				if !s.Text.Verbatim || s.Text.Type != slackapi.MarkdownType {
					t.Errorf("block %s: %s, verbatim %v; want verbatim mrkdwn", s.BlockID, s.Text.Type, s.Text.Verbatim)
				}
				if !strings.Contains(s.Text.Text, tc.want) {
					t.Errorf("block %s: %q, want it to contain %q", s.BlockID, s.Text.Text, tc.want)
				}
			}
			if !found {
				t.Fatalf("no block %s in %+v", tc.blockID, tc.m.Blocks)
			}
			shown := []string{tc.m.Text}
			for _, blk := range tc.m.Blocks {
				if s, ok := blk.(*slackapi.SectionBlock); ok {
					shown = append(shown, s.Text.Text)
				}
			}
			if all := strings.Join(shown, "\n"); strings.Contains(all, "://evil") || strings.Contains(all, "www.evil") {
				t.Errorf("the message shows the link: %s", all)
			}
		})
	}
	why := ask(bot.CmdWhy, bot.OptTitle, "heat")
	for _, blk := range why.Blocks {
		if s, ok := blk.(*slackapi.SectionBlock); ok && s.BlockID == "title" && s.Text.Verbatim {
			t.Errorf("the heading of a commentary is verbatim: its link would not be one")
		}
	}
}

// TestSpellingNotes: /why keeps the article's spelling in the quote and
// says, under it, where it differs from the fact.
func TestSpellingNotes(t *testing.T) {
	c := bottest.Catalog(t)
	m := slack.Render(bot.Reply{Commentary: c.Pick("moneyball"), Attribution: c.Source.Attribution()})
	raw, err := json.Marshal(m.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "The article spells Brad Pitt “Bradd”.") || !strings.Contains(string(raw), "Bradd Pitt") {
		t.Errorf("blocks lack the quote as written and the note: %s", raw)
	}
	m = slack.Render(bot.Reply{Commentary: c.Pick("the-social-network"), Attribution: c.Source.Attribution()})
	if raw, _ := json.Marshal(m.Blocks); strings.Contains(string(raw), "spells") {
		t.Errorf("a commentary without misspellings has a note: %s", raw)
	}
}

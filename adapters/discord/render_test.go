package discord

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/industrybot/industrybot/adapters/discord/discordtest"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
	"github.com/industrybot/industrybot/bot/convtest"
)

// prose returns about n characters of sentences of varied length, with a
// word longer than usual now and then.
func prose(n int, seed string) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "%s sentence %d goes on about trading floors and", seed, i)
		for j := range i % 7 {
			fmt.Fprintf(&b, " very%d", j)
		}
		if i%5 == 0 {
			b.WriteString(" extraordinarily-hyphenated-compound")
		}
		b.WriteString(" late nights. ")
	}
	return strings.TrimSpace(b.String())
}

// checkLimits fails on anything Discord would refuse.
func checkLimits(t *testing.T, msgs []message) {
	t.Helper()
	for n, m := range msgs {
		if units(m.Content) > maxContent {
			t.Errorf("message %d: content of %d", n, units(m.Content))
		}
		if len(m.Embeds) > maxEmbeds {
			t.Errorf("message %d: %d embeds", n, len(m.Embeds))
		}
		total := 0
		for k, e := range m.Embeds {
			total += embedSize(e)
			switch {
			case units(e.Title) > maxTitle:
				t.Errorf("message %d embed %d: title of %d", n, k, units(e.Title))
			case units(e.Description) > maxDescription:
				t.Errorf("message %d embed %d: description of %d", n, k, units(e.Description))
			case len(e.Fields) > maxFields:
				t.Errorf("message %d embed %d: %d fields", n, k, len(e.Fields))
			case e.Footer != nil && units(e.Footer.Text) > maxFooter:
				t.Errorf("message %d embed %d: footer of %d", n, k, units(e.Footer.Text))
			}
			for _, f := range e.Fields {
				if units(f.Name) > maxFieldName || units(f.Value) > maxFieldValue || f.Name == "" || f.Value == "" {
					t.Errorf("message %d embed %d: field of %d/%d", n, k, units(f.Name), units(f.Value))
				}
			}
		}
		if total > maxEmbedTotal {
			t.Errorf("message %d: embeds total %d", n, total)
		}
		if len(m.Components) > maxRows {
			t.Errorf("message %d: %d rows", n, len(m.Components))
		}
		for _, row := range m.Components {
			r := row.(discordgo.ActionsRow)
			if len(r.Components) > maxButtonsRow {
				t.Errorf("message %d: a row of %d", n, len(r.Components))
			}
			for _, c := range r.Components {
				b := c.(discordgo.Button)
				if units(b.Label) > maxLabel || len(b.CustomID) > maxCustomID {
					t.Errorf("message %d: button %q/%q", n, b.Label, b.CustomID)
				}
			}
		}
	}
}

// pieces returns the text of a commentary's messages: the description
// after the facts line, then the fields, in order.
func pieces(msgs []message) []string {
	var out []string
	for _, m := range msgs {
		for _, e := range m.Embeds {
			d := e.Description
			if e.Title != "" {
				_, d, _ = strings.Cut(d, "\n\n")
			}
			if d != "" {
				out = append(out, d)
			}
			for _, f := range e.Fields {
				out = append(out, f.Value)
			}
		}
	}
	return out
}

// TestLongCommentary: a commentary too long for a description goes on in
// fields, then in further messages, every piece within its limit, cut
// between words, and nothing lost.
func TestLongCommentary(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		paragraphs []string
		messages   int
	}{
		{"short", []string{prose(300, "a")}, 1},
		{"description full", []string{prose(3000, "a"), prose(2000, "b")}, 1},
		{"one huge paragraph", []string{prose(9000, "a")}, 2},
		{"many paragraphs", []string{prose(2500, "a"), prose(2500, "b"), prose(2500, "c"), prose(2500, "d"), prose(2500, "e")}, 3},
		{"astral characters count twice", []string{strings.Repeat("𝓯𝓲𝓷𝓪𝓷𝓬𝓮 ", 900)}, 3},
		{"markdown in the words", []string{strings.Repeat("*bold* _under_ ~strike~ `code` |pipe| [link](x) - dash # hash. ", 120)}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			title := &bot.Title{Work: bot.Work{ID: "x", Title: "Long", Kind: bot.Film, Year: 2001, Credit: bot.Credit{Role: "director", Names: []string{"A_B"}}, Link: "https://example.com/x"}, Commentary: tc.paragraphs}
			msgs := render(bot.Reply{Commentary: title, Attribution: "them", Actions: []bot.Action{{Label: "Why?", Command: bot.CmdWhy, Arg: "x"}}})
			checkLimits(t, msgs)
			if len(msgs) != tc.messages {
				t.Errorf("%d messages, want %d", len(msgs), tc.messages)
			}
			got := pieces(msgs)
			var whole []string
			for _, p := range got {
				whole = append(whole, plain(p))
			}
			// Pieces are cut at spaces: joined by spaces they give the text
			// back, which they would not if a word had been cut.
			if g, w := convtest.Normalize(strings.Join(whole, " ")), convtest.Normalize(strings.Join(tc.paragraphs, " ")); g != w {
				t.Errorf("text changed:\ngot  %.200q…\nwant %.200q…", g, w)
			}
			lastMsg := msgs[len(msgs)-1]
			if len(lastMsg.Components) != 1 {
				t.Errorf("the buttons are not on the last message")
			}
			for _, m := range msgs[:len(msgs)-1] {
				if len(m.Components) != 0 {
					t.Errorf("buttons before the last message")
				}
			}
			lastEmbed := lastMsg.Embeds[len(lastMsg.Embeds)-1]
			if lastEmbed.Footer == nil || !strings.Contains(lastEmbed.Footer.Text, "them") {
				t.Errorf("the last embed lacks the attribution")
			}
			if msgs[0].Embeds[0].Title != "Long" {
				t.Errorf("first title %q, want Long", msgs[0].Embeds[0].Title)
			}
			for _, m := range msgs[1:] {
				if e := m.Embeds[0]; e.Title != "" || e.Author == nil || e.Author.Name != "Long (continued)" {
					t.Errorf("continuation headed %q/%+v, want an author line Long (continued)", e.Title, e.Author)
				}
			}
		})
	}
}

// TestRenderLimits: whatever the core says, what is sent stays within
// Discord's limits.
func TestRenderLimits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("word ", 2000)
	heat := bottest.Catalog(t).Pick("heat")
	var many []bot.Action
	for i := range 40 {
		many = append(many, bot.Action{Label: fmt.Sprintf("Why %d %s?", i, long), Command: bot.CmdWhy, Arg: fmt.Sprintf("title-%d", i)})
	}
	var picks []bot.Pick
	for range 12 {
		picks = append(picks, bot.Pick{Title: heat, Excerpt: long, Reasons: []string{long}})
	}
	tests := []struct {
		name  string
		reply bot.Reply
	}{
		{"long error", bot.Reply{Private: true, Error: long, Text: long}},
		{"many buttons", bot.Reply{Text: "x", Actions: many}},
		{"many long picks", bot.Reply{Text: long, Picks: picks, Attribution: long}},
		{"long help", bot.Reply{Help: []bot.HelpEntry{{Usage: long, Summary: long}}}},
		{"long mention", bot.Reply{Mention: &bot.Mention{Work: bot.Work{Title: long, Credit: bot.Credit{Names: []string{"x"}}}, Sentence: long}, Attribution: long}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkLimits(t, render(tc.reply))
		})
	}
}

func TestEscape(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain words", "plain words"},
		{"*bold* and _it_", `\*bold\* and \_it\_`},
		{"[click](https://evil)", `\[click\](https://evil)`},
		{"a|b ~c~ `d` \\", "a\\|b \\~c\\~ \\`d\\` \\\\"},
		{"# heading\n> quote\n- item\n  - nested", "\\# heading\n\\> quote\n\\- item\n  \\- nested"},
		{"mid - dash # ok", "mid - dash # ok"},
		{"<@123> <#4> <t:1:R> <https://x>", `\<@123> \<#4> \<t:1:R> \<https://x>`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := escape(tc.in); got != tc.want {
				t.Errorf("escape(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if got := plain(escape(tc.in)); got != tc.in {
				t.Errorf("plain(escape(%q)) = %q, want the text back", tc.in, got)
			}
		})
	}
}

// TestTimes: a time in an answer is Discord's timestamp, which shows every
// reader the time in their own zone, and the text around it is escaped as
// ever.
func TestTimes(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 27, 18, 30, 0, 0, time.FixedZone("EST", -5*3600))
	r := bot.Reply{Private: true}
	r.Text = "The *next* is due " + r.Stamp(at) + "."
	want := fmt.Sprintf(`The \*next\* is due <t:%d:F> (<t:%d:R>).`, at.Unix(), at.Unix())
	if got := render(r)[0].Content; got != want {
		t.Errorf("content %q, want %q", got, want)
	}
}

func TestButtons(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		actions []bot.Action
		rows    []int // buttons per row
	}{
		{"none", nil, nil},
		{"two", []bot.Action{{Label: "Another", Command: bot.CmdRandom}, {Label: "Why?", Command: bot.CmdWhy, Arg: "heat"}}, []int{2}},
		{"seven", make7(), []int{5, 2}},
		{"a repeated id is dropped", []bot.Action{{Label: "Why?", Command: bot.CmdWhy, Arg: "heat"}, {Label: "Why again?", Command: bot.CmdWhy, Arg: "heat"}}, []int{1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows := buttons(tc.actions)
			var got []int
			for _, r := range rows {
				got = append(got, len(r.(discordgo.ActionsRow).Components))
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.rows) {
				t.Errorf("rows = %v, want %v", got, tc.rows)
			}
		})
	}
}

func make7() []bot.Action {
	var out []bot.Action
	for i := range 7 {
		out = append(out, bot.Action{Label: fmt.Sprint(i), Command: bot.CmdWhy, Arg: fmt.Sprint(i)})
	}
	return out
}

// TestLongAnswerContinuesInFollowups: over the wire, a commentary longer
// than one message is answered with the first part and followed up with
// the rest.
func TestLongAnswerContinuesInFollowups(t *testing.T) {
	t.Parallel()
	title := &bot.Title{Work: bot.Work{ID: "long", Title: "Long", Kind: bot.TV, Year: 2001, Credit: bot.Credit{Role: "creators", Names: []string{"A"}}}, Commentary: []string{prose(9000, "a")}}
	h := &recordingHandler{got: make(chan bot.Request, 1), reply: bot.Reply{Commentary: title, Attribution: "them"}}
	x := startGateway(t, harnessConfig{handler: h})
	i := x.f.Command((&channels{}).next(testGuild), "why", discordtest.String("title", "long"))
	first := decode(t, x.ask(t, i))
	if len(first.Data.Embeds) != 1 || first.Data.Embeds[0].Title != "Long" {
		t.Fatalf("first answer = %+v", first.Data)
	}
	err := x.f.Wait(waitCtx(t), func() bool { return len(x.f.Interaction(i.Token).Followups) == 1 })
	if err != nil {
		t.Fatalf("no follow-up: %v", err)
	}
	var rest messageData
	mustUnmarshal(t, x.f.Interaction(i.Token).Followups[0], &rest)
	if len(rest.Embeds) != 1 || rest.Embeds[0].Author == nil || rest.Embeds[0].Footer == nil {
		t.Errorf("follow-up = %+v, want the continuation with the attribution", rest)
	}
}

// TestEchoIsNoLink sends queries that try to make the echo "Picks for …"
// or an error a link, a mention or a reordered line, and reads the content
// Discord would show: none of it survives.
func TestEchoIsNoLink(t *testing.T) {
	t.Parallel()
	b := bottest.Bot(t)
	tests := []struct {
		name, query, want string
	}{
		{"URL", "tense https://evil.example/login", `https\[:\]//evil\[.\]example/login`},
		{"masked link", "tense [free](https://evil.example)", `\[free\](https\[:\]//evil\[.\]example)`},
		{"bare domain", "tense discord.gg/free", `discord\[.\]gg/free`},
		{"mention markup", "tense <@123> <t:1:R>", `\<@123> \<t:1:R>`},
		{"bidi override", "tense \u202eevil", "tense evil"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := b.Handle(t.Context(), bot.Request{Platform: bot.Discord, Channel: "c", Command: bot.CmdRecommend, Options: map[string]string{bot.OptQuery: tc.query}})
			content := render(r)[0].Content
			if !strings.Contains(content, tc.want) {
				t.Errorf("content %q, want it to contain %q", content, tc.want)
			}
			if strings.Contains(content, "://") || strings.ContainsRune(content, '\u202e') || strings.Contains(content, "](") && !strings.Contains(content, `\](`) {
				t.Errorf("content %q keeps a link or a bidi override", content)
			}
		})
	}
}

// TestSpellingNotes: /why keeps the article's spelling in the quote and
// says in the footer where it differs from the fact.
func TestSpellingNotes(t *testing.T) {
	c := bottest.Catalog(t)
	msgs := render(bot.Reply{Commentary: c.Pick("moneyball"), Attribution: c.Source.Attribution()})
	last := msgs[len(msgs)-1].Embeds
	footer := last[len(last)-1].Footer.Text
	for _, want := range []string{"— " + c.Source.Attribution(), "The article spells Brad Pitt “Bradd”.", "The article spells Philip Seymour Hoffman “Phillip”."} {
		if !strings.Contains(footer, want) {
			t.Errorf("footer %q lacks %q", footer, want)
		}
	}
	if !strings.Contains(msgs[0].Embeds[0].Description, "Bradd Pitt") {
		t.Error("the quote no longer holds the article's words")
	}
	msgs = render(bot.Reply{Commentary: c.Pick("the-social-network"), Attribution: c.Source.Attribution()})
	if f := msgs[0].Embeds[len(msgs[0].Embeds)-1].Footer.Text; strings.Contains(f, "spells") {
		t.Errorf("a commentary without misspellings has a note: %q", f)
	}
}

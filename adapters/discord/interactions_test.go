package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/industrybot/industrybot/adapters/discord/discordtest"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
	"github.com/industrybot/industrybot/bot/convtest"
)

// transports starts one adapter per transport, each on its own fake
// Discord: the same handler must answer the same way over both.
func transports(t *testing.T, hc harnessConfig) []struct {
	name string
	tr   transport
} {
	t.Helper()
	return []struct {
		name string
		tr   transport
	}{
		{"gateway", startGateway(t, hc)},
		{"http", startHTTP(t, hc)},
	}
}

// TestConversation plays the core's scripted conversation through Discord,
// in a server that installed the bot and in a group DM of a user who
// installed the app to their account, where the bot is no member and
// answers through the interactions alone: every answer must hold the same
// titles, privacy, buttons and words as on every other platform.
func TestConversation(t *testing.T) {
	t.Parallel()
	for _, x := range transports(t, harnessConfig{}) {
		t.Run(x.name, func(t *testing.T) {
			var chans channels
			for _, place := range []struct {
				name string
				c    discordtest.Caller
			}{
				{"server", chans.next(testGuild)},
				{"user-installed group DM", chans.groupDM()},
			} {
				t.Run(place.name, func(t *testing.T) {
					convtest.Run(t, func(t *testing.T, line string) convtest.Content {
						return say(t, x.tr, place.c, line).content()
					})
					if n := x.tr.fake().Attempts(place.c.ChannelID); n != 0 {
						t.Errorf("%d posts to the channel with the bot token, want none: answers go through the interaction", n)
					}
				})
			}
		})
	}
}

// exchange is one interaction and what its answer must be. The answer's
// JSON is compared with testdata/answers/<name>.json (go test -update
// rewrites them) and checked by check.
type exchange struct {
	name   string
	before []string // said first in the same channel
	make   func(f *discordtest.Server, c discordtest.Caller) *discordgo.Interaction
	check  func(t *testing.T, w wire)
}

func command(name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) func(*discordtest.Server, discordtest.Caller) *discordgo.Interaction {
	return func(f *discordtest.Server, c discordtest.Caller) *discordgo.Interaction {
		return f.Command(c, name, opts...)
	}
}

func button(id string) func(*discordtest.Server, discordtest.Caller) *discordgo.Interaction {
	return func(f *discordtest.Server, c discordtest.Caller) *discordgo.Interaction { return f.Button(c, id) }
}

func autocomplete(name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) func(*discordtest.Server, discordtest.Caller) *discordgo.Interaction {
	return func(f *discordtest.Server, c discordtest.Caller) *discordgo.Interaction {
		return f.Autocomplete(c, name, opts...)
	}
}

// isMessage checks a message answer: public or private, its embed titles
// and its buttons' labels and custom ids.
func isMessage(private bool, titles []string, buttons ...[2]string) func(t *testing.T, w wire) {
	return func(t *testing.T, w wire) {
		t.Helper()
		if w.Type != int(discordgo.InteractionResponseChannelMessageWithSource) || w.Data == nil {
			t.Fatalf("type = %d, want a message (4)", w.Type)
		}
		if got := w.private(); got != private {
			t.Errorf("private = %v, want %v", got, private)
		}
		if got := w.content().Titles; !slices.Equal(got, titles) {
			t.Errorf("titles = %q, want %q", got, titles)
		}
		var got [][2]string
		for _, b := range w.buttons() {
			got = append(got, [2]string{b.Label, b.CustomID})
		}
		if !slices.Equal(got, buttons) {
			t.Errorf("buttons = %q, want %q", got, buttons)
		}
		if w.Data.AllowedMentions == nil || w.Data.AllowedMentions.Parse == nil || len(w.Data.AllowedMentions.Parse) != 0 {
			t.Errorf("allowed_mentions = %+v, want parse: [] (no pings from echoed text)", w.Data.AllowedMentions)
		}
		for _, e := range w.Data.Embeds {
			if e.Title != "" && e.Footer == nil && w.Data.Embeds[len(w.Data.Embeds)-1] == e {
				t.Errorf("the last embed has no attribution footer")
			}
		}
	}
}

// contains checks the answer's text.
func contains(check func(*testing.T, wire), words ...string) func(t *testing.T, w wire) {
	return func(t *testing.T, w wire) {
		t.Helper()
		check(t, w)
		text := w.content().Text
		for _, s := range words {
			if !strings.Contains(text, s) {
				t.Errorf("text lacks %q\ntext: %s", s, text)
			}
		}
	}
}

// choices checks an autocomplete answer: how many choices, and the first.
func choices(min, max int, first ...string) func(t *testing.T, w wire) {
	return func(t *testing.T, w wire) {
		t.Helper()
		if w.Type != int(discordgo.InteractionApplicationCommandAutocompleteResult) || w.Data == nil {
			t.Fatalf("type = %d, want autocomplete results (8)", w.Type)
		}
		got := w.Data.Choices
		if len(got) < min || len(got) > max {
			t.Errorf("%d choices, want %d to %d", len(got), min, max)
		}
		for i, want := range first {
			if i >= len(got) || got[i].Name != want {
				t.Errorf("choice %d = %+v, want %q", i, got, want)
				break
			}
		}
		for _, c := range got {
			if units(c.Name) > maxChoiceName || c.Value == "" || len(c.Value) > 100 {
				t.Errorf("choice %+v breaks Discord's limits", c)
			}
		}
	}
}

func exchanges() []exchange {
	another := [2]string{"Another", "ib1:recommend::talky"}
	return []exchange{
		{name: "help", make: command("help"),
			check: contains(isMessage(true, nil), "/recommend [something tense | like Succession] [kind:film|tv]", "/why [title]", "Mickey Down and Konrad Kay")},
		{name: "recommend-talky", make: command("recommend", discordtest.String("query", "talky")),
			check: contains(isMessage(false, []string{"The Social Network", "Michael Clayton"}, another,
				[2]string{"Why The Social Network?", "ib1:why::the-social-network"}, [2]string{"Why Michael Clayton?", "ib1:why::michael-clayton"}),
				"Picks for “talky”", "Film · 2010 · directed by David Fincher", "Mickey Down and Konrad Kay")},
		{name: "recommend-british-comedy-tv", make: command("recommend", discordtest.String("query", "british comedy"), discordtest.String("kind", "tv")),
			check: isMessage(false, []string{"Peep Show", "Mad Men", "Girls"},
				[2]string{"Another", "ib1:recommend:tv:british comedy"}, [2]string{"Why Peep Show?", "ib1:why::peep-show"},
				[2]string{"Why Mad Men?", "ib1:why::mad-men"}, [2]string{"Why Girls?", "ib1:why::girls"})},
		{name: "recommend-miss", make: command("recommend", discordtest.String("query", "zzzz")),
			check: contains(isMessage(true, nil), "Nothing on the creators' list matches “zzzz”.")},
		{name: "why-heat", make: command("why", discordtest.String("title", "heat")),
			check: contains(isMessage(false, []string{"Heat"}), "Film · 1995 · directed by Michael Mann", "https://en.wikipedia.org/wiki/Heat_(1995_film)")},
		{name: "why-typo", make: command("why", discordtest.String("title", "social netwrok")),
			check: contains(isMessage(false, []string{"The Social Network"}), "Dialogue as competition")},
		{name: "why-mention", make: command("why", discordtest.String("title", "the sopranos")),
			check: contains(isMessage(false, []string{"The Sopranos"}, [2]string{"Why Mad Men?", "ib1:why::mad-men"}), "in passing")},
		{name: "why-introduction", make: command("why", discordtest.String("title", "succession")),
			check: contains(isMessage(false, []string{"Succession"}), "introduction")},
		{name: "why-suggestions", make: command("why", discordtest.String("title", "mad")),
			check: contains(isMessage(true, nil, [2]string{"Mad Men", "ib1:why::mad-men"}), "Did you mean Mad Men (2007–2015)?")},
		{name: "why-nothing-yet", make: command("why"),
			check: contains(isMessage(true, nil), "Nothing has been picked in this channel yet.")},
		{name: "why-last-pick", before: []string{"/recommend talky"}, make: command("why"),
			check: contains(isMessage(false, []string{"The Social Network"}), "More Sorkin.")},
		{name: "random-film", make: command("random", discordtest.String("kind", "film")),
			check: contains(isMessage(false, []string{"Moneyball"}, [2]string{"Another", "ib1:random:film:"}, [2]string{"Why?", "ib1:why::moneyball"}), "A random film")},
		{name: "button-another-recommend", before: []string{"/recommend"}, make: button("ib1:recommend::"),
			check: func(t *testing.T, w wire) {
				if b := w.buttons(); len(b) == 0 || b[0].Label != "Another" || b[0].CustomID != "ib1:recommend::" {
					t.Errorf("buttons = %+v, want Another again first", b)
				}
				if titles := w.content().Titles; len(titles) == 0 || slices.ContainsFunc(titles, func(s string) bool { return slices.Contains([]string{"Moneyball", "American Psycho", "Peep Show"}, s) }) {
					t.Errorf("Another showed %q again, want picks this channel has not seen", titles)
				}
			}},
		{name: "button-another-random", before: []string{"/random"}, make: button("ib1:random::"),
			check: func(t *testing.T, w wire) {
				if titles := w.content().Titles; len(titles) != 1 || titles[0] == "Michael Clayton" {
					t.Errorf("Another after Michael Clayton showed %q, want one other pick", titles)
				}
			}},
		{name: "button-why", make: button("ib1:why::heat"),
			check: contains(isMessage(false, []string{"Heat"}), "“The action is the juice” is also a great mantra for being on set.")},
		{name: "button-unknown", make: button("v0:something-old"),
			check: contains(isMessage(true, nil), "no longer works")},
		{name: "autocomplete-why-empty", make: autocomplete("why", discordtest.Focused("title", "")),
			check: choices(18, 25, "Moneyball (2011)")},
		{name: "autocomplete-why-prefix", make: autocomplete("why", discordtest.Focused("title", "pe")),
			check: choices(1, 25, "Peep Show (2003–2015)")},
		{name: "autocomplete-why-typo", make: autocomplete("why", discordtest.Focused("title", "social netwrok")),
			check: choices(1, 25, "The Social Network (2010)")},
		{name: "autocomplete-why-mention", make: autocomplete("why", discordtest.Focused("title", "sopr")),
			check: choices(1, 25, "The Sopranos (1999–2007) · mentioned in passing")},
		{name: "autocomplete-daily-timezone", make: autocomplete("daily", discordtest.Subcommand("subscribe", discordtest.String("time", "09:00"), discordtest.Focused("timezone", "lond"))),
			check: choices(1, 25, "Europe/London")},
		{name: "autocomplete-nothing-focused", make: autocomplete("why", discordtest.String("title", "heat")),
			check: choices(0, 0)},
	}
}

// TestAnswers asserts the JSON answering each command, button and
// autocomplete, over the gateway and over HTTP: the same bytes, held in
// testdata/answers. Each exchange has a bot of its own, so its random draws
// are the same whether it runs alone (-run) or after the others.
func TestAnswers(t *testing.T) {
	t.Parallel()
	var chans channels
	bots := &botPerChannel{bots: map[string]bot.Handler{}}
	for _, x := range transports(t, harnessConfig{handler: bots}) {
		t.Run(x.name, func(t *testing.T) {
			for _, ex := range exchanges() {
				t.Run(ex.name, func(t *testing.T) {
					c := chans.next(testGuild)
					bots.add(c.ChannelID, bottest.Bot(t))
					for _, line := range ex.before {
						say(t, x.tr, c, line)
					}
					got := x.tr.ask(t, ex.make(x.tr.fake(), c))
					golden(t, filepath.Join("testdata", "answers", ex.name+".json"), got)
					ex.check(t, decode(t, got))
				})
			}
		})
	}
}

// botPerChannel hands each channel's requests to the bot added for it.
type botPerChannel struct {
	mu   sync.Mutex
	bots map[string]bot.Handler
}

func (p *botPerChannel) add(channel string, h bot.Handler) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bots[channel] = h
}

func (p *botPerChannel) Handle(ctx context.Context, req bot.Request) bot.Reply {
	p.mu.Lock()
	h := p.bots[req.Channel]
	p.mu.Unlock()
	return h.Handle(ctx, req)
}

// golden compares JSON with a golden file, or rewrites it under -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, got, "", "  "); err != nil {
		t.Fatalf("not JSON: %s", got)
	}
	pretty.WriteByte('\n')
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("%s differs (go test -update rewrites it)\ngot:\n%s\nwant:\n%s", path, pretty.Bytes(), want)
	}
}

// recordingHandler records requests and answers with a fixed
// reply.
type recordingHandler struct {
	got   chan bot.Request
	reply bot.Reply
}

func (h *recordingHandler) Handle(_ context.Context, req bot.Request) bot.Reply {
	h.got <- req
	return h.reply
}

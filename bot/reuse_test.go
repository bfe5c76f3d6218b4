package bot_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

// TestReusedAnswers asks one bot every command of bottest.Asks twice,
// from two channels, and a fresh bot once: the second answer, reused,
// equals the fresh one; the channel that got it remembers what it shows;
// and only answers that are the same for everyone carry a Key.
func TestReusedAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	mem := bot.NewMemoryStore()
	reused := bottest.Bot(t, bottest.WithMemory(mem))
	for i, ask := range bottest.Asks(t) {
		t.Run(ask.String(), func(t *testing.T) {
			first := bot.Request{Platform: bot.Slack, Channel: "C-first", User: bot.User{ID: "U1"}, Command: ask.Command, Text: ask.Text}
			second := first
			second.Channel = "C" + string(rune('A'+i%26)) + ask.String()
			reused.Handle(ctx, first)
			got := reused.Handle(ctx, second)
			want := bottest.Bot(t).Handle(ctx, first)
			if got.Key == "" {
				if want.Key != "" {
					t.Fatalf("Key %q fresh, none reused", want.Key)
				}
				return // answered afresh each time: a free choice
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("reused:\n%+v\nfresh:\n%+v", got, want)
			}
			recent, err := mem.Recent(ctx, bot.ChannelKey{Platform: bot.Slack, Channel: second.Channel}, 10)
			if err != nil {
				t.Fatal(err)
			}
			var shown []string
			switch {
			case got.Commentary != nil:
				shown = []string{got.Commentary.ID}
			case got.Text != "" && got.Error == "" && len(got.Picks) > 0 && got.Actions[0].Label == "Another":
				for _, p := range got.Picks {
					shown = append(shown, p.Title.ID)
				}
			}
			slices.Sort(shown)
			slices.Sort(recent)
			if !slices.Equal(recent, shown) {
				t.Errorf("the channel of the reused answer remembers %q; want %q", recent, shown)
			}
		})
	}
}

// TestAnswersNotReused holds answers that depend on more than the command
// to no Key: Another, /random, /why of the channel's last pick, and a
// free choice.
func TestAnswersNotReused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := bottest.Bot(t)
	ask := func(command, text string, opts map[string]string) bot.Reply {
		return b.Handle(ctx, bot.Request{Platform: bot.Slack, Channel: "C1", User: bot.User{ID: "U1"}, Command: command, Text: text, Options: opts})
	}
	if r := ask(bot.CmdRecommend, "something tense", nil); r.Key == "" {
		t.Fatal("the first page of /recommend something tense has no Key")
	}
	for name, r := range map[string]bot.Reply{
		"Another":     ask(bot.CmdRecommend, "", map[string]string{bot.OptQuery: "something tense", bot.OptAnother: "1"}),
		"random":      ask(bot.CmdRandom, "", nil),
		"surprise me": ask(bot.CmdRecommend, "surprise me", nil),
		"/daily":      ask(bot.CmdDaily, "", nil),
		"unknown":     ask("nope", "", nil),
	} {
		if r.Key != "" {
			t.Errorf("%s: Key %q; want none", name, r.Key)
		}
	}
	if r := ask(bot.CmdWhy, "", nil); r.Key != bottest.Bot(t).Handle(ctx, bot.Request{Platform: bot.Slack, Channel: "C9", Command: bot.CmdWhy, Text: r.Commentary.ID}).Key {
		t.Errorf("/why of the last pick has Key %q, not that of /why of that pick", r.Key)
	}
}

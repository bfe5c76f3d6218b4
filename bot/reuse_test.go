package bot_test

import (
	"context"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

// TestReusedAnswers asks one bot every command of bottest.Asks twice,
// from two channels, and a fresh bot once: every reply with a Key equals
// every other reply with that Key, reused or fresh, and the channel that
// got a reused answer remembers what it shows.
func TestReusedAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	mem := bot.NewMemoryStore()
	reused := bottest.Bot(t, bottest.WithMemory(mem))
	byKey := map[string]bot.Reply{}
	for i, ask := range bottest.Asks(t) {
		first := bot.Request{Platform: bot.Slack, Channel: "C-first", User: bot.User{ID: "U1"}, Command: ask.Command, Text: ask.Text}
		second := first
		second.Channel = "C" + strconv.Itoa(i)
		reused.Handle(ctx, first)
		got := reused.Handle(ctx, second)
		fresh := bottest.Bot(t).Handle(ctx, first)
		for _, r := range []bot.Reply{got, fresh} {
			if r.Key == "" {
				continue // answered afresh each time: a free choice
			}
			if prev, ok := byKey[r.Key]; ok && !reflect.DeepEqual(prev, r) {
				t.Errorf("%s: two replies with Key %q:\n%+v\n%+v", ask, r.Key, prev, r)
			}
			byKey[r.Key] = r
		}
		recent, err := mem.Recent(ctx, bot.ChannelKey{Platform: bot.Slack, Channel: second.Channel}, 10)
		if err != nil {
			t.Fatal(err)
		}
		var shown []string
		switch {
		case got.Commentary != nil:
			shown = []string{got.Commentary.ID}
		case got.Error == "" && len(got.Picks) > 0 && got.Actions[0].Label == "Another":
			for _, p := range got.Picks {
				shown = append(shown, p.Title.ID)
			}
		}
		slices.Sort(shown)
		slices.Sort(recent)
		if !slices.Equal(recent, shown) {
			t.Errorf("%s: the channel of the second answer remembers %q; want %q", ask, recent, shown)
		}
	}
	if n := len(bottest.Catalog(t).Picks); len(byKey) < 2*n {
		t.Errorf("%d Keys; want at least %d, two for each pick (/why, /random)", len(byKey), 2*n)
	}
}

// TestAnswersNotReused holds answers that depend on more than the command
// to no Key, or to the Key of what they resolve to: Another, a free
// choice, /daily; /why of the channel's last pick has the Key of /why of
// that pick.
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

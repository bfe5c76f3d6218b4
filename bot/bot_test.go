package bot_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

// ask sends one chat line to b from channel C1.
func ask(t *testing.T, b bot.Handler, line string) bot.Reply {
	t.Helper()
	cmd, opts, err := bot.ParseCommand(line)
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	return b.Handle(context.Background(), bot.Request{Platform: bot.Console, Channel: "C1", Command: cmd, Options: opts})
}

func press(t *testing.T, b bot.Handler, a bot.Action) bot.Reply {
	t.Helper()
	req, err := bot.ParseAction(a.ID())
	if err != nil {
		t.Fatal(err)
	}
	req.Platform, req.Channel = bot.Console, "C1"
	return b.Handle(context.Background(), req)
}

func action(t *testing.T, r bot.Reply, label string) bot.Action {
	t.Helper()
	for _, a := range r.Actions {
		if a.Label == label {
			return a
		}
	}
	t.Fatalf("no %q button among %v", label, r.Actions)
	return bot.Action{}
}

func TestRecommendReply(t *testing.T) {
	b := bottest.Bot(t)
	r := ask(t, b, "/recommend new york")
	if r.Private || r.Error != "" || len(r.Picks) != 3 {
		t.Fatalf("got %+v, want three public picks", r)
	}
	if r.Text != "Picks for “new york”" {
		t.Errorf("lead = %q", r.Text)
	}
	if !strings.Contains(r.Attribution, "Mickey Down and Konrad Kay") || !strings.Contains(r.Attribution, "Inside 'Industry'") {
		t.Errorf("attribution = %q", r.Attribution)
	}
	var labels []string
	for _, a := range r.Actions {
		labels = append(labels, a.Label)
	}
	if want := []string{"Another", "Why American Psycho?", "Why Uncut Gems?", "Why James White?"}; !slices.Equal(labels, want) {
		t.Errorf("buttons = %v, want %v", labels, want)
	}
	// Another skips what the channel has seen, then starts over.
	r2 := press(t, b, action(t, r, "Another"))
	if slices.ContainsFunc(r2.Picks, func(p bot.Pick) bool { return slices.Contains(titles(r.Picks), p.Title.Title) }) {
		t.Errorf("Another repeated a pick: %v then %v", titles(r.Picks), titles(r2.Picks))
	}
	if len(r2.Picks) == 0 {
		t.Fatalf("Another found nothing: %+v", r2)
	}
	// Why? explains its pick.
	w := press(t, b, action(t, r, "Why Uncut Gems?"))
	if w.Commentary == nil || w.Commentary.ID != "uncut-gems" {
		t.Errorf("Why? gave %+v", w)
	}
}

// TestAnotherRunsOutOffersOthers: Another on a query whose matches the
// channel has all seen says so and offers picks it has not seen, never
// the same ones again; once the channel has seen the whole list, it
// offers /random.
func TestAnotherRunsOutOffersOthers(t *testing.T) {
	b := bottest.Bot(t)
	r := ask(t, b, "/recommend baseball")
	if len(r.Picks) != 1 {
		t.Fatalf("baseball: %v", titles(r.Picks))
	}
	seen := map[string]bool{"moneyball": true}
	for range 4 { // 12 picks, 3 at a time, after Moneyball: 4 presses see every other
		r2 := press(t, b, action(t, r, "Another"))
		if !strings.Contains(r2.Text, "This channel has seen every match for “baseball”") {
			t.Fatalf("got %q, want it to say every match was seen", r2.Text)
		}
		for _, p := range r2.Picks {
			if seen[p.Title.ID] {
				t.Errorf("%s shown again", p.Title.ID)
			}
			seen[p.Title.ID] = true
		}
		if len(r2.Picks) == 0 {
			break
		}
	}
	r3 := press(t, b, action(t, r, "Another"))
	if len(r3.Picks) != 0 || !strings.Contains(r3.Text, "/random") || len(r3.Actions) != 1 || r3.Actions[0].Command != bot.CmdRandom {
		t.Errorf("after the whole list: got %v %q %+v, want /random offered", titles(r3.Picks), r3.Text, r3.Actions)
	}
}

func TestWhyWithoutTitleExplainsTheLastPick(t *testing.T) {
	b := bottest.Bot(t)
	r := ask(t, b, "/why")
	if !r.Private || r.Error == "" {
		t.Errorf("nothing shown yet: got %+v, want a private error", r)
	}
	ask(t, b, "/recommend british comedy")
	r = ask(t, b, "/why")
	if r.Commentary == nil || r.Commentary.ID != "peep-show" {
		t.Errorf("got %+v, want the top pick Peep Show", r.Commentary)
	}
	ask(t, b, "/random film")
	last := ask(t, b, "/why")
	if last.Commentary == nil || last.Commentary.Kind != bot.Film {
		t.Errorf("after /random film, /why gave %+v", last.Commentary)
	}
}

func TestWhyReplies(t *testing.T) {
	b := bottest.Bot(t)
	r := ask(t, b, "/why heat")
	if r.Private || r.Commentary == nil || r.Commentary.ID != "heat" || r.Attribution == "" {
		t.Errorf("heat: %+v", r)
	}
	r = ask(t, b, "/why sopranos")
	if r.Mention == nil || r.MentionFrom == nil || r.MentionFrom.ID != "mad-men" || !strings.Contains(r.Text, "in passing") {
		t.Errorf("sopranos: %+v", r)
	}
	if a := action(t, r, "Why Mad Men?"); a.Arg != "mad-men" {
		t.Errorf("sopranos button: %+v", a)
	}
	r = ask(t, b, "/why succession")
	if r.Mention == nil || r.MentionFrom != nil || !strings.Contains(r.Attribution, "introduction") || strings.Contains(r.Attribution, "Konrad Kay") {
		t.Errorf("succession must be attributed to the article's introduction, not the creators: %+v", r)
	}
	r = ask(t, b, "/why mad")
	if !r.Private || len(r.Suggestions) != 1 || r.Suggestions[0].ID != "mad-men" || !strings.Contains(r.Error, "“mad”") {
		t.Errorf("mad: %+v", r)
	}
	r = ask(t, b, "/why zzzz qqqq")
	if !r.Private || len(r.Suggestions) != 0 || !strings.Contains(r.Text, "Moneyball") {
		t.Errorf("zzzz qqqq: got %+v, want the titles listed", r)
	}
	// A title the bot knows but the creators did not name: said so, with
	// the closest picks and the bot's reason, never in the creators' name.
	r = ask(t, b, "/why the wire")
	if r.Private || len(r.Picks) == 0 || !strings.Contains(r.Text, "not on the creators' list") || !strings.Contains(r.Text, "industrybot's view") {
		t.Errorf("the wire: got %+v, want it said to be off the list, with the closest picks", r)
	}
	for _, p := range r.Picks {
		if len(p.Reasons) == 0 || !strings.HasPrefix(p.Reasons[0], "like The Wire: ") {
			t.Errorf("the wire: %s gives reasons %q, want the bot's reason", p.Title.Title, p.Reasons)
		}
	}
}

func TestMissesAreNeverDeadEnds(t *testing.T) {
	b := bottest.Bot(t)
	r := ask(t, b, "/recommend zzzz")
	if !r.Private || r.Error == "" || !strings.Contains(r.Text, "like Succession") {
		t.Errorf("got %+v, want a private miss with ideas", r)
	}
	r = b.Handle(context.Background(), bot.Request{Command: "recommend", Options: map[string]string{"kind": "book"}})
	if !r.Private || !strings.Contains(r.Error, "film or tv") {
		t.Errorf("bad kind: %+v", r)
	}
	r = b.Handle(context.Background(), bot.Request{Command: "dance"})
	if !r.Private || !strings.Contains(r.Error, "/help") {
		t.Errorf("unknown command: %+v", r)
	}
	r = ask(t, b, "/help")
	if !r.Private || len(r.Help) < 4 {
		t.Errorf("help: %+v", r)
	}
}

func TestRandomRotationPerChannel(t *testing.T) {
	mem := bot.NewMemoryStore()
	b := bottest.Bot(t, bottest.WithMemory(mem))
	seen := map[string]bool{}
	for i := range 12 {
		r := ask(t, b, "/random")
		if len(r.Picks) != 1 {
			t.Fatalf("draw %d: %+v", i, r)
		}
		id := r.Picks[0].Title.ID
		if seen[id] {
			t.Fatalf("draw %d repeated %s before all 12 were shown", i, id)
		}
		seen[id] = true
	}
	r := ask(t, b, "/random")
	if !strings.Contains(r.Text, "starts over") {
		t.Errorf("13th draw: lead %q, want the restart said", r.Text)
	}
	// The new round deals again without repeats.
	round := map[string]bool{r.Picks[0].Title.ID: true}
	for i := range 11 {
		id := ask(t, b, "/random").Picks[0].Title.ID
		if round[id] {
			t.Fatalf("round two, draw %d repeated %s", i, id)
		}
		round[id] = true
	}
	// Another channel has its own rotation.
	other := b.Handle(context.Background(), bot.Request{Platform: bot.Console, Channel: "C2", Command: "random"})
	if strings.Contains(other.Text, "starts over") {
		t.Error("a fresh channel started over")
	}
}

// brokenMemory fails every call, as a store that lost its database would.
type brokenMemory struct{}

func (brokenMemory) Remember(context.Context, bot.ChannelKey, []string) error {
	return errors.New("disk on fire")
}
func (brokenMemory) Recent(context.Context, bot.ChannelKey, int) ([]string, error) {
	return nil, errors.New("disk on fire")
}
func (brokenMemory) Restart(context.Context, bot.ChannelKey) error { return errors.New("disk on fire") }

func TestStoreFailureStillAnswersAndLogs(t *testing.T) {
	var logs bytes.Buffer
	b := bot.New(bot.Config{Engine: bottest.Engine(t), Memory: brokenMemory{}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	r := ask(t, b, "/recommend raw")
	if len(r.Picks) == 0 || r.Error != "" {
		t.Errorf("got %+v, want picks despite the store", r)
	}
	if !strings.Contains(logs.String(), "disk on fire") {
		t.Errorf("the failure was not logged: %q", logs.String())
	}
}

// panicMemory panics, standing in for a bug.
type panicMemory struct{ brokenMemory }

func (panicMemory) Recent(context.Context, bot.ChannelKey, int) ([]string, error) { panic("boom") }

func TestPanicIsRecovered(t *testing.T) {
	var logs bytes.Buffer
	b := bot.New(bot.Config{Engine: bottest.Engine(t), Memory: panicMemory{}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	r := ask(t, b, "/random")
	if !r.Private || r.Error == "" {
		t.Errorf("got %+v, want a private apology", r)
	}
	if !strings.Contains(logs.String(), "boom") {
		t.Errorf("panic not logged: %q", logs.String())
	}
}

// TestNoChannelNoMemory: requests the platform named no channel for share
// no memory: /why without a title says there is none, and nothing they are
// shown is remembered under the empty channel.
func TestNoChannelNoMemory(t *testing.T) {
	mem := bot.NewMemoryStore()
	b := bottest.Bot(t, bottest.WithMemory(mem))
	ctx := context.Background()
	req := func(cmd string, opts map[string]string) bot.Request {
		return bot.Request{Platform: bot.Discord, Command: cmd, Options: opts}
	}
	if r := b.Handle(ctx, req(bot.CmdRecommend, map[string]string{bot.OptQuery: "talky"})); len(r.Picks) == 0 {
		t.Fatalf("/recommend talky without a channel: %+v, want picks all the same", r)
	}
	if r := b.Handle(ctx, req(bot.CmdWhy, map[string]string{})); !r.Private || !strings.Contains(r.Error, "no channel") {
		t.Errorf("/why without a channel: %+v, want a private refusal saying so", r)
	}
	if r := b.Handle(ctx, req(bot.CmdWhy, map[string]string{bot.OptTitle: "heat"})); r.Commentary == nil {
		t.Errorf("/why heat without a channel: %+v, want the commentary", r)
	}
	if ids, err := mem.Recent(ctx, bot.ChannelKey{Platform: bot.Discord}, 10); err != nil || len(ids) != 0 {
		t.Errorf("remembered under the empty channel: %q, %v", ids, err)
	}
}

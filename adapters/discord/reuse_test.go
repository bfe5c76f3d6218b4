package discord

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

// TestReusedAnswersAreByteIdentical asks every command of bottest.Asks
// twice, from two channels: the second answer, which the adapter reuses
// when its reply has a Key, is byte for byte the reply rendered afresh.
func TestReusedAnswersAreByteIdentical(t *testing.T) {
	t.Parallel()
	h := bottest.NewLast(bottest.Bot(t))
	tr := startHTTP(t, harnessConfig{handler: h})
	var ch channels
	keys := map[string]bool{}
	for _, ask := range bottest.Asks(t) {
		line := ask.String()
		cmd, opts, err := bot.ParseCommand(line)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		var answer json.RawMessage
		for range 2 {
			answer = tr.ask(t, tr.fake().Command(ch.next(testGuild), cmd, options(opts)...))
			if r := h.Reply(); r.Key != "" && len(render(r)) == 1 {
				keys[r.Key] = true
			}
		}
		r := h.Reply()
		msgs := render(r)
		if len(msgs) > 1 {
			continue // followed up: nothing is kept
		}
		fresh, err := json.Marshal(&response{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: msgs[0].data()})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(answer, fresh) {
			t.Errorf("%s (Key %q): answered\n%s\nrendered afresh\n%s", line, r.Key, answer, fresh)
		}
	}
	if n := len(bottest.Catalog(t).Picks); len(keys) < n {
		t.Errorf("%d replies with a Key; want at least one for each of the %d picks", len(keys), n)
	}
	if got := tr.a.answers.Len(); got != len(keys) {
		t.Errorf("%d answers kept; want one for each of the %d keys", got, len(keys))
	}
}

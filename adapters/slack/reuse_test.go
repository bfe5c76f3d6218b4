package slack_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/adapters/slack/slacktest"
	"github.com/industrybot/industrybot/bot/bottest"
)

// TestReusedAnswersAreByteIdentical asks every command of bottest.Asks
// twice, from two channels: the second answer, which the adapter reuses
// when its reply has a Key, is byte for byte the reply rendered afresh.
func TestReusedAnswersAreByteIdentical(t *testing.T) {
	t.Parallel()
	h := bottest.NewLast(bottest.Bot(t))
	rig := newHTTPRig(t, h)
	keys := map[string]bool{}
	for _, ask := range bottest.Asks(t) {
		line := "/" + ask.Command + " " + ask.Text
		var bodies [][]byte
		for _, channel := range []string{"C1", "C2"} {
			c := slashCommand(line)
			c.ChannelID = channel
			c.ResponseURL = rig.fake.ResponseURL()
			status, body := rig.post(t, slack.CommandsPath, []byte(slacktest.CommandForm(c).Encode()))
			if status != http.StatusOK {
				t.Fatalf("%s: status %d: %s", line, status, body)
			}
			bodies = append(bodies, body)
			if r := h.Reply(); r.Key != "" && len(slack.Messages(r)) == 1 {
				keys[r.Key] = true
			}
		}
		r := h.Reply()
		fresh, err := json.Marshal(slack.Render(r))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(bodies[1], fresh) {
			t.Errorf("%s (Key %q): answered\n%s\nrendered afresh\n%s", line, r.Key, bodies[1], fresh)
		}
	}
	if n := len(bottest.Catalog(t).Picks); len(keys) < n {
		t.Errorf("%d replies with a Key; want at least one for each of the %d picks", len(keys), n)
	}
	if got := slack.AnswersKept(rig.a); got != len(keys) {
		t.Errorf("%d answers kept; want one for each of the %d keys", got, len(keys))
	}
}

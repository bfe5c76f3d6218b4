package discord

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

// TestAnotherReplacesItsAnswer: a press of "Another" on an answer is
// answered in place of that answer (type 7, UPDATE_MESSAGE), as on Slack;
// "Why?", a press on a daily post and a private answer post a message of
// their own (type 4). Every field of a replacement is sent, since Discord
// keeps those an update leaves out.
func TestAnotherReplacesItsAnswer(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	tests := []struct {
		name    string
		id      string
		before  string
		want    discordgo.InteractionResponseType
		private bool
	}{
		{"Another on picks", "ib1:recommend::talky", "/recommend talky", discordgo.InteractionResponseUpdateMessage, false},
		{"Another on a random pick", "ib1:random:film:", "/random film", discordgo.InteractionResponseUpdateMessage, false},
		{"Why?", "ib1:why::heat", "/recommend", discordgo.InteractionResponseChannelMessageWithSource, false},
		{"Another on a daily post", "ib1:random+::", "", discordgo.InteractionResponseChannelMessageWithSource, false},
		{"Another answered privately", "ib1:recommend::zzzz", "", discordgo.InteractionResponseChannelMessageWithSource, true},
	}
	for _, x := range transports(t, harnessConfig{logs: logs}) {
		t.Run(x.name, func(t *testing.T) {
			var chans channels
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					c := chans.next(testGuild)
					if tc.before != "" {
						say(t, x.tr, c, tc.before)
					}
					got := x.tr.ask(t, x.tr.fake().Button(c, tc.id))
					w := decode(t, got)
					if w.Type != int(tc.want) || w.Data == nil || len(w.Data.Embeds) == 0 && !tc.private {
						t.Fatalf("answer = %s, want type %d with embeds", got, tc.want)
					}
					if w.private() != tc.private {
						t.Errorf("private = %v, want %v", w.private(), tc.private)
					}
					if tc.want == discordgo.InteractionResponseUpdateMessage {
						mustHaveFields(t, got, "content", "embeds", "components")
					}
				})
			}
		})
	}
	if strings.Contains(logs.String(), "failed") {
		t.Errorf("an answer failed:\n%s", logs.String())
	}
}

// mustHaveFields checks that a message body names each field, even empty.
func mustHaveFields(t *testing.T, body []byte, fields ...string) {
	t.Helper()
	var m struct {
		Data map[string]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	if m.Data == nil { // an edit's body is the message itself
		if err := json.Unmarshal(body, &m.Data); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
	}
	for _, f := range fields {
		if _, ok := m.Data[f]; !ok {
			t.Errorf("%s lacks %q: the old message's would stay", body, f)
		}
	}
}

package discord

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/industrybot/industrybot/adapters/discord/discordtest"
	"github.com/industrybot/industrybot/bot"
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

// TestSlowAnotherDefersAnUpdate: a slow answer to "Another" is deferred as
// an update (type 6: Discord shows the button busy, and no "thinking…"
// message), then edited into the message the button is on; a private
// answer then follows that message instead, which stays.
func TestSlowAnotherDefersAnUpdate(t *testing.T) {
	t.Parallel()
	replacement := bot.Reply{Text: "Another pick", Actions: []bot.Action{{Label: "Another", Command: bot.CmdRandom, Effect: bot.ReplaceMessage}}, Replace: true}
	private := bot.Reply{Private: true, Error: "No."}
	for _, tc := range []struct {
		name  string
		reply bot.Reply
	}{{"replacement", replacement}, {"private", private}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := &slowHandler{release: make(chan struct{}), reply: tc.reply}
			for _, x := range transports(t, harnessConfig{handler: h, deferAfter: 1}) {
				t.Run(x.name, func(t *testing.T) {
					f := x.tr.fake()
					i := f.Button((&channels{}).next(testGuild), "ib1:random::")
					first := decode(t, x.tr.ask(t, i))
					if first.Type != int(discordgo.InteractionResponseDeferredMessageUpdate) || first.Data != nil {
						t.Fatalf("first answer = %+v, want a bare deferred update (type 6)", first)
					}
					h.release <- struct{}{}
					var l discordtest.InteractionLog
					err := f.Wait(waitCtx(t), func() bool {
						l = f.Interaction(i.Token)
						return len(l.Edits) > 0 || len(l.Followups) > 0
					})
					if err != nil {
						t.Fatalf("no answer after the deferral: %v", err)
					}
					if l.Deleted {
						t.Errorf("the message the button is on was deleted")
					}
					var got messageData
					switch {
					case tc.reply.Private:
						if len(l.Edits) != 0 || len(l.Followups) != 1 {
							t.Fatalf("log = %+v, want one follow-up and no edit", l)
						}
						mustUnmarshal(t, l.Followups[0], &got)
						if got.Flags != discordgo.MessageFlagsEphemeral {
							t.Errorf("follow-up flags = %d, want ephemeral", got.Flags)
						}
					default:
						if len(l.Edits) != 1 || len(l.Followups) != 0 {
							t.Fatalf("log = %+v, want one edit of the button's message", l)
						}
						mustHaveFields(t, l.Edits[0], "content", "embeds", "components")
						mustUnmarshal(t, l.Edits[0], &got)
					}
					want := render(tc.reply)[0]
					if got.Content != want.Content || len(got.Embeds) != len(want.Embeds) {
						t.Errorf("answer = %+v, want %+v", got, want)
					}
				})
			}
		})
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

package discord

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/industrybot/industrybot/adapters/discord/discordtest"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

// slowHandler answers only when released: a command slower than
// Discord's 3 seconds, without waiting 3 seconds.
type slowHandler struct {
	release chan struct{}
	reply   bot.Reply
}

func (h *slowHandler) Handle(ctx context.Context, _ bot.Request) bot.Reply {
	select {
	case <-h.release:
	case <-ctx.Done():
	}
	return h.reply
}

type panicHandler struct{}

func (panicHandler) Handle(context.Context, bot.Request) bot.Reply { panic("boom") }

// TestSlowAnswersAreDeferred: a command that cannot answer in time is
// acknowledged with a deferral (type 5) and its answer then replaces the
// "thinking…" message; a private answer replaces it with an ephemeral
// follow-up instead, since a deferral's visibility cannot change. A slow
// "Another" is deferred as an update (type 6: the button shows busy, and
// no "thinking…" message), then edited into the message the button is on,
// every field sent; a private answer then follows that message, which
// stays.
func TestSlowAnswersAreDeferred(t *testing.T) {
	t.Parallel()
	public := bot.Reply{Text: "A random pick", Picks: []bot.Pick{{Title: bottest.Catalog(t).Pick("heat"), Excerpt: "…"}}, Attribution: "them"}
	private := bot.Reply{Private: true, Error: "No."}
	replacement := public
	replacement.Actions, replacement.Replace = []bot.Action{{Label: "Another", Command: bot.CmdRandom, Effect: bot.ReplaceMessage}}, true
	for _, tc := range []struct {
		name     string
		press    string // the button pressed; "" sends /random
		reply    bot.Reply
		deferral discordgo.InteractionResponseType
	}{
		{"public", "", public, discordgo.InteractionResponseDeferredChannelMessageWithSource},
		{"private", "", private, discordgo.InteractionResponseDeferredChannelMessageWithSource},
		{"Another", "ib1:random::", replacement, discordgo.InteractionResponseDeferredMessageUpdate},
		{"Another answered privately", "ib1:random::", private, discordgo.InteractionResponseDeferredMessageUpdate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := &slowHandler{release: make(chan struct{}), reply: tc.reply}
			for _, x := range transports(t, harnessConfig{handler: h, deferAfter: 1}) {
				t.Run(x.name, func(t *testing.T) {
					f := x.tr.fake()
					c := (&channels{}).next(testGuild)
					i := f.Command(c, "random")
					if tc.press != "" {
						i = f.Button(c, tc.press)
					}
					first := decode(t, x.tr.ask(t, i))
					if first.Type != int(tc.deferral) || first.Data != nil {
						t.Fatalf("first answer = %+v, want a bare deferral (type %d)", first, tc.deferral)
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
					want := render(tc.reply)[0].data()
					var got messageData
					switch {
					case tc.reply.Private:
						// Deleted: the "thinking…" message, never the message a
						// button is on.
						if deleted := tc.press == ""; l.Deleted != deleted || len(l.Edits) != 0 || len(l.Followups) != 1 {
							t.Fatalf("log = %+v, want one follow-up, the deferral deleted: %v", l, deleted)
						}
						mustUnmarshal(t, l.Followups[0], &got)
						if got.Flags != discordgo.MessageFlagsEphemeral {
							t.Errorf("follow-up flags = %d, want ephemeral", got.Flags)
						}
					default:
						if l.Deleted || len(l.Edits) != 1 || len(l.Followups) != 0 {
							t.Fatalf("log = %+v, want one edit of the deferral", l)
						}
						mustHaveFields(t, l.Edits[0], "content", "embeds", "components")
						mustUnmarshal(t, l.Edits[0], &got)
						want.Flags = 0
					}
					if got.Content != want.Content || len(got.Embeds) != len(want.Embeds) || len(got.Components) != len(want.Components) {
						t.Errorf("deferred answer = %+v, want %+v", got, want)
					}
					if l.Authorization {
						t.Errorf("a webhook call carried an Authorization header: interaction tokens need none")
					}
					if len(l.Callbacks) > 1 {
						t.Errorf("%d callbacks, want one", len(l.Callbacks))
					}
				})
			}
		})
	}
}

// mustUnmarshal reads back a message the adapter sent: components are read as
// raw JSON, since discordgo cannot unmarshal its component interface.
func mustUnmarshal(t *testing.T, b []byte, v *messageData) {
	t.Helper()
	var m struct {
		Content    string                    `json:"content"`
		Embeds     []*discordgo.MessageEmbed `json:"embeds"`
		Components []json.RawMessage         `json:"components"`
		Flags      discordgo.MessageFlags    `json:"flags"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	*v = messageData{Content: m.Content, Embeds: m.Embeds, Flags: m.Flags}
	for range m.Components {
		v.Components = append(v.Components, discordgo.ActionsRow{})
	}
}

// TestPanicsAreAnsweredPrivately: a panic in the handler, or in
// autocomplete, is recovered and answered, and the adapter goes on.
func TestPanicsAreAnsweredPrivately(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	for _, x := range transports(t, harnessConfig{handler: panicHandler{}, logs: logs}) {
		t.Run(x.name, func(t *testing.T) {
			c := (&channels{}).next(testGuild)
			for range 2 { // the adapter survives the first
				w := decode(t, x.tr.ask(t, x.tr.fake().Command(c, "help")))
				if !w.private() || !strings.Contains(w.Data.Content, "Something went wrong") {
					t.Errorf("answer = %+v, want a private apology", w.Data)
				}
			}
		})
	}
	if !strings.Contains(logs.String(), "boom") {
		t.Errorf("the panic was not logged:\n%s", logs.String())
	}
}

// slowPanicHandler panics once released: a command that fails after its
// answer was deferred.
type slowPanicHandler struct{ release chan struct{} }

func (h slowPanicHandler) Handle(context.Context, bot.Request) bot.Reply {
	<-h.release
	panic("boom")
}

// TestPanicAfterDeferralIsAnsweredPrivately: a command that panics after
// its answer was deferred has the "thinking…" message removed and the
// apology sent privately in its place.
func TestPanicAfterDeferralIsAnsweredPrivately(t *testing.T) {
	t.Parallel()
	h := slowPanicHandler{release: make(chan struct{})}
	for _, x := range transports(t, harnessConfig{handler: h, deferAfter: 1}) {
		t.Run(x.name, func(t *testing.T) {
			f := x.tr.fake()
			i := f.Command((&channels{}).next(testGuild), "random")
			if first := decode(t, x.tr.ask(t, i)); first.Type != int(discordgo.InteractionResponseDeferredChannelMessageWithSource) {
				t.Fatalf("first answer = %+v, want a deferral (type 5)", first)
			}
			h.release <- struct{}{}
			var l discordtest.InteractionLog
			err := f.Wait(waitCtx(t), func() bool {
				l = f.Interaction(i.Token)
				return len(l.Followups) > 0
			})
			if err != nil {
				t.Fatalf("no apology after the deferral: %v", err)
			}
			var got messageData
			mustUnmarshal(t, l.Followups[0], &got)
			if !l.Deleted || len(l.Edits) != 0 || got.Flags != discordgo.MessageFlagsEphemeral || !strings.Contains(got.Content, "Something went wrong") {
				t.Errorf("log = %+v, follow-up %+v; want the deferral deleted and a private apology", l, got)
			}
		})
	}
}

func TestAutocompletePanicAnswersNoChoices(t *testing.T) {
	t.Parallel()
	h := startHTTP(t, harnessConfig{})
	h.a.choices = func(bot.Completion, string, int) []bot.Choice { panic("boom") }
	w := decode(t, h.ask(t, h.f.Autocomplete((&channels{}).next(testGuild), "why", discordtest.Focused("title", "he"))))
	if w.Type != int(discordgo.InteractionApplicationCommandAutocompleteResult) || w.Data == nil || w.Data.Choices == nil || len(w.Data.Choices) != 0 {
		t.Errorf("answer = %+v, want autocomplete results with no choices", w)
	}
}

// TestRequests checks what reaches the core: the command, its options as
// text (a boolean as "true" or "false", a role as its id), the channel,
// whether the user may manage the daily pick, which Discord tells from the
// member's permissions in the channel, and what the bot may not do there,
// which it tells from where the app is installed and from the app's
// permissions (app_permissions) and the roles the options name
// (data.resolved.roles).
func TestRequests(t *testing.T) {
	t.Parallel()
	h := &recordingHandler{got: make(chan bot.Request, 1), reply: bot.Reply{Private: true, Error: "recorded"}}
	x := startHTTP(t, harnessConfig{handler: h})
	member := func(perms int64) discordtest.Caller {
		c := (&channels{}).next(testGuild)
		c.Permissions = perms
		return c
	}
	dm := discordtest.Caller{ChannelID: "600000000000000001", UserID: "900000000000000007", Username: "dee"}
	subscribe := discordtest.Subcommand("subscribe", discordtest.String("time", "07:30"), discordtest.String("timezone", "Europe/Paris"))
	admin := member(discordgo.PermissionManageGuild)
	threads := admin
	threads.AppPermissions = discordtest.InviteGrants | discordgo.PermissionCreatePublicThreads | discordgo.PermissionSendMessagesInThreads
	mentioner := admin
	mentioner.AppPermissions = discordtest.InviteGrants | discordgo.PermissionMentionEveryone
	mentionable, locked := x.f.AddRole(testGuild, "film-club", true), x.f.AddRole(testGuild, "mods", false)
	userInstalled := member(0)
	userInstalled.UserInstall = true
	withThread := func(thread bool) *discordgo.ApplicationCommandInteractionDataOption {
		return discordtest.Subcommand("subscribe", discordtest.String("days", "mon,wed,fri"), discordtest.Bool("thread", thread))
	}
	withRole := func(id string) *discordgo.ApplicationCommandInteractionDataOption {
		return discordtest.Subcommand("subscribe", discordtest.Role("mention", id))
	}
	// limits are what the request must say the bot may not do: NoPost,
	// NoThread, NoMention set.
	type limits struct{ post, thread, mention bool }
	tests := []struct {
		name   string
		caller discordtest.Caller
		make   func(f *discordtest.Server, c discordtest.Caller) *discordgo.Interaction
		want   bot.Request
		limits limits
	}{
		{"recommend", member(0), command("recommend", discordtest.String("query", " talky "), discordtest.String("kind", "tv")),
			bot.Request{Command: "recommend", Options: map[string]string{"query": "talky", "kind": "tv"}}, limits{}},
		{"daily subscribe by a server manager", member(discordgo.PermissionManageGuild), command("daily", subscribe),
			bot.Request{Command: "daily", User: bot.User{Admin: true}, Options: map[string]string{"action": "subscribe", "time": "07:30", "timezone": "Europe/Paris"}}, limits{}},
		{"daily status by an administrator", member(discordgo.PermissionAdministrator), command("daily", discordtest.Subcommand("status")),
			bot.Request{Command: "daily", User: bot.User{Admin: true}, Options: map[string]string{"action": "status"}}, limits{}},
		{"daily skip by a member", member(discordgo.PermissionSendMessages | discordgo.PermissionManageMessages), command("daily", discordtest.Subcommand("skip")),
			bot.Request{Command: "daily", Options: map[string]string{"action": "skip"}}, limits{}},
		{"daily in a DM", dm, command("daily", discordtest.Subcommand("unsubscribe")),
			bot.Request{Command: "daily", Options: map[string]string{"action": "unsubscribe"}}, limits{}},
		{"Another", member(0), button("ib1:recommend:film:heist"),
			bot.Request{Command: "recommend", Options: map[string]string{"query": "heist", "kind": "film", "another": "1"}}, limits{}},
		{"daily subscribe with days and a thread, which the bot may not open", admin, command("daily", withThread(true)),
			bot.Request{Command: "daily", User: bot.User{Admin: true}, Options: map[string]string{"action": "subscribe", "days": "mon,wed,fri", "thread": "true"}}, limits{thread: true}},
		{"daily subscribe with a thread the bot may open", threads, command("daily", withThread(true)),
			bot.Request{Command: "daily", User: bot.User{Admin: true}, Options: map[string]string{"action": "subscribe", "days": "mon,wed,fri", "thread": "true"}}, limits{}},
		{"daily subscribe without a thread", admin, command("daily", withThread(false)),
			bot.Request{Command: "daily", User: bot.User{Admin: true}, Options: map[string]string{"action": "subscribe", "days": "mon,wed,fri", "thread": "false"}}, limits{}},
		{"daily subscribe mentioning a mentionable role", admin, command("daily", withRole(mentionable.ID)),
			bot.Request{Command: "daily", User: bot.User{Admin: true}, Options: map[string]string{"action": "subscribe", "mention": mentionable.ID}}, limits{}},
		{"daily subscribe mentioning a role only Mention Everyone may", admin, command("daily", withRole(locked.ID)),
			bot.Request{Command: "daily", User: bot.User{Admin: true}, Options: map[string]string{"action": "subscribe", "mention": locked.ID}}, limits{mention: true}},
		{"daily subscribe mentioning it with Mention Everyone", mentioner, command("daily", withRole(locked.ID)),
			bot.Request{Command: "daily", User: bot.User{Admin: true}, Options: map[string]string{"action": "subscribe", "mention": locked.ID}}, limits{}},
		{"daily subscribe mentioning a role Discord did not resolve", admin, command("daily", withRole("123")),
			bot.Request{Command: "daily", User: bot.User{Admin: true}, Options: map[string]string{"action": "subscribe", "mention": "123"}}, limits{mention: true}},
		{"a user-installed group DM", (&channels{}).groupDM(), command("random"),
			bot.Request{Command: "random", Options: map[string]string{}}, limits{post: true}},
		{"a server that only a user installed the app in", userInstalled, command("random"),
			bot.Request{Command: "random", Options: map[string]string{}}, limits{post: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x.ask(t, tc.make(x.f, tc.caller))
			got := <-h.got
			want := tc.want
			want.Platform, want.Channel = bot.Discord, tc.caller.ChannelID
			want.User.ID, want.User.Name = tc.caller.UserID, tc.caller.Username
			if got.Platform != want.Platform || got.Channel != want.Channel || got.User != want.User || got.Command != want.Command || !equalOptions(got.Options, want.Options) {
				t.Errorf("request = %+v, want %+v", got, want)
			}
			if l := (limits{got.NoPost != "", got.NoThread != "", got.NoMention != ""}); l != tc.limits {
				t.Errorf("NoPost %q, NoThread %q, NoMention %q; want set: %+v", got.NoPost, got.NoThread, got.NoMention, tc.limits)
			}
		})
	}
}

func equalOptions(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/industrybot/industrybot/adapters/discord/discordtest"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

// conformanceDir holds public sample payloads from Discord's docs and SDK
// test suites, beside the repository (../shared/conformance from its
// root; see its SOURCES.md). They are others' data: the tests read them
// where they lie, and skip when they are not there.
var conformanceDir = filepath.Join("..", "..", "..", "shared", "conformance")

// sample reads a sample payload, with the // comments of a .jsonc file
// removed; it skips the test when the samples are absent.
func sample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(conformanceDir, name))
	if os.IsNotExist(err) {
		t.Skipf("no %s: the conformance samples are not beside the repository", name)
	}
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(name, ".jsonc") {
		b = stripComments(b)
	}
	if !json.Valid(b) {
		t.Fatalf("%s is not JSON", name)
	}
	return b
}

// stripComments removes // comments outside strings.
func stripComments(b []byte) []byte {
	var out []byte
	inString, escaped := false, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case inString:
			escaped = c == '\\' && !escaped
			if c == '"' && !escaped {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '/' && i+1 < len(b) && b[i+1] == '/':
			for i < len(b) && b[i] != '\n' {
				i++
			}
			if i < len(b) {
				out = append(out, '\n')
			}
			continue
		}
		out = append(out, c)
	}
	return out
}

// recordingBot answers with the real bot and records each request.
type recordingBot struct {
	h   bot.Handler
	got chan bot.Request
}

func newRecordingBot(t *testing.T) *recordingBot {
	return &recordingBot{h: bottest.Bot(t), got: make(chan bot.Request, 16)}
}

func (r *recordingBot) Handle(ctx context.Context, req bot.Request) bot.Reply {
	r.got <- req
	return r.h.Handle(ctx, req)
}

// TestConformanceSamples replays the interactions of Discord's docs and of
// hikari's test suite, over HTTP and over the gateway: each is answered
// as its type asks (a pong, choices, a private answer to a command or a
// button the bot does not have), however much of it discordgo cannot
// decode (hikari's hold a component type no SDK knows, flags as a string,
// a numeric emoji id), and the channel is read from the channel object
// when there is one, else from channel_id.
func TestConformanceSamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file   string
		answer discordgo.InteractionResponseType
		words  string // in the answer's text
		// channel is the interaction's, as read; core is whether the
		// request reaches the core (a button the bot did not make is
		// answered before).
		channel string
		core    bool
	}{
		{"discord-docs/slash-command-interaction.json", discordgo.InteractionResponseChannelMessageWithSource, "Unknown command “/cardsearch”", "645027906669510667", true},
		{"discord-docs/user-command-interaction.json", discordgo.InteractionResponseChannelMessageWithSource, "Unknown command", "772908445358620702", true},
		{"discord-docs/message-command-interaction.json", discordgo.InteractionResponseChannelMessageWithSource, "Unknown command", "772908445358620702", true},
		{"discord-docs/autocomplete-interaction.json", discordgo.InteractionApplicationCommandAutocompleteResult, "", "", false},
		{"discord-docs/user-install-interaction.jsonc", discordgo.InteractionResponseChannelMessageWithSource, "Unknown command “/link”", "1234563982236504123", true},
		{"hikari/command_interaction_payload.json", discordgo.InteractionResponseChannelMessageWithSource, "Unknown command", "123", true},
		{"hikari/component_interaction_payload.json", discordgo.InteractionResponseChannelMessageWithSource, "no longer works", "123", false},
		{"hikari/autocomplete_interaction_payload.json", discordgo.InteractionApplicationCommandAutocompleteResult, "", "123", false},
		{"hikari/partial_interaction_payload.json", discordgo.InteractionResponsePong, "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			payload := sample(t, tc.file)
			var head struct{ ID, Token string }
			json.Unmarshal(payload, &head)
			if i, err := decodeInteraction(payload); err != nil || i.ChannelID != tc.channel {
				t.Errorf("decodeInteraction: channel %q, %v; want %q", i.ChannelID, err, tc.channel)
			}
			check := func(t *testing.T, rb *recordingBot, answer []byte) {
				t.Helper()
				w := decode(t, answer)
				if w.Type != int(tc.answer) {
					t.Fatalf("answer %s, want type %d", answer, tc.answer)
				}
				if tc.answer == discordgo.InteractionApplicationCommandAutocompleteResult && (w.Data == nil || w.Data.Choices == nil) {
					t.Errorf("answer %s, want choices, even none", answer)
				}
				if tc.words != "" && (!w.private() || !strings.Contains(w.content().Text, tc.words)) {
					t.Errorf("answer %s, want a private one holding %q", answer, tc.words)
				}
				if !tc.core {
					return
				}
				select {
				case req := <-rb.got:
					if req.Channel != tc.channel {
						t.Errorf("channel %q, want %q", req.Channel, tc.channel)
					}
				default:
					t.Error("no request reached the core")
				}
			}
			t.Run("http", func(t *testing.T) {
				rb := newRecordingBot(t)
				h := startHTTP(t, harnessConfig{handler: rb})
				code, body := h.post(t, payload)
				if code != http.StatusOK {
					t.Fatalf("HTTP %d: %s", code, body)
				}
				check(t, rb, body)
			})
			t.Run("gateway", func(t *testing.T) {
				if head.ID == "" || head.Token == "" {
					t.Skip("a partial sample, with no id or token to answer over the gateway with")
				}
				rb := newRecordingBot(t)
				g := startGateway(t, harnessConfig{handler: rb})
				if _, err := g.f.DispatchJSON(payload); err != nil {
					t.Fatal(err)
				}
				cb, err := g.f.WaitCallback(waitCtx(t), &discordgo.Interaction{Token: head.Token})
				if err != nil {
					t.Fatalf("no answer: %v", err)
				}
				check(t, rb, cb)
			})
		})
	}
}

// edit changes an interaction's JSON as Discord might send it: f gets the
// payload as a map to change.
func edit(t *testing.T, payload []byte, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newComponent is a component of a type no SDK knows yet, inside a row.
var newComponent = map[string]any{"type": 1, "components": []any{map[string]any{"type": 1000000000, "custom_id": "x", "whatever": []any{1, "two"}}}}

// TestInteractionsDiscordgoCannotDecode: an interaction holding what
// discordgo fails on, in a part the bot does not read (a component type
// it does not know, in the message a button is on or in a message of
// data.resolved; fields of types it does not expect; a new field), is
// answered as any other, over HTTP and over the gateway, and never with a
// 400: Discord adds fields and types at any time.
func TestInteractionsDiscordgoCannotDecode(t *testing.T) {
	t.Parallel()
	strangeMessage := map[string]any{
		"id": "1", "channel_id": "2", "content": "", "type": 0, "flags": "222",
		"components": []any{newComponent},
		"poll":       map[string]any{"answers": []any{map[string]any{"poll_media": map[string]any{"emoji": map[string]any{"id": 123}}}}},
	}
	tests := []struct {
		name  string
		make  func(f *discordtest.Server, c discordtest.Caller) *discordgo.Interaction
		edit  func(m map[string]any)
		check func(t *testing.T, w wire)
	}{
		{"a press on a message with a component type discordgo does not know", button("ib1:why::heat"),
			func(m map[string]any) { m["message"] = strangeMessage },
			isMessage(false, []string{"Heat"})},
		{"a command whose resolved message has one", command("why", discordtest.String("title", "heat")),
			func(m map[string]any) {
				m["data"].(map[string]any)["resolved"] = map[string]any{"messages": map[string]any{"1": strangeMessage}}
			},
			isMessage(false, []string{"Heat"})},
		{"resolved roles, users and members of new shapes", command("why", discordtest.String("title", "heat")),
			func(m map[string]any) {
				m["data"].(map[string]any)["resolved"] = map[string]any{
					"roles":   map[string]any{"5": map[string]any{"id": "5", "name": "r", "permissions": 8, "colors": map[string]any{"primary_color": 1}}},
					"users":   map[string]any{"6": map[string]any{"id": 6, "primary_guild": map[string]any{"tag": 1}}},
					"members": map[string]any{"6": map[string]any{"flags": "1", "permissions": 8}},
				}
			},
			isMessage(false, []string{"Heat"})},
		{"new fields, and entitlements of a new shape", command("why", discordtest.String("title", "heat")),
			func(m map[string]any) {
				m["a_field_of_next_year"] = map[string]any{"x": []any{1, nil, "z"}}
				m["entitlements"] = []any{map[string]any{"type": "a kind yet to come", "starts_at": 5}}
				m["guild"] = map[string]any{"id": 7, "features": "all"}
				m["attachment_size_limit"] = "big"
			},
			isMessage(false, []string{"Heat"})},
		{"owners and permissions as numbers", command("why", discordtest.String("title", "heat")),
			func(m map[string]any) {
				m["authorizing_integration_owners"] = map[string]any{"0": 800000000000000001}
				m["app_permissions"] = 19456
			},
			isMessage(false, []string{"Heat"})},
		{"a modal submit with a component type discordgo does not know", command("why"),
			func(m map[string]any) {
				m["type"] = int(discordgo.InteractionModalSubmit)
				m["data"] = map[string]any{"custom_id": "m", "components": []any{newComponent}}
			},
			contains(isMessage(true, nil), "does not handle this kind of interaction")},
		{"an interaction type to come", command("why"),
			func(m map[string]any) { m["type"] = 99; m["data"] = "anything" },
			contains(isMessage(true, nil), "does not handle this kind of interaction")},
	}
	for _, x := range transports(t, harnessConfig{}) {
		t.Run(x.name, func(t *testing.T) {
			var chans channels
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					f := x.tr.fake()
					i := tc.make(f, chans.next(testGuild))
					payload := edit(t, f.Payload(i), tc.edit)
					var answer []byte
					switch tr := x.tr.(type) {
					case *httpHarness:
						code, body := tr.post(t, payload)
						if code != http.StatusOK {
							t.Fatalf("HTTP %d: %s", code, body)
						}
						answer = body
					case *gatewayHarness:
						if _, err := f.DispatchJSON(payload); err != nil {
							t.Fatal(err)
						}
						cb, err := f.WaitCallback(waitCtx(t), i)
						if err != nil {
							t.Fatalf("no answer: %v", err)
						}
						answer = cb
					}
					tc.check(t, decode(t, answer))
				})
			}
		})
	}
}

// TestWhatIsNoInteraction: a signed body that is not an interaction gets
// 400, and the adapter goes on.
func TestWhatIsNoInteraction(t *testing.T) {
	t.Parallel()
	h := startHTTP(t, harnessConfig{})
	for _, body := range []string{`[]`, `{}`, `{"type":"two"}`, `{"type":2,"guild_id":5}`, `null`, `"x"`} {
		if code, got := h.post(t, []byte(body)); code != http.StatusBadRequest {
			t.Errorf("%s: HTTP %d %s, want 400", body, code, got)
		}
	}
}

// TestChannel: the channel is the channel object's id, as Discord's docs
// ask, else channel_id, which they mark deprecated; the object wins when
// the two differ. Without either, the request says so: /daily refuses it.
func TestChannel(t *testing.T) {
	t.Parallel()
	rb := newRecordingBot(t)
	h := startHTTP(t, harnessConfig{handler: rb})
	tests := []struct {
		name   string
		edit   func(m map[string]any)
		want   string
		noPost bool
	}{
		{"both, the same", func(map[string]any) {}, "500000000000000001", false},
		{"the object alone", func(m map[string]any) { delete(m, "channel_id") }, "500000000000000002", false},
		{"channel_id alone", func(m map[string]any) { delete(m, "channel") }, "500000000000000003", false},
		{"an empty object and channel_id", func(m map[string]any) { m["channel"] = map[string]any{} }, "500000000000000004", false},
		{"both, differing", func(m map[string]any) { m["channel_id"] = "345626669114982999" }, "500000000000000005", false},
		{"neither", func(m map[string]any) { delete(m, "channel"); delete(m, "channel_id") }, "", true},
		{"a null object and an empty channel_id", func(m map[string]any) { m["channel"] = nil; m["channel_id"] = "" }, "", true},
	}
	var chans channels
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			i := h.f.Command(chans.next(testGuild), "random")
			code, body := h.post(t, edit(t, h.f.Payload(i), tc.edit))
			if code != http.StatusOK {
				t.Fatalf("HTTP %d: %s", code, body)
			}
			req := <-rb.got
			if req.Channel != tc.want || (req.NoPost != "") != tc.noPost {
				t.Errorf("channel %q, NoPost %q; want %q, NoPost set %v", req.Channel, req.NoPost, tc.want, tc.noPost)
			}
		})
	}
}

// TestNoPost: where the bot cannot post on its own, which Discord tells by
// the interaction's context and where the app is installed
// (authorizing_integration_owners: "0" a server, "1" a user's account).
func TestNoPost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		json string
		want bool
	}{
		{"a server that installed the bot", `{"type":2,"guild_id":"1","channel_id":"2","context":0,"authorizing_integration_owners":{"0":"1"}}`, false},
		{"a server that installed the bot and a user who installed the app", `{"type":2,"guild_id":"1","channel_id":"2","context":0,"authorizing_integration_owners":{"0":"1","1":"3"}}`, false},
		{"a server where only the user installed the app", `{"type":2,"guild_id":"1","channel_id":"2","context":0,"authorizing_integration_owners":{"1":"3"}}`, true},
		{"the bot's DM, user-installed", `{"type":2,"channel_id":"2","context":1,"authorizing_integration_owners":{"1":"3"}}`, false},
		{"the bot's DM, from a server install", `{"type":2,"channel_id":"2","context":1,"authorizing_integration_owners":{"0":"0"}}`, false},
		{"a group DM", `{"type":2,"channel":{"id":"2","type":3},"context":2,"authorizing_integration_owners":{"1":"3"}}`, true},
		{"a DM between other users", `{"type":2,"channel":{"id":"2","type":1},"channel_id":"2","context":2,"authorizing_integration_owners":{"1":"3"}}`, true},
		{"before user installs: a server", `{"type":2,"guild_id":"1","channel_id":"2"}`, false},
		{"before user installs: a DM", `{"type":2,"channel_id":"2"}`, false},
		{"no channel", `{"type":2,"guild_id":"1","context":0,"authorizing_integration_owners":{"0":"1"}}`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			i, err := decodeInteraction([]byte(tc.json))
			if err != nil {
				t.Fatal(err)
			}
			if got := i.noPost != ""; got != tc.want {
				t.Errorf("noPost = %q, want set %v", i.noPost, tc.want)
			}
		})
	}
}

// TestStripComments: the test's own reader of .jsonc.
func TestStripComments(t *testing.T) {
	t.Parallel()
	in := "{\n  \"a\": \"http://x // y\", // a comment\n  \"b\": {\n    // Partial\n  }\n}"
	want := "{\n  \"a\": \"http://x // y\", \n  \"b\": {\n    \n  }\n}"
	if got := stripComments([]byte(in)); !bytes.Equal(got, []byte(want)) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestNoChannel: an interaction without channel or channel_id shares no
// channel's memory and gets no daily pick: /why without a title and /daily
// are refused privately, saying why; /why with a title is answered.
func TestNoChannel(t *testing.T) {
	t.Parallel()
	h := startHTTP(t, harnessConfig{handler: dailyBot(t)})
	c := (&channels{}).next(testGuild)
	c.Permissions = discordgo.PermissionManageGuild
	noChannel := func(m map[string]any) { delete(m, "channel"); delete(m, "channel_id") }
	for _, tc := range []struct {
		i       *discordgo.Interaction
		private bool
		want    string
	}{
		{h.f.Command(c, "why"), true, "There is no channel here to remember the last pick of."},
		{h.f.Command(c, "daily", discordtest.Subcommand("subscribe")), true, "Discord named no channel for this interaction."},
		{h.f.Command(c, "why", discordtest.String("title", "heat")), false, "The action is the juice"},
	} {
		code, body := h.post(t, edit(t, h.f.Payload(tc.i), noChannel))
		if code != http.StatusOK {
			t.Fatalf("HTTP %d: %s", code, body)
		}
		if w := decode(t, body); w.private() != tc.private || !strings.Contains(w.content().Text, tc.want) {
			t.Errorf("answer %q (private %v), want %q (private %v)", w.content().Text, w.private(), tc.want, tc.private)
		}
	}
}

// TestDecodeReadsWhatDiscordgoReads holds decodeInteraction, which decodes
// only the fields the adapter reads, to discordgo's own decoding of those
// fields, on every payload discordgo can decode: the conformance samples
// and the fuzzer's seeds.
func TestDecodeReadsWhatDiscordgoReads(t *testing.T) {
	t.Parallel()
	payloads := map[string][]byte{}
	for _, dir := range []string{"discord-docs", "hikari"} {
		files, _ := filepath.Glob(filepath.Join(conformanceDir, dir, "*.json*"))
		for _, f := range files {
			payloads[dir+"/"+filepath.Base(f)] = sample(t, dir+"/"+filepath.Base(f))
		}
	}
	for i, body := range []string{
		`{"type":1,"id":"1","token":"t","application_id":"9"}`,
		`{"type":2,"id":"2","token":"t","application_id":"9","channel_id":"5","guild_id":"6","member":{"user":{"id":"7","username":"u","global_name":"U"},"permissions":"32"},"locale":"en-GB","version":1,"data":{"id":"3","name":"recommend","type":1,"options":[{"name":"query","type":3,"value":"talky"}]}}`,
		`{"type":2,"id":"3","token":"t","channel_id":"5","user":{"id":"7"},"data":{"name":"daily","type":1,"options":[{"name":"subscribe","type":1,"options":[{"name":"time","type":3,"value":"9:99"}]}]}}`,
		`{"type":3,"id":"4","token":"t","channel_id":"5","user":{"id":"7"},"data":{"custom_id":"ib1:why::heat","component_type":2,"values":["a"]}}`,
		`{"type":4,"id":"5","token":"t","data":{"name":"why","options":[{"name":"title","type":3,"value":"mad m","focused":true}]}}`,
		`{"type":5,"id":"6","token":"t","data":{"custom_id":"m"}}`,
		`{"type":2,"id":"7","token":"t","data":null}`,
		`{"type":2,"id":"8","token":"t"}`,
	} {
		payloads["inline-"+strconv.Itoa(i)] = []byte(body)
	}
	for name, body := range payloads {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var want discordgo.Interaction
			if err := json.Unmarshal(body, &want); err != nil {
				t.Skipf("discordgo cannot decode it: %v", err)
			}
			got, err := decodeInteraction(body)
			if err != nil {
				t.Fatal(err)
			}
			g := *got.Interaction
			// What the adapter reads for itself, or leaves unread.
			g.ChannelID, g.Context, g.AuthorizingIntegrationOwners, g.AppPermissions = want.ChannelID, want.Context, want.AuthorizingIntegrationOwners, want.AppPermissions
			want.Message, want.GuildLocale, want.Entitlements = nil, nil, nil
			switch d := want.Data.(type) {
			case discordgo.ApplicationCommandInteractionData:
				d.Resolved = nil
				want.Data = d
			case discordgo.MessageComponentInteractionData:
				d.Resolved = discordgo.MessageComponentInteractionDataResolved{}
				want.Data = d
			case discordgo.ModalSubmitInteractionData:
				want.Data = discordgo.ModalSubmitInteractionData{}
			}
			if !reflect.DeepEqual(g, want) {
				t.Errorf("decodeInteraction read\n%+v\ndiscordgo reads\n%+v", g, want)
			}
		})
	}
}

func BenchmarkDecodeInteraction(b *testing.B) {
	body := []byte(`{"id":"1001","application_id":"1","type":2,"token":"interaction-token","version":1,"channel_id":"501","guild_id":"42",` +
		`"member":{"user":{"id":"77","username":"load"},"permissions":"0"},"data":{"id":"9","name":"why","type":1,"options":[{"name":"title","type":3,"value":"heat"}]}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeInteraction(body); err != nil {
			b.Fatal(err)
		}
	}
}

// TestReadIDReadsAsADecoderWould: readID's shortcut for a string of
// digits, and for nothing, reads what decoding the JSON reads.
func TestReadIDReadsAsADecoderWould(t *testing.T) {
	for _, v := range []string{``, `""`, `"0"`, `"1"`, `"19456"`, `"9223372036854775807"`, `"12a"`, `"\u0031"`, `"-1"`, `12`, `1.5`, `-3`, `null`, `"1`, `1"`, `"1" `} {
		gotS, gotOK := readID(json.RawMessage(v))
		wantS, wantOK := decodeID(json.RawMessage(v))
		if gotS != wantS || gotOK != wantOK {
			t.Errorf("readID(%s) = %q, %v; decoding reads %q, %v", v, gotS, gotOK, wantS, wantOK)
		}
	}
}

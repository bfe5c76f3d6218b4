package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/industrybot/industrybot/adapters/discord/discordtest"
	"github.com/industrybot/industrybot/bot"
)

func TestRegister(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, discordtest.Options{Token: testToken})
	sess, err := NewSession(SessionConfig{Token: testToken, APIURL: f.URL})
	if err != nil {
		t.Fatal(err)
	}
	for _, guild := range []string{"", testGuild} {
		t.Run("guild "+guild, func(t *testing.T) {
			got, err := Register(context.Background(), sess, f.ApplicationID(), guild)
			if err != nil {
				t.Fatal(err)
			}
			stored := f.Commands(guild)
			if f.Overwrites(guild) != 1 || len(stored) != 5 || len(got) != 5 {
				t.Fatalf("%d overwrites, %d stored, %d returned; want 1, 5, 5", f.Overwrites(guild), len(stored), len(got))
			}
			checkRegistration(t, f.CommandsJSON(guild), guild != "")
			var names []string
			for _, c := range stored {
				names = append(names, c.Name)
				if c.ID == "" || c.GuildID != guild {
					t.Errorf("/%s stored as %+v", c.Name, c)
				}
			}
			if want := []string{"recommend", "why", "random", "daily", "help"}; !slices.Equal(names, want) {
				t.Errorf("registered %q, want %q", names, want)
			}
		})
	}
	t.Run("an application id that is no number", func(t *testing.T) {
		if _, err := Register(context.Background(), sess, "my-app", ""); !errors.Is(err, ErrApplicationID) {
			t.Errorf("Register = %v, want ErrApplicationID", err)
		}
	})
	t.Run("an application the token does not own", func(t *testing.T) {
		_, err := Register(context.Background(), sess, "123", "")
		if err == nil || !strings.Contains(err.Error(), "HTTP 403") || !strings.Contains(err.Error(), "discord.application_id") {
			t.Errorf("Register = %v, want a 403 pointing at discord.application_id", err)
		}
	})
	t.Run("a refused token", func(t *testing.T) {
		bad, err := NewSession(SessionConfig{Token: "nope-nope", APIURL: f.URL})
		if err != nil {
			t.Fatal(err)
		}
		_, err = Register(context.Background(), bad, f.ApplicationID(), "")
		if err == nil || !strings.Contains(err.Error(), "INDUSTRYBOT_DISCORD_TOKEN") || strings.Contains(err.Error(), "nope-nope") {
			t.Errorf("Register = %v, want the token refused, without it", err)
		}
	})
}

// checkRegistration checks a bulk overwrite's body as Discord's docs have
// it: no null where an array may be left out (options, choices,
// channel_types), never the deprecated dm_permission; globally, contexts
// and integration types on every command; in a guild, neither, since they
// are "only for globally-scoped commands".
func checkRegistration(t *testing.T, body []byte, guild bool) {
	t.Helper()
	if bytes.Contains(body, []byte("null")) || bytes.Contains(body, []byte("dm_permission")) {
		t.Errorf("the registration sends a null or dm_permission: %s", body)
	}
	var cmds []map[string]json.RawMessage
	if err := json.Unmarshal(body, &cmds); err != nil || len(cmds) != 5 {
		t.Fatalf("registration body %s: %v", body, err)
	}
	for _, c := range cmds {
		for _, field := range []string{"contexts", "integration_types"} {
			if _, ok := c[field]; ok == guild {
				t.Errorf("%s: %s sent %v, want %v (guild %v)", c["name"], field, ok, !guild, guild)
			}
		}
	}
	if guild {
		return
	}
	var daily struct {
		Contexts         []int `json:"contexts"`
		IntegrationTypes []int `json:"integration_types"`
	}
	json.Unmarshal(cmds[3]["contexts"], &daily.Contexts)
	json.Unmarshal(cmds[3]["integration_types"], &daily.IntegrationTypes)
	if !slices.Equal(daily.Contexts, []int{0}) || !slices.Equal(daily.IntegrationTypes, []int{0}) {
		t.Errorf("/daily registered for contexts %v and installs %v, want servers that installed it: [0], [0]", daily.Contexts, daily.IntegrationTypes)
	}
}

// TestCommandShapes checks what Discord shows and enforces: the core's
// words within Discord's limits, /daily for server managers only, in
// servers that installed the bot, the other commands for both kinds of
// install everywhere, /why's title autocompleted.
func TestCommandShapes(t *testing.T) {
	t.Parallel()
	byName := map[string]*discordgo.ApplicationCommand{}
	for _, c := range Commands() {
		byName[c.Name] = c
		spec, ok := bot.Command(c.Name)
		if !ok || c.Description != spec.Summary {
			t.Errorf("/%s description %q, want the core's summary %q", c.Name, c.Description, spec.Summary)
		}
		checkDescriptions(t, "/"+c.Name, c.Description, c.Options)
	}
	daily := byName["daily"]
	if daily.DefaultMemberPermissions == nil || *daily.DefaultMemberPermissions != 0x20 {
		t.Errorf("/daily default_member_permissions = %v, want 32 (Manage Server)", daily.DefaultMemberPermissions)
	}
	everywhere := []discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM, discordgo.InteractionContextPrivateChannel}
	bothInstalls := []discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall, discordgo.ApplicationIntegrationUserInstall}
	for name, c := range byName {
		contexts, installs := everywhere, bothInstalls
		if name == bot.CmdDaily {
			contexts, installs = contexts[:1], installs[:1]
		}
		if c.Contexts == nil || !slices.Equal(*c.Contexts, contexts) || c.IntegrationTypes == nil || !slices.Equal(*c.IntegrationTypes, installs) || c.DMPermission != nil {
			t.Errorf("/%s: contexts %v, integration types %v, dm_permission %v; want %v, %v and no dm_permission", name, c.Contexts, c.IntegrationTypes, c.DMPermission, contexts, installs)
		}
	}
	var subs []string
	for _, o := range daily.Options {
		subs = append(subs, o.Name)
	}
	if want := []string{bot.DailySubscribe, bot.DailyUnsubscribe, bot.DailyStatus, bot.DailySkip}; !slices.Equal(subs, want) {
		t.Errorf("/daily subcommands %q, want %q", subs, want)
	}
	if tz := daily.Options[0].Options[1]; tz.Name != "timezone" || !tz.Autocomplete || tz.Required {
		t.Errorf("/daily subscribe timezone = %+v, want optional and autocompleted", tz)
	}
	for _, o := range daily.Options[0].Options {
		want := map[string]discordgo.ApplicationCommandOptionType{bot.OptThread: discordgo.ApplicationCommandOptionBoolean, bot.OptMention: discordgo.ApplicationCommandOptionRole}[o.Name]
		if want == 0 {
			want = discordgo.ApplicationCommandOptionString
		}
		if o.Type != want || o.Required {
			t.Errorf("/daily subscribe %s is an option of type %v (required %v), want optional %v", o.Name, o.Type, o.Required, want)
		}
	}
	if title := byName["why"].Options[0]; !title.Autocomplete || title.Required {
		t.Errorf("/why title = %+v, want optional and autocompleted", title)
	}
	for _, name := range []string{"recommend", "random"} {
		kind := byName[name].Options[len(byName[name].Options)-1]
		if kind.Name != "kind" || len(kind.Choices) != 2 || kind.Choices[0].Value != "film" || kind.Choices[1].Value != "tv" {
			t.Errorf("/%s kind = %+v, want choices film and tv", name, kind)
		}
	}
	usage := map[string]string{
		"recommend": "/recommend [query] [kind]",
		"why":       "/why [title]",
		"daily":     "/daily subscribe [time] [timezone] [days] [thread] [mention] | unsubscribe | status | skip (Manage Server)",
		"help":      "/help",
	}
	for name, want := range usage {
		if got := Usage(byName[name]); got != want {
			t.Errorf("Usage(/%s) = %q, want %q", name, got, want)
		}
	}
}

// checkDescriptions fails on a description Discord would refuse: empty, or
// over its 100 characters.
func checkDescriptions(t *testing.T, what, desc string, opts []*discordgo.ApplicationCommandOption) {
	t.Helper()
	if n := utf8.RuneCountInString(desc); n == 0 || n > 100 {
		t.Errorf("%s: description of %d characters, want 1 to 100: %q", what, n, desc)
	}
	for _, o := range opts {
		checkDescriptions(t, what+" "+o.Name, o.Description, o.Options)
	}
}

func TestInviteURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		appID string
		inv   Invite
		want  string
	}{
		{"a server", "123456", Invite{}, "https://discord.com/oauth2/authorize?client_id=123456&integration_type=0&permissions=19456&scope=bot+applications.commands"},
		{"a server, with threads", "123456", Invite{Threads: true}, "https://discord.com/oauth2/authorize?client_id=123456&integration_type=0&permissions=309237664768&scope=bot+applications.commands"},
		{"a user's account", "123456", Invite{User: true}, "https://discord.com/oauth2/authorize?client_id=123456&integration_type=1&scope=applications.commands"},
		{"a user's account, with threads", "123456", Invite{User: true, Threads: true}, ""},
		{"an id that is no number", "my-app", Invite{}, ""},
		{"an id with a space", "123 456", Invite{User: true}, ""},
		{"no id", "", Invite{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := InviteURL(tc.appID, tc.inv)
			if got != tc.want || (err == nil) != (tc.want != "") {
				t.Errorf("InviteURL(%q, %+v) = %q, %v; want %q", tc.appID, tc.inv, got, err, tc.want)
			}
		})
	}
	if _, err := InviteURL("my-app", Invite{}); !errors.Is(err, ErrApplicationID) || strings.Contains(err.Error(), "my-app") {
		t.Errorf("an id that is no number: %v, want ErrApplicationID, without the value (it may be a secret pasted in the wrong place)", err)
	}
	const threads = 1<<35 | 1<<38 // Create Public Threads, Send Messages in Threads
	if ThreadPermissions != threads || 309237664768 != Permissions|threads {
		t.Errorf("ThreadPermissions = %d, want %d", ThreadPermissions, threads)
	}
}

func TestApplicationID(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, discordtest.Options{Token: testToken, ApplicationID: "4242"})
	sess, err := NewSession(SessionConfig{Token: testToken, APIURL: f.URL})
	if err != nil {
		t.Fatal(err)
	}
	if id, err := ApplicationID(context.Background(), sess); err != nil || id != "4242" {
		t.Errorf("ApplicationID = %q, %v; want 4242", id, err)
	}
}

// TestSessionRewritesDiscordToAPIURL: REST calls for discord.com go to the
// base URL, under its path; other hosts are left alone.
func TestSessionRewritesDiscordToAPIURL(t *testing.T) {
	t.Parallel()
	seen := make(chan string, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.URL.RequestURI() + " auth=" + r.Header.Get("Authorization")
		io.WriteString(w, `{"url":"ws://127.0.0.1:1"}`)
	}))
	t.Cleanup(srv.Close)
	sess, err := NewSession(SessionConfig{Token: "tok", APIURL: srv.URL + "/proxy/"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sess.Gateway(); err != nil {
		t.Fatal(err)
	}
	if got, want := <-seen, "/proxy/api/v"+discordgo.APIVersion+"/gateway auth=Bot tok"; got != want {
		t.Errorf("request = %q, want %q", got, want)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/direct", nil)
	resp, err := sess.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := <-seen; got != "/direct auth=" {
		t.Errorf("a request to another host became %q", got)
	}
}

func TestNewSession(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		c    SessionConfig
		ok   bool
	}{
		{"defaults", SessionConfig{Token: "t"}, true},
		{"no token", SessionConfig{}, true},
		{"shard 1 of 2", SessionConfig{Token: "t", ShardID: 1, ShardCount: 2}, true},
		{"shard 2 of 2", SessionConfig{Token: "t", ShardID: 2, ShardCount: 2}, false},
		{"api url not http", SessionConfig{Token: "t", APIURL: "ftp://x"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSession(tc.c)
			if (err == nil) != tc.ok {
				t.Fatalf("NewSession = %v, want ok %v", err, tc.ok)
			}
			if err != nil {
				return
			}
			if tc.c.Token != "" && s.Token != "Bot "+tc.c.Token {
				t.Errorf("token %q, want the Bot prefix", s.Token)
			}
			if tc.c.Token == "" && s.Token != "" {
				t.Errorf("token %q, want none", s.Token)
			}
			if s.ShardID != tc.c.ShardID || s.ShardCount != max(tc.c.ShardCount, 1) || !s.ShouldReconnectOnError {
				t.Errorf("shard %d/%d reconnect %v", s.ShardID, s.ShardCount, s.ShouldReconnectOnError)
			}
		})
	}
}

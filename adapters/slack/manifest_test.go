package slack_test

import (
	"slices"
	"strings"
	"testing"

	slackapi "github.com/slack-go/slack"
	"go.yaml.in/yaml/v3"

	"github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/bot"
)

func mustManifest(t *testing.T, o slack.ManifestOptions) slackapi.Manifest {
	t.Helper()
	out, err := slack.Manifest(o)
	if err != nil {
		t.Fatal(err)
	}
	var m slackapi.Manifest
	dec := yaml.NewDecoder(strings.NewReader(out))
	dec.KnownFields(true) // every key must be one of Slack's manifest schema
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("the manifest is not a Slack manifest: %v\n%s", err, out)
	}
	return m
}

func TestManifest(t *testing.T) {
	wantCommands := []string{"/recommend", "/why", "/random", "/daily", "/help"}
	tests := []struct {
		name        string
		opts        slack.ManifestOptions
		socket      bool
		commandsURL string
		interactURL string
		scopes      []string
	}{
		{"socket", slack.ManifestOptions{}, true, "", "", []string{"commands", "chat:write", "users:read"}},
		{"socket, public channels", slack.ManifestOptions{Mode: slack.ModeSocket, PublicChannels: true}, true, "", "", []string{"commands", "chat:write", "users:read", "chat:write.public"}},
		{"socket, history", slack.ManifestOptions{Mode: slack.ModeSocket, History: true}, true, "", "", []string{"commands", "chat:write", "users:read", "channels:history", "groups:history"}},
		{"http", slack.ManifestOptions{Mode: slack.ModeHTTP, URL: "https://bot.example.com/"}, false,
			"https://bot.example.com/slack/commands", "https://bot.example.com/slack/interactions", []string{"commands", "chat:write", "users:read"}},
		{"http under a path", slack.ManifestOptions{Mode: slack.ModeHTTP, URL: "https://example.com/industrybot"}, false,
			"https://example.com/industrybot/slack/commands", "https://example.com/industrybot/slack/interactions", []string{"commands", "chat:write", "users:read"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustManifest(t, tc.opts)
			var cmds []string
			for _, c := range m.Features.SlashCommands {
				cmds = append(cmds, c.Command)
				if c.Url != tc.commandsURL {
					t.Errorf("%s: url %q, want %q", c.Command, c.Url, tc.commandsURL)
				}
				// Only /daily, whose subscribe takes a user group to mention,
				// has Slack escape its text: the others read it as typed.
				if c.Description == "" || c.ShouldEscape != (c.Command == "/daily") {
					t.Errorf("%s: description %q, should_escape %v; want a description, and the text escaped for /daily only", c.Command, c.Description, c.ShouldEscape)
				}
				if spec, ok := bot.Command(strings.TrimPrefix(c.Command, "/")); !ok || c.Description != spec.Summary || c.UsageHint != spec.Usage {
					t.Errorf("%s: description %q, usage hint %q; want the core's summary and usage", c.Command, c.Description, c.UsageHint)
				}
			}
			if !slices.Equal(cmds, wantCommands) {
				t.Errorf("commands %q, want %q", cmds, wantCommands)
			}
			if !slices.Equal(m.OAuthConfig.Scopes.Bot, tc.scopes) || len(m.OAuthConfig.Scopes.User) != 0 {
				t.Errorf("scopes %q (user %q), want bot scopes %q only", m.OAuthConfig.Scopes.Bot, m.OAuthConfig.Scopes.User, tc.scopes)
			}
			if m.Settings.SocketModeEnabled != tc.socket {
				t.Errorf("socket_mode_enabled = %v, want %v", m.Settings.SocketModeEnabled, tc.socket)
			}
			if i := m.Settings.Interactivity; i == nil || !i.IsEnabled || i.RequestUrl != tc.interactURL {
				t.Errorf("interactivity = %+v, want enabled at %q", i, tc.interactURL)
			}
			if m.Display.Name != "industrybot" || m.Features.BotUser.DisplayName != "industrybot" || len(m.Display.Description) > 140 {
				t.Errorf("display %+v, bot user %+v", m.Display, m.Features.BotUser)
			}
		})
	}
}

func TestManifestErrors(t *testing.T) {
	tests := []struct {
		opts slack.ManifestOptions
		want string
	}{
		{slack.ManifestOptions{Mode: slack.ModeHTTP}, "needs --url"},
		{slack.ManifestOptions{Mode: slack.ModeHTTP, URL: "http://bot.example.com"}, "not an https URL"},
		{slack.ManifestOptions{Mode: slack.ModeHTTP, URL: "https://bot.example.com/?x=1"}, "not an https URL"},
		{slack.ManifestOptions{Mode: slack.ModeHTTP, URL: "bot.example.com"}, "not an https URL"},
		{slack.ManifestOptions{Mode: slack.ModeSocket, URL: "https://bot.example.com"}, "is for http mode"},
		{slack.ManifestOptions{Mode: "webhook"}, "neither socket nor http"},
		{slack.ManifestOptions{Name: strings.Repeat("n", 36)}, "35 characters"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if _, err := slack.Manifest(tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Manifest(%+v) = %v, want an error containing %q", tc.opts, err, tc.want)
			}
		})
	}
}

package slack_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
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

// TestManifestWithOAuth: in HTTP mode with OAuth, the manifest adds the
// redirect URL, the Events API with the events the app handles, the Home
// tab and org-wide installs; token rotation on request. Without OAuth the
// manifest has none of them.
func TestManifestWithOAuth(t *testing.T) {
	m := mustManifest(t, slack.ManifestOptions{Mode: slack.ModeHTTP, URL: "https://bot.example.com", OAuth: true, TokenRotation: true})
	if got := m.OAuthConfig.RedirectUrls; len(got) != 1 || got[0] != "https://bot.example.com/slack/oauth/callback" {
		t.Errorf("redirect_urls %q", got)
	}
	ev := m.Settings.EventSubscriptions
	if ev == nil || ev.RequestUrl != "https://bot.example.com/slack/events" || !slices.Equal(ev.BotEvents, []string{"app_home_opened", "app_uninstalled", "tokens_revoked"}) {
		t.Errorf("event_subscriptions %+v", ev)
	}
	if !m.Features.AppHome.HomeTabEnabled || !m.Settings.OrgDeployEnabled || !m.Settings.TokenRotationEnabled || m.Settings.SocketModeEnabled {
		t.Errorf("app_home %+v, settings %+v", m.Features.AppHome, m.Settings)
	}
	plain := mustManifest(t, slack.ManifestOptions{Mode: slack.ModeHTTP, URL: "https://bot.example.com"})
	if plain.Settings.EventSubscriptions != nil || len(plain.OAuthConfig.RedirectUrls) != 0 || plain.Features.AppHome.HomeTabEnabled || plain.Settings.OrgDeployEnabled {
		t.Errorf("without OAuth: %+v", plain)
	}
	for _, o := range []slack.ManifestOptions{{OAuth: true}, {Mode: slack.ModeHTTP, URL: "https://bot.example.com", TokenRotation: true}} {
		if _, err := slack.Manifest(o); err == nil {
			t.Errorf("Manifest(%+v): no error", o)
		}
	}
}

// TestManifestMatchesSlackSchema validates every shape of the manifest
// against Slack's published manifest schema, where the conformance
// samples are beside the repository.
func TestManifestMatchesSlackSchema(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "conformance", "slack-manifest-schema", "schemas", "manifest.schema.1.0.0.json"))
	if err != nil {
		t.Skipf("no Slack manifest schema beside the repository: %v", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	// A few of the schema's patterns, for domain names the manifest never
	// has, look ahead, which Go's regexp cannot: those match anything.
	c.UseRegexpEngine(func(expr string) (jsonschema.Regexp, error) {
		if re, err := regexp.Compile(expr); err == nil {
			return re, nil
		}
		return anything(expr), nil
	})
	const id = "https://github.com/slackapi/manifest-schema/schemas/manifest.schema.1.0.0.json"
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	for name, o := range map[string]slack.ManifestOptions{
		"socket":          {PublicChannels: true, History: true},
		"http":            {Mode: slack.ModeHTTP, URL: "https://bot.example.com"},
		"http with oauth": {Mode: slack.ModeHTTP, URL: "https://bot.example.com", OAuth: true, TokenRotation: true, PublicChannels: true},
	} {
		t.Run(name, func(t *testing.T) {
			out, err := slack.Manifest(o)
			if err != nil {
				t.Fatal(err)
			}
			var m any
			if err := yaml.Unmarshal([]byte(out), &m); err != nil {
				t.Fatal(err)
			}
			js, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(v); err != nil {
				t.Errorf("the manifest does not match Slack's schema: %v\n%s", err, out)
			}
		})
	}
}

// anything is a pattern that matches every string.
type anything string

func (a anything) String() string          { return string(a) }
func (anything) MatchString(s string) bool { return true }

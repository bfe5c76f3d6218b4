package slack

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"

	slackapi "github.com/slack-go/slack"
	"go.yaml.in/yaml/v3"

	"github.com/industrybot/industrybot/bot"
)

// The routes Slack POSTs to in HTTP mode.
const (
	CommandsPath     = "/slack/commands"
	InteractionsPath = "/slack/interactions"
)

// ManifestOptions shape the app manifest.
type ManifestOptions struct {
	Mode string // ModeSocket (default) or ModeHTTP
	// URL is where Slack reaches `industrybot serve` in HTTP mode: the
	// public https base URL, without the /slack/… paths.
	URL string
	// Name is the app's name in Slack; default "industrybot".
	Name string
	// PublicChannels adds chat:write.public, so daily picks can go to public
	// channels the bot was not invited to.
	PublicChannels bool
	// History adds ScopesHistory, so a daily pick whose answer was lost
	// is looked for in the channel instead of reported unknown.
	History bool
	// OAuth, in HTTP mode, makes the app installable to many workspaces:
	// the redirect URL of OAuthCallbackPath, the Events API at EventsPath
	// (uninstalls, the Home tab being opened), the Home tab, and installs
	// to a whole Enterprise Grid organisation.
	OAuth bool
	// TokenRotation, with OAuth, turns on token rotation: bot tokens
	// expire after 12 hours and are refreshed before.
	TokenRotation bool
}

// scopes are the bot scopes the app asks for: slash commands, posting
// answers and daily picks, and users:read to tell workspace admins (who
// may manage /daily) from other users.
var scopes = []string{"commands", "chat:write", "users:read"}

// ScopePublic lets the bot post in public channels it was not invited to.
const ScopePublic = "chat:write.public"

// ScopesHistory let the bot read the history of the public and private
// channels it is in: the Poster's Look needs them.
var ScopesHistory = []string{"channels:history", "groups:history"}

// commands are the slash commands of the manifest: the core's
// (bot.Commands), described in its words. A command that takes a mention
// has Slack escape it ("Escape channels, users, and links"), so a user
// group typed as @film-club reaches the bot as <!subteam^S…|@film-club>.
func commands() []slackapi.ManifestSlashCommand {
	specs := bot.Commands()
	cmds := make([]slackapi.ManifestSlashCommand, len(specs))
	for i, c := range specs {
		cmds[i] = slackapi.ManifestSlashCommand{Command: "/" + c.Name, Description: c.Summary, UsageHint: c.Usage, ShouldEscape: takesMention(c)}
	}
	return cmds
}

// takesMention reports whether a command or one of its subcommands has an
// option that names a role or user group.
func takesMention(c bot.CommandSpec) bool {
	for _, o := range c.Options {
		if o.Value == bot.MentionValue {
			return true
		}
	}
	for _, s := range c.Subcommands {
		if takesMention(s) {
			return true
		}
	}
	return false
}

// Manifest returns a Slack app manifest (YAML) to paste into "Create New
// App → From a manifest" at https://api.slack.com/apps: the commands, the
// bot scopes (commands, chat:write, users:read, and ScopePublic and
// ScopesHistory on request),
// interactivity, and Socket Mode or the request URLs of HTTP mode.
func Manifest(o ManifestOptions) (string, error) {
	if o.Mode == "" {
		o.Mode = ModeSocket
	}
	if o.Name == "" {
		o.Name = "industrybot"
	}
	if len(o.Name) > 35 {
		return "", fmt.Errorf("app name %q is longer than Slack's 35 characters", o.Name)
	}
	m := slackapi.Manifest{
		Metadata: slackapi.ManifestMetadata{MajorVersion: 1, MinorVersion: 1},
		Display: slackapi.Display{
			Name:            o.Name,
			Description:     "The films and series behind Industry (HBO/BBC), in its creators' words",
			BackgroundColor: "#1d1c1d",
		},
		Features: slackapi.Features{
			BotUser:       slackapi.BotUser{DisplayName: o.Name, AlwaysOnline: true},
			SlashCommands: commands(),
		},
		OAuthConfig: slackapi.OAuthConfig{Scopes: slackapi.OAuthScopes{Bot: append([]string(nil), scopes...)}},
		Settings: slackapi.Settings{
			Interactivity: &slackapi.Interactivity{IsEnabled: true},
		},
	}
	if o.PublicChannels {
		m.OAuthConfig.Scopes.Bot = append(m.OAuthConfig.Scopes.Bot, ScopePublic)
	}
	if o.History {
		m.OAuthConfig.Scopes.Bot = append(m.OAuthConfig.Scopes.Bot, ScopesHistory...)
	}
	var header string
	switch o.Mode {
	case ModeSocket:
		if o.URL != "" {
			return "", fmt.Errorf("--url %q is for http mode: Socket Mode needs no public URL", o.URL)
		}
		m.Settings.SocketModeEnabled = true
		header = socketHeader
	case ModeHTTP:
		base, err := publicURL(o.URL)
		if err != nil {
			return "", err
		}
		for i := range m.Features.SlashCommands {
			m.Features.SlashCommands[i].Url = base + CommandsPath
		}
		m.Settings.Interactivity.RequestUrl = base + InteractionsPath
		header = httpHeader
		if o.OAuth {
			m.OAuthConfig.RedirectUrls = []string{base + OAuthCallbackPath}
			m.Settings.EventSubscriptions = &slackapi.EventSubscriptions{RequestUrl: base + EventsPath, BotEvents: append([]string(nil), botEvents...)}
			m.Features.AppHome = slackapi.AppHome{HomeTabEnabled: true}
			m.Settings.OrgDeployEnabled = true
			m.Settings.TokenRotationEnabled = o.TokenRotation
			header = oauthHeader
		}
	default:
		return "", fmt.Errorf("mode %q is neither %s nor %s", o.Mode, ModeSocket, ModeHTTP)
	}
	if (o.OAuth || o.TokenRotation) && o.Mode != ModeHTTP {
		return "", fmt.Errorf("installs to many workspaces (OAuth) take http mode: use --mode http --url …")
	}
	if o.TokenRotation && !o.OAuth {
		return "", fmt.Errorf("token rotation is for installs through OAuth: set slack.client_id, or pass --oauth")
	}
	var b bytes.Buffer
	b.WriteString(header)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(m); err != nil {
		return "", fmt.Errorf("encoding the manifest: %w", err)
	}
	if err := enc.Close(); err != nil {
		return "", fmt.Errorf("encoding the manifest: %w", err)
	}
	return b.String(), nil
}

// publicURL checks the base URL of HTTP mode: Slack only sends to https.
func publicURL(raw string) (string, error) {
	if raw == "" {
		return "", fmt.Errorf("http mode needs --url: the public https URL where Slack reaches industrybot serve (such as https://bot.example.com)")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("--url %q is not an https URL without query: Slack sends commands only to https (such as https://bot.example.com)", raw)
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), nil
}

const socketHeader = `# Slack app manifest for industrybot, Socket Mode (no public URL needed).
#
# 1. https://api.slack.com/apps → Create New App → From a manifest → pick the
#    workspace → paste this → Create.
# 2. Basic Information → App-Level Tokens → Generate Token with the
#    connections:write scope: set it as slack.app_token
#    (INDUSTRYBOT_SLACK_APP_TOKEN, xapp-…).
# 3. Install App → Install to Workspace, then copy the Bot User OAuth Token:
#    set it as slack.bot_token (INDUSTRYBOT_SLACK_BOT_TOKEN, xoxb-…).
# 4. industrybot serve
#
# Scopes: commands (the slash commands), chat:write (answers and daily
# picks), users:read (to let workspace admins and owners manage /daily; drop
# it and list admins in slack.admins instead if you prefer),
# chat:write.public (only with --chat-write-public: daily picks in public
# channels the bot was not invited to), channels:history and groups:history
# (only with --history: a daily pick whose answer was lost is looked for in
# the channel instead of reported unknown; they let the bot read the
# channels it is in).
`

const httpHeader = `# Slack app manifest for industrybot, HTTP mode (Slack POSTs to your server).
#
# 1. https://api.slack.com/apps → Create New App → From a manifest → pick the
#    workspace → paste this → Create.
# 2. Basic Information → App Credentials → Signing Secret: set it as
#    slack.signing_secret (INDUSTRYBOT_SLACK_SIGNING_SECRET), and set
#    slack.mode to http (INDUSTRYBOT_SLACK_MODE=http).
# 3. Install App → Install to Workspace, then copy the Bot User OAuth Token:
#    set it as slack.bot_token (INDUSTRYBOT_SLACK_BOT_TOKEN, xoxb-…); it is
#    optional here, but needed for daily picks and to recognise workspace
#    admins.
# 4. industrybot serve, reachable at the URL below over https.
#
# Scopes: commands (the slash commands), chat:write (answers and daily
# picks), users:read (to let workspace admins and owners manage /daily; drop
# it and list admins in slack.admins instead if you prefer),
# chat:write.public (only with --chat-write-public: daily picks in public
# channels the bot was not invited to), channels:history and groups:history
# (only with --history: a daily pick whose answer was lost is looked for in
# the channel instead of reported unknown; they let the bot read the
# channels it is in).
`

const oauthHeader = `# Slack app manifest for industrybot, HTTP mode, installable to many
# workspaces through OAuth v2 (Slack POSTs to your server).
#
# 1. https://api.slack.com/apps → Create New App → From a manifest → pick a
#    workspace → paste this → Create.
# 2. Basic Information → App Credentials: set the Client ID as
#    slack.client_id (INDUSTRYBOT_SLACK_CLIENT_ID), the Client Secret as
#    slack.client_secret (INDUSTRYBOT_SLACK_CLIENT_SECRET) and the Signing
#    Secret as slack.signing_secret (INDUSTRYBOT_SLACK_SIGNING_SECRET); set
#    slack.mode to http, slack.public_url to the URL below, and
#    store.encryption_key (INDUSTRYBOT_STORE_ENCRYPTION_KEY) to 32 random
#    bytes, such as the output of: openssl rand -base64 32. It seals each
#    workspace's token in the store: keep it, or every workspace must
#    install again.
# 3. industrybot serve, reachable at the URL below over https. Slack checks
#    the event request URL when you save it: serve must be up.
# 4. Manage Distribution → Activate Public Distribution, to let other
#    workspaces install it.
# 5. Share <URL>/slack/install: each workspace that opens it and allows the
#    app is installed with a token of its own. No slack.bot_token needed.
#
# Events: app_uninstalled and tokens_revoked (a workspace's token is
# deleted and its daily picks paused; installing again resumes them),
# app_home_opened (the Home tab shows today's pick and the daily channels).
#
# Scopes: commands (the slash commands), chat:write (answers and daily
# picks), users:read (to let workspace admins and owners manage /daily; the
# user who installed the app may too), chat:write.public (only with
# --chat-write-public), channels:history and groups:history (only with
# --history).
`

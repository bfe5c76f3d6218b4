package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/industrybot/industrybot/bot"
)

// Permissions is what the bot asks for when installed: View Channel, Send
// Messages and Embed Links.
const Permissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionEmbedLinks

// Scopes are the OAuth2 scopes of the link that installs the bot in a
// server.
const Scopes = "bot applications.commands"

// adminPermissions may manage a channel's daily pick.
const adminPermissions = discordgo.PermissionManageGuild | discordgo.PermissionAdministrator

// Commands returns the slash commands, as registered with Discord
// globally: the core's (bot.Commands), in its order and words. An admin
// command is shown only to those who may manage the server. A channel
// command (/daily), which needs a channel the bot is a member of, is for
// servers that installed the app, and only there; the others are for
// both installations, to a server and to a user's account, in servers,
// the bot's DM and other DMs and group DMs (Discord's private channels).
func Commands() []*discordgo.ApplicationCommand {
	specs := bot.Commands()
	cmds := make([]*discordgo.ApplicationCommand, len(specs))
	for i, c := range specs {
		cmd := &discordgo.ApplicationCommand{
			Name:             c.Name,
			Description:      c.Summary,
			Contexts:         &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM, discordgo.InteractionContextPrivateChannel},
			IntegrationTypes: &[]discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall, discordgo.ApplicationIntegrationUserInstall},
			Options:          specOptions(c),
		}
		if c.Admin {
			cmd.DefaultMemberPermissions = ptr(int64(discordgo.PermissionManageGuild))
		}
		if c.Channel {
			cmd.Contexts = &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild}
			cmd.IntegrationTypes = &[]discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall}
		}
		cmds[i] = cmd
	}
	return cmds
}

// specOptions are the options of a command as registered: its
// subcommands with theirs, or its own.
func specOptions(c bot.CommandSpec) []*discordgo.ApplicationCommandOption {
	var opts []*discordgo.ApplicationCommandOption
	for _, sub := range c.Subcommands {
		opts = append(opts, &discordgo.ApplicationCommandOption{
			Type:        discordgo.ApplicationCommandOptionSubCommand,
			Name:        sub.Name,
			Description: sub.Summary,
			Options:     specOptions(sub),
		})
	}
	for _, o := range c.Options {
		opt := &discordgo.ApplicationCommandOption{
			Type:         optionTypes[o.Value],
			Name:         o.Name,
			Description:  o.Summary,
			Autocomplete: o.Complete != bot.CompleteNothing,
			MaxLength:    o.MaxLen,
		}
		if o.MinLen > 0 {
			opt.MinLength = ptr(o.MinLen)
		}
		for _, ch := range o.Choices {
			opt.Choices = append(opt.Choices, &discordgo.ApplicationCommandOptionChoice{Name: ch.Label, Value: ch.Value})
		}
		opts = append(opts, opt)
	}
	return opts
}

// optionTypes are the Discord types of the values options take.
var optionTypes = map[bot.ValueType]discordgo.ApplicationCommandOptionType{
	bot.TextValue:    discordgo.ApplicationCommandOptionString,
	bot.BoolValue:    discordgo.ApplicationCommandOptionBoolean,
	bot.MentionValue: discordgo.ApplicationCommandOptionRole,
}

func ptr[T any](v T) *T { return &v }

// Usage renders a command as "/recommend [query] [kind]", for printing what
// was registered.
func Usage(c *discordgo.ApplicationCommand) string {
	var b strings.Builder
	b.WriteString("/" + c.Name)
	var subs []string
	for _, o := range c.Options {
		switch o.Type {
		case discordgo.ApplicationCommandOptionSubCommand:
			sub := o.Name
			for _, so := range o.Options {
				sub += " " + optionUsage(so)
			}
			subs = append(subs, sub)
		default:
			b.WriteString(" " + optionUsage(o))
		}
	}
	if len(subs) > 0 {
		b.WriteString(" " + strings.Join(subs, " | "))
	}
	if c.DefaultMemberPermissions != nil && *c.DefaultMemberPermissions&discordgo.PermissionManageGuild != 0 {
		b.WriteString(" (Manage Server)")
	}
	return b.String()
}

func optionUsage(o *discordgo.ApplicationCommandOption) string {
	if o.Required {
		return "<" + o.Name + ">"
	}
	return "[" + o.Name + "]"
}

// Register bulk-overwrites the application's commands with Commands(): in
// one guild when guildID is set (they appear at once, for testing), else
// globally. A guild's commands go without contexts and integration types,
// which Discord's docs give "only for globally-scoped commands": there
// they are the guild's, wherever it installed the app. It returns the
// commands as Discord stored them.
func Register(ctx context.Context, s *discordgo.Session, appID, guildID string) ([]*discordgo.ApplicationCommand, error) {
	if appID == "" {
		return nil, errors.New("discord: registering commands needs the application id: set discord.application_id")
	}
	if !isID(appID) {
		return nil, ErrApplicationID
	}
	where, endpoint := "globally", discordgo.EndpointApplicationGlobalCommands(appID)
	if guildID != "" {
		where, endpoint = "in guild "+guildID, discordgo.EndpointApplicationGuildCommands(appID, guildID)
	}
	body, err := s.RequestWithBucketID(http.MethodPut, endpoint, registration(Commands(), guildID != ""), endpoint, discordgo.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("discord: registering commands %s for application %s: %w%s", where, appID, describe(err), hint(err))
	}
	var cmds []*discordgo.ApplicationCommand
	if err := json.Unmarshal(body, &cmds); err != nil {
		return nil, fmt.Errorf("discord: registering commands %s for application %s: Discord's answer is not a list of commands: %w", where, appID, err)
	}
	return cmds, nil
}

// wireCommand is a command as Register sends it. discordgo's own type
// sends options, choices and channel types as null when there are none,
// which Discord documents as arrays, present or not: here they are left
// out instead; and dm_permission, which Discord deprecated for contexts,
// is never sent.
type wireCommand struct {
	Name                     string                                 `json:"name"`
	Description              string                                 `json:"description"`
	Type                     discordgo.ApplicationCommandType       `json:"type,omitempty"`
	DefaultMemberPermissions *string                                `json:"default_member_permissions,omitempty"`
	Contexts                 []discordgo.InteractionContextType     `json:"contexts,omitempty"`
	IntegrationTypes         []discordgo.ApplicationIntegrationType `json:"integration_types,omitempty"`
	Options                  []wireOption                           `json:"options,omitempty"`
}

// wireOption is an option as Register sends it.
type wireOption struct {
	Type         discordgo.ApplicationCommandOptionType      `json:"type"`
	Name         string                                      `json:"name"`
	Description  string                                      `json:"description"`
	Required     bool                                        `json:"required,omitempty"`
	Autocomplete bool                                        `json:"autocomplete,omitempty"`
	Choices      []*discordgo.ApplicationCommandOptionChoice `json:"choices,omitempty"`
	MinLength    *int                                        `json:"min_length,omitempty"`
	MaxLength    int                                         `json:"max_length,omitempty"`
	Options      []wireOption                                `json:"options,omitempty"`
}

// registration is the body of a bulk overwrite of cmds: in a guild, when
// guild is set, without the global-only fields.
func registration(cmds []*discordgo.ApplicationCommand, guild bool) []wireCommand {
	out := make([]wireCommand, len(cmds))
	for i, c := range cmds {
		w := wireCommand{Name: c.Name, Description: c.Description, Type: c.Type, Options: wireOptions(c.Options)}
		if p := c.DefaultMemberPermissions; p != nil {
			w.DefaultMemberPermissions = ptr(strconv.FormatInt(*p, 10))
		}
		if c.Contexts != nil && !guild {
			w.Contexts = *c.Contexts
		}
		if c.IntegrationTypes != nil && !guild {
			w.IntegrationTypes = *c.IntegrationTypes
		}
		out[i] = w
	}
	return out
}

func wireOptions(opts []*discordgo.ApplicationCommandOption) []wireOption {
	var out []wireOption
	for _, o := range opts {
		out = append(out, wireOption{
			Type: o.Type, Name: o.Name, Description: o.Description, Required: o.Required, Autocomplete: o.Autocomplete,
			Choices: o.Choices, MinLength: o.MinLength, MaxLength: o.MaxLength, Options: wireOptions(o.Options),
		})
	}
	return out
}

// ApplicationID asks Discord which application the bot token belongs to.
func ApplicationID(ctx context.Context, s *discordgo.Session) (string, error) {
	body, err := s.RequestWithBucketID("GET", discordgo.EndpointOAuth2Application("@me"), nil, discordgo.EndpointOAuth2Application(""), discordgo.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("discord: looking up the application of the bot token: %w%s", describe(err), hint(err))
	}
	var app struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &app); err != nil || app.ID == "" {
		return "", errors.New("discord: looking up the application of the bot token: the answer names no application; set discord.application_id")
	}
	return app.ID, nil
}

// ThreadPermissions are what a daily pick's thread needs besides
// Permissions: Create Public Threads, to open it on the post, and Send
// Messages in Threads, to put the commentary in it.
const ThreadPermissions = discordgo.PermissionCreatePublicThreads | discordgo.PermissionSendMessagesInThreads

// ErrApplicationID is returned for an application id that is not a
// Discord id, which no link or registration can use.
var ErrApplicationID = errors.New("discord: the application id is not a Discord id (a number): copy the Application ID from the Developer Portal's General Information page")

// isID reports whether s is a Discord id (a snowflake): a number.
func isID(s string) bool {
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// Invite says which install link InviteURL makes.
type Invite struct {
	// User makes the link that installs the app to the user's own account
	// (integration type 1): its commands in every DM, group DM and server
	// the user is in, answered there, but no bot in any server, so no
	// permissions and no daily picks.
	User bool
	// Threads adds ThreadPermissions to a server install's permissions,
	// for daily picks that open a thread on each post.
	Threads bool
}

// InviteURL is the link that installs the app with its commands: by
// default to a server (integration type 0), with its bot and the
// permissions it needs; with Invite.User, to the user's account. The
// application id must be a Discord id, a number.
func InviteURL(appID string, inv Invite) (string, error) {
	if !isID(appID) {
		return "", ErrApplicationID
	}
	v := url.Values{}
	v.Set("client_id", appID)
	switch {
	case inv.User && inv.Threads:
		return "", errors.New("discord: a user install adds no bot to any server, so it takes no permissions: threads are for a server install")
	case inv.User:
		v.Set("integration_type", fmt.Sprint(int(discordgo.ApplicationIntegrationUserInstall)))
		v.Set("scope", "applications.commands")
	default:
		perms := int64(Permissions)
		if inv.Threads {
			perms |= ThreadPermissions
		}
		v.Set("integration_type", fmt.Sprint(int(discordgo.ApplicationIntegrationGuildInstall)))
		v.Set("scope", Scopes)
		v.Set("permissions", strconv.FormatInt(perms, 10))
	}
	return "https://discord.com/oauth2/authorize?" + v.Encode(), nil
}

// describe renders a REST error without its request (which carries the
// token in a header) or a body too long to read.
func describe(err error) error {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		msg := re.Response.Status
		if re.Message != nil && re.Message.Code != 0 {
			msg += fmt.Sprintf(" (code %d: %s)", re.Message.Code, re.Message.Message)
		}
		return errors.New("HTTP " + msg)
	}
	return err
}

// hint says what to do about a REST error that someone must act on.
func hint(err error) string {
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Response == nil {
		return ""
	}
	switch re.Response.StatusCode {
	case 401:
		return ": the bot token was refused; copy it again from the Developer Portal (Bot → Reset Token) into INDUSTRYBOT_DISCORD_TOKEN"
	case 403:
		return ": the token's bot may not do this; check discord.application_id matches the token's application and the bot is in the guild"
	case 404:
		return ": no such application or guild; check discord.application_id and the guild id"
	}
	return ""
}

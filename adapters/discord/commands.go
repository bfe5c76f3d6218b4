package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/industrybot/industrybot/bot"
)

// Permissions is what the bot asks for when installed: View Channel, Send
// Messages and Embed Links.
const Permissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionEmbedLinks

// Scopes are the OAuth2 scopes of the install link.
const Scopes = "bot applications.commands"

// adminPermissions may manage a channel's daily pick.
const adminPermissions = discordgo.PermissionManageGuild | discordgo.PermissionAdministrator

// Commands returns the slash commands, as registered with Discord: the
// core's (bot.Commands), in its order and words. An admin command is shown
// only to those who may manage the server, and a channel command only in
// servers; the others work in servers and in the bot's DMs.
func Commands() []*discordgo.ApplicationCommand {
	specs := bot.Commands()
	cmds := make([]*discordgo.ApplicationCommand, len(specs))
	for i, c := range specs {
		cmd := &discordgo.ApplicationCommand{
			Name:             c.Name,
			Description:      c.Summary,
			Contexts:         &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM},
			IntegrationTypes: &[]discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall},
			Options:          specOptions(c),
		}
		if c.Admin {
			cmd.DefaultMemberPermissions = ptr(int64(discordgo.PermissionManageGuild))
		}
		if c.Channel {
			cmd.Contexts = &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild}
			cmd.DMPermission = ptr(false)
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
// globally. It returns the commands as Discord stored them.
func Register(ctx context.Context, s *discordgo.Session, appID, guildID string) ([]*discordgo.ApplicationCommand, error) {
	if appID == "" {
		return nil, errors.New("discord: registering commands needs the application id: set discord.application_id")
	}
	cmds, err := s.ApplicationCommandBulkOverwrite(appID, guildID, Commands(), discordgo.WithContext(ctx))
	if err != nil {
		where := "globally"
		if guildID != "" {
			where = "in guild " + guildID
		}
		return nil, fmt.Errorf("discord: registering commands %s for application %s: %w%s", where, appID, describe(err), hint(err))
	}
	return cmds, nil
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

// InviteURL is the link that installs the bot in a server with its commands
// and the permissions it needs.
func InviteURL(appID string) string {
	v := url.Values{}
	v.Set("client_id", appID)
	v.Set("scope", Scopes)
	v.Set("permissions", fmt.Sprint(Permissions))
	return "https://discord.com/oauth2/authorize?" + v.Encode()
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

package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/bwmarrin/discordgo"
	"github.com/spf13/cobra"

	discordadapter "github.com/industrybot/industrybot/adapters/discord"
	"github.com/industrybot/industrybot/bot"
)

// discordComponents wires Discord into serve: the HTTP interactions route
// (discord.mode http, which needs only discord.public_key), or a gateway
// connection with its shard and a readiness check (discord.mode gateway);
// and, when discord.token is set, a poster for daily picks.
func discordComponents(s *server) ([]component, error) {
	d := s.cfg.Discord
	if !d.On() {
		return nil, nil
	}
	log := s.log.With("platform", "discord")
	sess, err := discordadapter.NewSession(discordadapter.SessionConfig{Token: d.Token, APIURL: d.APIURL, ShardID: d.ShardID, ShardCount: d.ShardCount})
	if err != nil {
		return nil, err
	}
	c := discordadapter.Config{Handler: s.bot, Engine: s.engine, Session: sess, Mode: d.Mode, Logger: log, Bodies: s.bodies}
	if d.Mode == discordadapter.ModeHTTP {
		if c.PublicKey, err = discordadapter.ParsePublicKey(d.PublicKey); err != nil {
			return nil, &ConfigError{"discord.public_key", "is not a 64-digit hex Ed25519 key (copy it from the Developer Portal's General Information page)"}
		}
	}
	a, err := discordadapter.New(c)
	if err != nil {
		return nil, err
	}
	if d.Token != "" {
		s.posters[bot.Discord] = discordadapter.NewPoster(sess, log)
	}
	name := "discord gateway"
	if d.Mode == discordadapter.ModeHTTP {
		name = "discord interactions"
		log.Info("discord: answering interactions over HTTP", "path", discordadapter.InteractionsPath, "daily_posts", d.Token != "")
	} else {
		log.Info("discord: answering interactions over the gateway", "shard", d.ShardID, "shards", d.ShardCount)
	}
	return []component{s.wire(name, discordadapter.RoutePrefix, a)}, nil
}

// discordCmd is `industrybot discord …`.
func (e *env) discordCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "discord", Short: "Discord: register the slash commands, print the install link"}
	var guild string
	register := &cobra.Command{
		Use:   "register",
		Short: "Register the slash commands with Discord (a bulk overwrite), globally or in one guild",
		Long: `Register industrybot's slash commands (/recommend, /why, /random, /help and
/daily) with Discord, replacing the application's commands: globally, or in
one guild with --guild (or discord.guild_id), where they appear at once,
which is handy for testing. Global commands work for both installations:
/recommend, /why, /random and /help in servers, the bot's DM and, for users
who installed the app to their account, any DM or group DM; /daily only in
servers that installed the bot. A guild's commands work in that guild only. Needs discord.token; the application id comes
from discord.application_id, or is looked up with the token.`,
		Example: `  industrybot discord register --guild 123456789012345678
  industrybot discord register`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := e.app(cmd)
			if err != nil {
				return err
			}
			d := a.cfg.Discord
			if d.Token == "" {
				return &ConfigError{"discord.token", "is empty: registering commands needs the bot token (Developer Portal → Bot → Reset Token)"}
			}
			if !cmd.Flags().Changed("guild") {
				guild = d.GuildID
			}
			sess, appID, err := discordSession(cmd.Context(), d)
			if err != nil {
				return err
			}
			cmds, err := discordadapter.Register(cmd.Context(), sess, appID, guild)
			if errors.Is(err, discordadapter.ErrApplicationID) {
				return applicationIDError
			}
			if err != nil {
				return err
			}
			where := "globally"
			if guild != "" {
				where = "in guild " + guild
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Registered %d commands %s for application %s:\n", len(cmds), where, appID)
			for _, c := range cmds {
				fmt.Fprintf(out, "  %s\n      %s\n", discordadapter.Usage(c), c.Description)
			}
			if guild == "" {
				fmt.Fprintln(out, "Global commands can take a few minutes to show in every server; --guild ID shows them at once in one.")
			}
			return nil
		},
	}
	register.Flags().StringVar(&guild, "guild", "", "register in this guild only (default discord.guild_id; empty: globally)")
	var inv discordadapter.Invite
	invite := &cobra.Command{
		Use:   "invite",
		Short: "Print the link that installs the bot in a server, or the app to a user's account",
		Long: `Print the OAuth2 link that adds the bot to a server with its slash commands
(scopes bot and applications.commands) and the permissions it needs: View
Channel, Send Messages and Embed Links (19456); with --threads, also Create
Public Threads and Send Messages in Threads, for daily picks that open a
thread on each post.

With --user, print the link that installs the app to the user's own account
instead (integration type 1, scope applications.commands): /recommend, /why,
/random and /help then work in any DM, group DM or server the user is in,
answered there; /daily needs a server install. The app must allow user
installs (Developer Portal → Installation → Installation Contexts).

Needs discord.application_id, or discord.token to look it up.`,
		Example: `  industrybot discord invite
  industrybot discord invite --threads
  industrybot discord invite --user`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := e.app(cmd)
			if err != nil {
				return err
			}
			d := a.cfg.Discord
			appID := d.ApplicationID
			if appID == "" {
				if d.Token == "" {
					return &ConfigError{"discord.application_id", "is empty: the link needs the application id (Developer Portal → General Information), or set discord.token to look it up"}
				}
				if _, appID, err = discordSession(cmd.Context(), d); err != nil {
					return err
				}
			}
			link, err := discordadapter.InviteURL(appID, inv)
			if errors.Is(err, discordadapter.ErrApplicationID) {
				return applicationIDError
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), link)
			return nil
		},
	}
	invite.Flags().BoolVar(&inv.User, "user", false, "the link that installs the app to a user's account (user install) instead of a server")
	invite.Flags().BoolVar(&inv.Threads, "threads", false, "add Create Public Threads and Send Messages in Threads, for daily picks in threads")
	invite.MarkFlagsMutuallyExclusive("user", "threads")
	cmd.AddCommand(register, invite)
	return cmd
}

// applicationIDError is the answer to a discord.application_id that is
// not a Discord id.
var applicationIDError = &ConfigError{"discord.application_id", "is not a Discord id (a number): copy the Application ID from the Developer Portal's General Information page"}

// discordSession opens a REST session with the bot token and returns the
// application id: discord.application_id, or the token's application.
func discordSession(ctx context.Context, d DiscordConfig) (sess *discordgo.Session, appID string, err error) {
	sess, err = discordadapter.NewSession(discordadapter.SessionConfig{Token: d.Token, APIURL: d.APIURL})
	if err != nil {
		return nil, "", err
	}
	appID = d.ApplicationID
	if appID == "" {
		if appID, err = discordadapter.ApplicationID(ctx, sess); err != nil {
			return nil, "", fmt.Errorf("%w (or set discord.application_id, INDUSTRYBOT_DISCORD_APPLICATION_ID)", err)
		}
	}
	return sess, appID, nil
}

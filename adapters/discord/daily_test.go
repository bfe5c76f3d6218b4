package discord

import (
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/industrybot/industrybot/adapters/discord/discordtest"
)

// TestDailySubscribeWhatTheBotMayNotDo: /daily subscribe with thread, or
// with a role to mention, is refused with the reason when the bot may not
// do it in the channel, as Discord tells by the interaction's
// app_permissions (Create Public Threads and Send Messages in Threads;
// Mention Everyone) and data.resolved.roles (a role anyone may mention);
// and subscribes when it may.
func TestDailySubscribeWhatTheBotMayNotDo(t *testing.T) {
	t.Parallel()
	h := startHTTP(t, harnessConfig{handler: dailyBot(t)})
	mentionable, locked := h.f.AddRole(testGuild, "film-club", true), h.f.AddRole(testGuild, "mods", false)
	var chans channels
	admin := func(perms int64) discordtest.Caller {
		c := chans.next(testGuild)
		c.Permissions, c.AppPermissions = discordgo.PermissionManageGuild, perms
		return c
	}
	const threads = discordgo.PermissionCreatePublicThreads | discordgo.PermissionSendMessagesInThreads
	tests := []struct {
		name   string
		caller discordtest.Caller
		opts   []*discordgo.ApplicationCommandInteractionDataOption
		want   string
	}{
		{"a thread, without the permissions", admin(discordtest.InviteGrants), []*discordgo.ApplicationCommandInteractionDataOption{discordtest.Bool("thread", true)},
			"The bot cannot open a thread on each post here: industrybot lacks the Create Public Threads and Send Messages in Threads permissions in this channel."},
		{"a thread, without Send Messages in Threads", admin(discordtest.InviteGrants | discordgo.PermissionCreatePublicThreads), []*discordgo.ApplicationCommandInteractionDataOption{discordtest.Bool("thread", true)},
			"lacks the Send Messages in Threads permission"},
		{"a thread, with the permissions", admin(discordtest.InviteGrants | threads), []*discordgo.ApplicationCommandInteractionDataOption{discordtest.Bool("thread", true), discordtest.String("days", "fri")},
			"Each post opens a thread"},
		{"a thread, as an administrator", admin(discordtest.InviteGrants | discordgo.PermissionAdministrator), []*discordgo.ApplicationCommandInteractionDataOption{discordtest.Bool("thread", true)},
			"Each post opens a thread"},
		{"no thread", admin(discordtest.InviteGrants), []*discordgo.ApplicationCommandInteractionDataOption{discordtest.Bool("thread", false)},
			"Daily pick on: every day"},
		{"a role that is not mentionable", admin(discordtest.InviteGrants), []*discordgo.ApplicationCommandInteractionDataOption{discordtest.Role("mention", locked.ID)},
			"The bot cannot mention that role or group with each post here: the role @mods is not mentionable by everyone, and industrybot lacks the Mention Everyone permission in this channel."},
		{"a role that is not mentionable, with Mention Everyone", admin(discordtest.InviteGrants | discordgo.PermissionMentionEveryone), []*discordgo.ApplicationCommandInteractionDataOption{discordtest.Role("mention", locked.ID)},
			"Each post mentions the role"},
		{"a mentionable role", admin(discordtest.InviteGrants), []*discordgo.ApplicationCommandInteractionDataOption{discordtest.Role("mention", mentionable.ID)},
			"Each post mentions the role"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := decode(t, h.ask(t, h.f.Command(tc.caller, "daily", discordtest.Subcommand("subscribe", tc.opts...))))
			if !w.private() || !strings.Contains(w.content().Text, tc.want) {
				t.Errorf("answer %q (private %v), want a private one holding %q", w.content().Text, w.private(), tc.want)
			}
		})
	}
}

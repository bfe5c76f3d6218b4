package discord

import (
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/industrybot/industrybot/adapters/discord/discordtest"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

// dailyBot is a bot that manages daily picks, on a clock that stands
// still: /daily answers as in production, and nothing is posted.
func dailyBot(t *testing.T) *bot.Bot {
	t.Helper()
	store := bot.NewMemoryStore()
	sched := bot.NewScheduler(bot.SchedulerConfig{Store: store, Catalog: bottest.Catalog(t), Clock: bottest.NewClock(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))})
	return bot.New(bot.Config{Engine: bottest.Engine(t), Memory: store, Daily: sched})
}

// TestUserInstallInAGroupDM: a user who installed the app to their account
// uses it in a group DM, where no bot can be a member and Discord refuses
// the bot's own posts. Commands and buttons are answered through the
// interactions alone, over the gateway and over HTTP: a public answer
// with its buttons; Another in its place (UPDATE_MESSAGE); Why? as a
// message of its own. /daily, which posts on its own, is refused with
// the reason, before asking whether the user may manage it; so it is in a
// server that only the user installed the app in.
func TestUserInstallInAGroupDM(t *testing.T) {
	t.Parallel()
	for _, x := range transports(t, harnessConfig{handler: dailyBot(t)}) {
		t.Run(x.name, func(t *testing.T) {
			f := x.tr.fake()
			var chans channels
			gdm := chans.groupDM()

			picks := decode(t, x.tr.ask(t, f.Command(gdm, "recommend", discordtest.String("query", "talky"))))
			isMessage(false, []string{"The Social Network", "Michael Clayton"},
				[2]string{"Another", "ib1:recommend::talky"}, [2]string{"Why The Social Network?", "ib1:why::the-social-network"}, [2]string{"Why Michael Clayton?", "ib1:why::michael-clayton"})(t, picks)

			another := decode(t, x.tr.ask(t, f.Button(gdm, "ib1:recommend::talky")))
			if another.Type != int(discordgo.InteractionResponseUpdateMessage) || len(another.Data.Embeds) == 0 {
				t.Errorf("Another = %+v, want the picks replaced (type 7)", another)
			}
			why := decode(t, x.tr.ask(t, f.Button(gdm, "ib1:why::the-social-network")))
			isMessage(false, []string{"The Social Network"})(t, why)

			for _, action := range []string{"subscribe", "status"} {
				w := decode(t, x.tr.ask(t, f.Command(gdm, "daily", discordtest.Subcommand(action))))
				if !w.private() || !strings.Contains(w.Data.Content, "Daily picks need a channel the bot can post to by itself") || !strings.Contains(w.Data.Content, "group DM") {
					t.Errorf("/daily %s in a group DM = %q (private %v), want it refused privately, saying why", action, w.Data.Content, w.private())
				}
			}

			server := chans.next(testGuild)
			server.UserInstall, server.Permissions = true, discordgo.PermissionManageGuild
			w := decode(t, x.tr.ask(t, f.Command(server, "daily", discordtest.Subcommand("subscribe"))))
			if !w.private() || !strings.Contains(w.Data.Content, "not to this server") {
				t.Errorf("/daily subscribe where only the user installed the app = %q, want it refused, saying why", w.Data.Content)
			}

			for _, ch := range []string{gdm.ChannelID, server.ChannelID} {
				if n := f.Attempts(ch) + f.ThreadAttempts(ch); n != 0 {
					t.Errorf("%d calls to channel %s with the bot token, want none", n, ch)
				}
				if f.IsMember(ch) {
					t.Errorf("the fake takes the bot for a member of %s", ch)
				}
			}
		})
	}
}

// TestUserInstallSlowAnswer: a slow answer in a group DM is deferred and
// then edited in through the interaction's webhook, which needs no
// membership.
func TestUserInstallSlowAnswer(t *testing.T) {
	t.Parallel()
	h := &slowHandler{release: make(chan struct{}), reply: bot.Reply{Text: "A random pick", Picks: []bot.Pick{{Title: bottest.Catalog(t).Pick("heat"), Excerpt: "…"}}, Attribution: "them"}}
	for _, x := range transports(t, harnessConfig{handler: h, deferAfter: 1}) {
		t.Run(x.name, func(t *testing.T) {
			f := x.tr.fake()
			i := f.Command((&channels{}).groupDM(), "random")
			if first := decode(t, x.tr.ask(t, i)); first.Type != int(discordgo.InteractionResponseDeferredChannelMessageWithSource) {
				t.Fatalf("first answer type %d, want a deferral (5)", first.Type)
			}
			h.release <- struct{}{}
			err := f.Wait(waitCtx(t), func() bool { return len(f.Interaction(i.Token).Edits) == 1 })
			if err != nil {
				t.Fatalf("no edit after the deferral: %v", err)
			}
		})
	}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/industrybot/industrybot/bot"
)

// configuredSubscriptions turns daily.channels into subscriptions.
func (a *app) configuredSubscriptions() []bot.Subscription {
	var out []bot.Subscription
	for _, c := range a.cfg.Daily.Channels {
		days := a.cfg.Daily.Days
		if c.Days != "" {
			days = c.days
		}
		out = append(out, bot.Subscription{
			Channel: bot.ChannelKey{Platform: bot.Platform(c.Platform), Channel: c.Channel},
			Time:    c.Time, Timezone: c.Timezone, Days: days, Thread: c.Thread, Mention: c.Mention, Source: "config",
		})
	}
	return out
}

// scheduler builds the daily scheduler on a store.
func (a *app) scheduler(store bot.Store, cat *bot.Catalog, posters map[bot.Platform]bot.Poster, owner string) *bot.Scheduler {
	return bot.NewScheduler(bot.SchedulerConfig{
		Store: store, Catalog: cat, Posters: posters, Logger: a.log, Owner: owner,
		CatchUp: a.cfg.Daily.CatchUp, Lease: a.cfg.Daily.Lease, Tick: a.cfg.Daily.Tick,
		DefaultTime: a.cfg.Daily.Time, DefaultZone: a.cfg.Daily.Timezone, DefaultDays: a.cfg.Daily.Days,
		Setup: map[bot.Platform]string{bot.Discord: "set discord.token", bot.Slack: "set slack.bot_token (or slack.client_id, to install through OAuth)"},
	})
}

// adminsFor says who may manage /daily on each platform, in the words of
// its configuration: with OAuth installs, a workspace's installer too.
func adminsFor(cfg *Config) map[bot.Platform]string {
	if !cfg.Slack.OAuth() {
		return admins
	}
	m := maps.Clone(admins)
	m[bot.Slack] = "workspace admins and owners, the user who installed industrybot in the workspace, and the users in slack.admins"
	return m
}

// admins says who may manage /daily on each platform, in the words of its
// configuration.
var admins = map[bot.Platform]string{
	bot.Discord: "members with the Manage Server permission",
	bot.Slack:   "workspace admins and owners, and the users in slack.admins",
}

// owner names this process in daily-post claims: the host and the address
// it serves, which differ between replicas and stay put across restarts.
func owner(addr string) string {
	host, err := os.Hostname()
	if err != nil {
		host = "localhost"
	}
	return host + " " + addr
}

// maxPreviewDays bounds `daily preview --days`: a year of picks.
const maxPreviewDays = 366

func (e *env) dailyCmd() *cobra.Command {
	c := &cobra.Command{Use: "daily", Short: "Daily picks: preview the coming picks, show every subscription's state"}
	var channel string
	var days int
	preview := &cobra.Command{
		Use:   "preview",
		Short: "Print the coming daily picks of each subscribed channel",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if days < 1 || days > maxPreviewDays {
				return &exitError{2, fmt.Errorf("--days is %d: give a number of days from 1 to %d", days, maxPreviewDays)}
			}
			return e.withSchedule(cmd, channel, func(ctx context.Context, s *bot.Scheduler, sub bot.Subscription, stored bool) error {
				list, err := s.Preview(ctx, sub, days)
				if err != nil {
					return err
				}
				loc, _ := bot.LoadZone(sub.Timezone)
				fmt.Fprintf(cmd.OutOrStdout(), "%s, every day at %s %s:\n", sub.Channel, sub.Time, sub.Timezone)
				for _, d := range list {
					line := fmt.Sprintf("  %s  %s", d.Due.In(loc).Format("Mon 2 Jan 2006 15:04 MST"), d.Due.UTC().Format("(15:04 UTC)"))
					switch {
					case d.State != "" && d.Pick != nil:
						line += "  " + d.Pick.Title + " [" + string(d.State) + "]"
					case d.State != "":
						line += "  [" + string(d.State) + "]"
					default:
						line += "  " + d.Pick.Title + " (" + d.Pick.Years() + ")"
					}
					fmt.Fprintln(cmd.OutOrStdout(), line)
				}
				return nil
			})
		},
	}
	preview.Flags().StringVar(&channel, "channel", "", "only this channel: an ID, or platform:ID")
	preview.Flags().IntVar(&days, "days", 7, fmt.Sprintf("how many days, 1 to %d", maxPreviewDays))
	status := &cobra.Command{
		Use:   "status",
		Short: "Print the state of every daily subscription",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withSchedule(cmd, channel, func(ctx context.Context, s *bot.Scheduler, sub bot.Subscription, stored bool) error {
				fmt.Fprintf(cmd.OutOrStdout(), "%s\n", sub.Channel)
				if !stored {
					fmt.Fprintf(cmd.OutOrStdout(), "  in daily.channels, every day at %s %s; starts when serve runs.\n", sub.Time, sub.Timezone)
					return nil
				}
				st, err := s.Status(ctx, sub.Channel)
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), "  "+strings.ReplaceAll(st.String(), "\n", "\n  "))
				return nil
			})
		},
	}
	status.Flags().StringVar(&channel, "channel", "", "only this channel: an ID, or platform:ID")
	c.AddCommand(preview, status)
	return c
}

// withSchedule opens the store and calls f for each subscription: those in
// the store, then those in daily.channels that serve has not stored yet.
func (e *env) withSchedule(cmd *cobra.Command, channel string, f func(context.Context, *bot.Scheduler, bot.Subscription, bool) error) error {
	a, err := e.app(cmd)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	store, err := a.openStore(ctx, 0)
	if err != nil {
		return err
	}
	defer store.Close()
	cat, err := a.catalog()
	if err != nil {
		return err
	}
	s := a.scheduler(store, cat, a.postersConfigured(), owner("cli"))
	stored, err := store.ListSubscriptions(ctx)
	if err != nil {
		return err
	}
	have := map[bot.ChannelKey]bool{}
	type entry struct {
		sub    bot.Subscription
		stored bool
	}
	var all []entry
	for _, sub := range stored {
		have[sub.Channel] = true
		all = append(all, entry{sub, true})
	}
	for _, sub := range a.configuredSubscriptions() {
		if !have[sub.Channel] {
			if sub.Time == "" {
				sub.Time = a.cfg.Daily.Time
			}
			if sub.Timezone == "" {
				sub.Timezone = a.cfg.Daily.Timezone
			}
			all = append(all, entry{sub, false})
		}
	}
	n := 0
	for _, x := range all {
		if channel != "" && channel != x.sub.Channel.Channel && channel != x.sub.Channel.String() {
			continue
		}
		n++
		if err := f(ctx, s, x.sub, x.stored); err != nil {
			return err
		}
	}
	if n == 0 {
		if channel != "" {
			return &exitError{1, fmt.Errorf("no daily subscription for channel %q", channel)}
		}
		fmt.Fprintln(cmd.OutOrStdout(), "No daily subscriptions: add daily.channels to the configuration, or type /daily subscribe in a channel.")
	}
	return nil
}

// postersConfigured stands in for the posters serve would have, so status
// can say which platforms lack a bot token. The command line never posts.
func (a *app) postersConfigured() map[bot.Platform]bot.Poster {
	m := map[bot.Platform]bot.Poster{}
	if a.cfg.Discord.Token != "" {
		m[bot.Discord] = cliPoster{}
	}
	if a.cfg.Slack.BotToken != "" || a.cfg.Slack.OAuth() {
		m[bot.Slack] = cliPoster{}
	}
	return m
}

// cliPoster is a poster the command line holds but never uses.
type cliPoster struct{}

func (cliPoster) Post(context.Context, string, string, bot.Reply) error {
	return &bot.PostError{Err: errors.New("the command line does not post")}
}

func (cliPoster) Look(context.Context, string, string, time.Time) (bool, error) {
	return false, fmt.Errorf("%w: the command line does not look", bot.ErrCannotLook)
}

func (cliPoster) Dedup() time.Duration { return 0 }

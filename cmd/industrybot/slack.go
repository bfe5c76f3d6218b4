package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	slackadapter "github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/internal/seal"
)

// slackHTTPTimeout bounds every call to Slack's Web API and response URLs.
const slackHTTPTimeout = 30 * time.Second

// slackComponents wires Slack into serve: the HTTP routes, or a Socket
// Mode connection, and a poster for daily picks; with slack.client_id,
// installs to many workspaces through OAuth, kept in the store.
func slackComponents(s *server) ([]component, error) {
	c := s.cfg.Slack
	if !c.On() {
		return nil, nil
	}
	client := &http.Client{Timeout: slackHTTPTimeout}
	log := s.log.With("platform", "slack")
	inst, err := slackInstalls(s, client, log)
	if err != nil {
		return nil, err
	}
	cfg := slackadapter.Config{
		Handler:    s.bot,
		Logger:     log,
		Mode:       c.Mode,
		BotToken:   c.BotToken,
		APIURL:     c.APIURL,
		Admins:     c.Admins,
		HTTPClient: client,
		Bodies:     s.bodies,
		Installs:   inst,
	}
	if s.store != nil && s.daily != nil {
		cfg.Daily = slackDaily{s.store, s.daily}
	}
	switch c.Mode {
	case slackadapter.ModeHTTP:
		cfg.SigningSecret = c.SigningSecret
	default:
		cfg.AppToken = c.AppToken
	}
	a, err := slackadapter.New(cfg)
	if err != nil {
		return nil, err
	}
	if c.BotToken != "" || inst != nil {
		p, err := slackadapter.NewPoster(slackadapter.PosterConfig{BotToken: c.BotToken, Installs: inst, APIURL: c.APIURL, HTTPClient: client, Logger: log})
		if err != nil {
			return nil, err
		}
		s.posters[bot.Slack] = p
	}
	if c.Mode == slackadapter.ModeHTTP {
		log.Info("slack: answering slash commands over HTTP", "commands", slackadapter.CommandsPath, "interactions", slackadapter.InteractionsPath,
			"events", slackadapter.EventsPath, "daily_posts", c.BotToken != "" || inst != nil)
	}
	if inst != nil {
		log.Info("slack: installing to many workspaces through OAuth", "install", inst.InstallURL(), "redirect", inst.RedirectURL())
	}
	return []component{s.wire("slack", slackadapter.RoutePrefix, a)}, nil
}

// slackInstalls returns the OAuth installs of slack.client_id, kept in
// serve's store with their tokens sealed by store.encryption_key; nil
// without a client id.
func slackInstalls(s *server, client *http.Client, log *slog.Logger) (*slackadapter.Installs, error) {
	c := s.cfg.Slack
	if !c.OAuth() {
		return nil, nil
	}
	store, ok := s.store.(slackadapter.InstallStore)
	if !ok {
		return nil, &ConfigError{"store.driver", fmt.Sprintf("is %q, which keeps no installations of Slack workspaces", s.cfg.StoreDriver)}
	}
	key, err := seal.ParseKey(s.cfg.StoreEncryptionKey)
	if err != nil {
		return nil, &ConfigError{"store.encryption_key", "is not 32 bytes in base64 or hex: make one with openssl rand -base64 32"}
	}
	if s.cfg.StoreDriver == "memory" {
		log.Warn("slack: store.driver is memory: every workspace must install the app again after a restart")
	}
	return slackadapter.NewInstalls(slackadapter.InstallsConfig{
		ClientID: c.ClientID, ClientSecret: c.ClientSecret, PublicURL: c.PublicURL,
		Store: store, Key: key, APIURL: c.APIURL, HTTPClient: client, Logger: log,
	})
}

// slackDaily is what the App Home shows of the daily picks: the store's
// subscriptions, and where the scheduler says each stands.
type slackDaily struct {
	bot.Store
	*bot.Scheduler
}

// slackCmd is `industrybot slack …`.
func (e *env) slackCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "slack", Short: "Slack: print the app manifest"}
	var mode, url, name string
	var public, history, oauth, rotation bool
	manifest := &cobra.Command{
		Use:   "manifest",
		Short: "Print a Slack app manifest (YAML) to paste at api.slack.com/apps → Create New App → From a manifest",
		Long: `Print a Slack app manifest (YAML) with industrybot's slash commands, the bot
scopes it needs (commands, chat:write, users:read; chat:write.public with
--chat-write-public; channels:history and groups:history with --history),
interactivity for its buttons, and either Socket Mode or, with --mode http,
the request URLs under --url. With OAuth (--oauth, or slack.client_id
configured) it also has the redirect URL of installs to many workspaces,
the Events API (uninstalls, the Home tab) and the Home tab; with
--token-rotation, bot tokens that expire and are refreshed.

The mode defaults to slack.mode (INDUSTRYBOT_SLACK_MODE), else socket.`,
		Example: `  industrybot slack manifest
  industrybot slack manifest --mode http --url https://bot.example.com
  industrybot slack manifest --mode http --url https://bot.example.com --oauth`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("mode") || !cmd.Flags().Changed("oauth") {
				a, err := e.app(cmd)
				if err != nil {
					return err
				}
				if !cmd.Flags().Changed("mode") {
					mode = a.cfg.Slack.Mode
				}
				if !cmd.Flags().Changed("oauth") {
					oauth = a.cfg.Slack.OAuth()
				}
			}
			if mode != slackadapter.ModeSocket && mode != slackadapter.ModeHTTP {
				return &exitError{2, fmt.Errorf("--mode %q: use socket or http", mode)}
			}
			out, err := slackadapter.Manifest(slackadapter.ManifestOptions{Mode: mode, URL: url, Name: name, PublicChannels: public, History: history,
				OAuth: oauth || rotation, TokenRotation: rotation})
			if err != nil {
				return &exitError{2, err}
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), out)
			return err
		},
	}
	manifest.Flags().StringVar(&mode, "mode", slackadapter.ModeSocket, "socket or http (default: slack.mode)")
	manifest.Flags().StringVar(&url, "url", "", "http mode: the public https URL where Slack reaches industrybot serve")
	manifest.Flags().StringVar(&name, "name", "industrybot", "the app's name in Slack")
	manifest.Flags().BoolVar(&public, "chat-write-public", false, "add chat:write.public: daily picks in public channels the bot was not invited to")
	manifest.Flags().BoolVar(&history, "history", false, "add channels:history and groups:history: a daily pick whose answer was lost is looked for instead of reported unknown")
	manifest.Flags().BoolVar(&oauth, "oauth", false, "http mode: installable to many workspaces through OAuth, with the Events API and the Home tab (default: when slack.client_id is set)")
	manifest.Flags().BoolVar(&rotation, "token-rotation", false, "with OAuth: bot tokens expire every 12 hours and are refreshed before")
	cmd.AddCommand(manifest)
	return cmd
}

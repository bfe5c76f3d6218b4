package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	slackadapter "github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/bot"
)

// slackHTTPTimeout bounds every call to Slack's Web API and response URLs.
const slackHTTPTimeout = 30 * time.Second

// slackComponents wires Slack into serve: the HTTP routes, or a Socket
// Mode connection, and a poster for daily picks.
func slackComponents(s *server) ([]component, error) {
	c := s.cfg.Slack
	if !c.On() {
		return nil, nil
	}
	client := &http.Client{Timeout: slackHTTPTimeout}
	log := s.log.With("platform", "slack")
	cfg := slackadapter.Config{
		Handler:    s.bot,
		Logger:     log,
		Mode:       c.Mode,
		BotToken:   c.BotToken,
		APIURL:     c.APIURL,
		Admins:     c.Admins,
		HTTPClient: client,
		Bodies:     s.bodies,
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
	if c.BotToken != "" {
		p, err := slackadapter.NewPoster(slackadapter.PosterConfig{BotToken: c.BotToken, APIURL: c.APIURL, HTTPClient: client, Logger: log})
		if err != nil {
			return nil, err
		}
		s.posters[bot.Slack] = p
	}
	if c.Mode == slackadapter.ModeHTTP {
		log.Info("slack: answering slash commands over HTTP", "commands", slackadapter.CommandsPath, "interactions", slackadapter.InteractionsPath, "daily_posts", c.BotToken != "")
	}
	return []component{s.wire("slack", slackadapter.RoutePrefix, a)}, nil
}

// slackCmd is `industrybot slack …`.
func (e *env) slackCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "slack", Short: "Slack: print the app manifest"}
	var mode, url, name string
	var public, history bool
	manifest := &cobra.Command{
		Use:   "manifest",
		Short: "Print a Slack app manifest (YAML) to paste at api.slack.com/apps → Create New App → From a manifest",
		Long: `Print a Slack app manifest (YAML) with industrybot's slash commands, the bot
scopes it needs (commands, chat:write, users:read; chat:write.public with
--chat-write-public; channels:history and groups:history with --history),
interactivity for its buttons, and either Socket Mode or, with --mode http,
the request URLs under --url.

The mode defaults to slack.mode (INDUSTRYBOT_SLACK_MODE), else socket.`,
		Example: `  industrybot slack manifest
  industrybot slack manifest --mode http --url https://bot.example.com`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("mode") {
				a, err := e.app(cmd)
				if err != nil {
					return err
				}
				mode = a.cfg.Slack.Mode
			}
			if mode != slackadapter.ModeSocket && mode != slackadapter.ModeHTTP {
				return &exitError{2, fmt.Errorf("--mode %q: use socket or http", mode)}
			}
			out, err := slackadapter.Manifest(slackadapter.ManifestOptions{Mode: mode, URL: url, Name: name, PublicChannels: public, History: history})
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
	cmd.AddCommand(manifest)
	return cmd
}

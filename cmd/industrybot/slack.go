package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// slackComponents wires Slack into serve: the HTTP routes, or a Socket
// Mode connection, and a poster for daily picks.
func slackComponents(s *server) ([]component, error) {
	if s.cfg.Slack.On() {
		return nil, errors.New("slack: not available in this build yet")
	}
	return nil, nil
}

// slackCmd is `industrybot slack …`.
func (e *env) slackCmd() *cobra.Command {
	return &cobra.Command{Use: "slack", Short: "Slack: print the app manifest", Hidden: true}
}

package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// discordComponents wires Discord into serve. (The Discord adapter replaces
// this.)
func discordComponents(s *server) ([]component, error) {
	if s.cfg.Discord.On() {
		return nil, errors.New("discord: not available in this build yet")
	}
	return nil, nil
}

// slackComponents wires Slack into serve. (The Slack adapter replaces this.)
func slackComponents(s *server) ([]component, error) {
	if s.cfg.Slack.On() {
		return nil, errors.New("slack: not available in this build yet")
	}
	return nil, nil
}

// platformCmds are the platforms' own subcommands.
func (e *env) platformCmds() []*cobra.Command { return nil }

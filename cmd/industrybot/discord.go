package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// discordComponents wires Discord into serve: the HTTP interactions route,
// or a gateway connection, and a poster for daily picks.
func discordComponents(s *server) ([]component, error) {
	if s.cfg.Discord.On() {
		return nil, errors.New("discord: not available in this build yet")
	}
	return nil, nil
}

// discordCmd is `industrybot discord …`.
func (e *env) discordCmd() *cobra.Command {
	return &cobra.Command{Use: "discord", Short: "Discord: register commands, print the install URL", Hidden: true}
}

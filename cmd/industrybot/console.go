package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/industrybot/industrybot/adapters/console"
	"github.com/industrybot/industrybot/bot"
)

func (e *env) consoleCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "console",
		Short: "Chat with the bot in this terminal (the default with no credentials)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := e.app(cmd)
			if err != nil {
				return err
			}
			return a.console(cmd.Context())
		},
	}
}

// console runs the local chat. Its memory lasts as long as the session.
func (a *app) console(ctx context.Context) error {
	b, err := a.newBot(bot.NewMemoryStore())
	if err != nil {
		return err
	}
	return console.New(b, a.stdout).Run(ctx, a.stdin)
}

func (e *env) askCmd() *cobra.Command {
	return &cobra.Command{
		Use:   `ask "/command [text]"`,
		Short: "Answer one command and exit",
		Example: `  industrybot ask "/why heat"
  industrybot ask "/recommend something tense"`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := e.app(cmd)
			if err != nil {
				return err
			}
			b, err := a.newBot(bot.NewMemoryStore())
			if err != nil {
				return err
			}
			out, err := console.Ask(cmd.Context(), b, strings.Join(args, " "))
			if err != nil {
				return &exitError{2, err}
			}
			fmt.Fprint(a.stdout, out)
			return nil
		},
	}
}

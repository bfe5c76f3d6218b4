package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/industrybot/industrybot/adapters/console"
	"github.com/industrybot/industrybot/bot"
)

func (e *env) consoleCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "console",
		Short: "Chat with the bot in this terminal (the default with no credentials)",
		Long: `Chat with the bot in this terminal: the same commands as on Discord and
Slack, and words without a slash ask for recommendations. On a terminal,
lines are edited as in a shell: ↑ and ↓ recall earlier lines (kept between
runs in the user's cache directory), Tab completes commands, titles and time
zones, Ctrl-C clears the line (twice quits) and Ctrl-D quits. Answers wrap at
the terminal's width, in colour unless NO_COLOR is set; piped, they are plain
text, a line a paragraph.`,
		Annotations: map[string]string{local: "no platform"},
		Args:        cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := e.app(cmd)
			if err != nil {
				return err
			}
			return a.console(cmd.Context())
		},
	}
}

// console runs the local chat. Its memory and its daily pick last as long
// as the session; the daily pick is printed when it is due.
func (a *app) console(ctx context.Context) error {
	cat, err := a.catalog()
	if err != nil {
		return err
	}
	engine := a.engine(cat)
	store := bot.NewMemoryStore()
	term := console.NewTerminal(a.stdin, a.stdout, a.getenv)
	// The scheduler's start and its routine notes are not news in a chat.
	quiet := a.log
	if a.cfg.LogLevel == "info" {
		quiet = newLogger(a.stderr, "warn", a.cfg.LogFormat, a.cfg.secrets())
	}
	sched := bot.NewScheduler(bot.SchedulerConfig{
		Store: store, Catalog: cat, Posters: map[bot.Platform]bot.Poster{bot.Console: term}, Logger: quiet, Owner: owner("console"),
		CatchUp: a.cfg.Daily.CatchUp, Tick: a.cfg.Daily.Tick,
		DefaultTime: a.cfg.Daily.Time, DefaultZone: a.cfg.Daily.Timezone, DefaultDays: a.cfg.Daily.Days,
	})
	b := bot.New(bot.Config{Engine: engine, Memory: store, Daily: sched, Logger: a.log})
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go sched.Run(ctx)
	c := console.New(console.Config{Handler: b, Terminal: term, Engine: engine, Daily: sched, HistoryFile: a.historyFile()})
	return c.Run(ctx)
}

// historyFile is where the console keeps the lines typed: industrybot/history
// in the user's cache directory; "" when there is none.
func (e *env) historyFile() string {
	dir, err := e.cacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "industrybot", "history")
}

func (e *env) cacheDir() (string, error) {
	if e.cache != nil {
		return e.cache()
	}
	return os.UserCacheDir()
}

func (e *env) getenv(key string) string {
	if e.lookupEnv != nil {
		v, _ := e.lookupEnv(key)
		return v
	}
	return os.Getenv(key)
}

func (e *env) askCmd() *cobra.Command {
	return &cobra.Command{
		Use:   `ask "/command [text]"`,
		Short: "Answer one command and exit (no platform credentials needed)",
		Long: `Answer one command, or words that ask for recommendations, and exit: 0 with
the answer on stdout, or 2 with one line on stderr saying why there is none.
Piped, the answer is plain text, a line a paragraph, so grep finds any
sentence of it.`,
		Annotations: map[string]string{local: "no platform"},
		Example: `  industrybot ask "/why heat"
  industrybot ask "/recommend something tense"
  industrybot ask something tense`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 || strings.TrimSpace(strings.Join(args, " ")) == "" {
				return &exitError{2, errors.New(`ask needs a command or words to answer: industrybot ask "/why heat"`)}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := e.app(cmd)
			if err != nil {
				return err
			}
			b, err := a.newBot(bot.NewMemoryStore())
			if err != nil {
				return err
			}
			term := console.NewTerminal(a.stdin, a.stdout, a.getenv)
			out, err := console.Ask(cmd.Context(), b, strings.Join(args, " "), term.Layout())
			if err != nil {
				return &exitError{2, err}
			}
			fmt.Fprint(a.stdout, out)
			return nil
		},
	}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	industrybot "github.com/industrybot/industrybot"
	"github.com/industrybot/industrybot/bot"
)

// env is what a run of the command sees of the world.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// listening, when set, is told the address serve listens on.
	listening func(net.Addr)
	// after, when set, replaces time.After for serve's shutdown delay.
	after func(time.Duration) <-chan time.Time
	// redact blanks the configured secrets, once a configuration is loaded.
	redact *redaction
	// cache, when set, replaces os.UserCacheDir, where the console keeps
	// its history.
	cache func() (string, error)
	// lookupEnv, when set, replaces os.LookupEnv for what the console
	// reads of the environment (NO_COLOR, TERM).
	lookupEnv func(string) (string, bool)
}

// exitError carries an exit code other than 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// execute runs the command line and returns the exit code, printing any
// error as one line on stderr.
func (e *env) execute(ctx context.Context, args []string) int {
	root := e.newRoot()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	msg := strings.ReplaceAll(err.Error(), "\n", "; ")
	if e.redact == nil {
		e.redact = newRedaction(nil)
	}
	fmt.Fprintln(e.stderr, "industrybot: "+e.redact.String(msg))
	var x *exitError
	if errors.As(err, &x) {
		return x.code
	}
	return 1
}

// newRoot builds the command tree.
func (e *env) newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "industrybot",
		Short: "Recommends the films and series behind Industry, in its creators' words",
		Long: `industrybot recommends the films and TV series that Mickey Down and Konrad Kay,
the creators of Industry, named as the show's inspirations, with their own
commentary. With Discord or Slack credentials configured it serves them;
with none it starts a local chat console.`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := e.app(cmd)
			if err != nil {
				return err
			}
			if a.cfg.Discord.On() || a.cfg.Slack.On() {
				return a.serve(cmd.Context())
			}
			return a.console(cmd.Context())
		},
	}
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &exitError{2, err} })
	addFlags(root.PersistentFlags())
	root.AddCommand(
		e.consoleCmd(), e.askCmd(), e.serveCmd(), e.catalogCmd(),
		e.discordCmd(), e.slackCmd(), e.dailyCmd(),
	)
	return root
}

// app is a loaded configuration and what follows from it.
type app struct {
	*env
	cfg *Config
	log *slog.Logger
}

func (e *env) app(cmd *cobra.Command) (*app, error) {
	cfg, err := loadConfig(cmd.Flags())
	if err != nil {
		return nil, err
	}
	e.redact = newRedaction(cfg.secrets())
	return &app{env: e, cfg: cfg, log: newLogger(e.stderr, cfg.LogLevel, cfg.LogFormat, cfg.secrets())}, nil
}

// catalog loads catalog.path, or the built-in catalog.
func (a *app) catalog() (*bot.Catalog, error) {
	return loadCatalog(a.cfg.CatalogPath)
}

func loadCatalog(path string) (*bot.Catalog, error) {
	if path == "" {
		return bot.ParseCatalog(industrybot.CatalogJSON())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &ConfigError{"catalog.path", fmt.Sprintf("cannot be read: %v", errors.Unwrap(err))}
	}
	c, err := bot.ParseCatalog(data)
	if err != nil {
		return nil, fmt.Errorf("catalog %s: %w", path, err)
	}
	return c, nil
}

// newBot builds the core on the configured catalog and the given memory.
func (a *app) newBot(mem bot.Memory) (*bot.Bot, error) {
	cat, err := a.catalog()
	if err != nil {
		return nil, err
	}
	return bot.New(bot.Config{Engine: a.engine(cat), Memory: mem, Logger: a.log}), nil
}

// engine indexes a catalog with the bot's knowledge of titles outside it.
// That knowledge leads to the built-in picks; a catalog of other picks goes
// without it, and the log says so.
func (a *app) engine(cat *bot.Catalog) *bot.Engine {
	k, err := bot.ParseKnowledge(industrybot.KnowledgeJSON(), cat)
	if err != nil {
		if a.cfg.CatalogPath == "" {
			// The built-in files are checked by the tests; this cannot happen
			// in a released binary.
			panic(fmt.Sprintf("built-in knowledge.json does not match the built-in catalog: %v", err))
		}
		a.log.Warn("knowledge of titles outside the list is off: it leads to picks this catalog does not have", "catalog", a.cfg.CatalogPath)
		return bot.NewEngine(cat)
	}
	return bot.NewEngine(cat, bot.WithKnowledge(k))
}

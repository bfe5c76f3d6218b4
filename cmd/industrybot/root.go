package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"reflect"
	"regexp"
	"runtime/debug"
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
		Args:          noArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		Annotations:   map[string]string{local: "until credentials are set"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if v, _ := cmd.Flags().GetBool("version"); v {
				fmt.Fprintln(cmd.OutOrStdout(), version(debug.ReadBuildInfo()))
				return nil
			}
			a, err := e.app(cmd)
			if err != nil {
				return err
			}
			if a.cfg.Discord.On() || a.cfg.Slack.On() {
				if err := a.cfg.validatePlatforms(); err != nil {
					return err
				}
				return a.serve(cmd.Context())
			}
			return a.console(cmd.Context())
		},
	}
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	// --version is the root's own flag, not cobra's: cobra prints its
	// version through text/template, and a program that can run a template
	// keeps every exported method of every type it links (a template may
	// call any of them), which made the binary 7 MB larger and its idle
	// RSS 1.7 MB larger.
	root.Flags().BoolP("version", "v", false, "version for industrybot")
	root.SetFlagErrorFunc(flagError)
	addFlags(root.PersistentFlags())
	root.AddCommand(
		e.consoleCmd(), e.askCmd(), e.serveCmd(), e.catalogCmd(),
		e.discordCmd(), e.slackCmd(), e.dailyCmd(), e.versionCmd(),
	)
	strict(root)
	completeFlagValues(root)
	return root
}

// noArgs refuses arguments to a command that takes none, suggesting the
// subcommand meant when there are any: "industrybot srve" → "did you mean
// serve?".
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("%q takes no arguments", cmd.CommandPath())
	if cmd.HasAvailableSubCommands() {
		msg = fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			msg += ": did you mean " + strings.Join(s, " or ") + "?"
		}
	}
	return &exitError{2, fmt.Errorf("%s (see %s --help)", msg, cmd.CommandPath())}
}

// strict makes every command of the tree refuse what it cannot do: a
// parent without a subcommand, or with an unknown one, exits 2 naming
// the subcommands (cobra would print its help and exit 0), and a command
// without arguments refuses them.
func strict(cmd *cobra.Command) {
	cmd.SuggestionsMinimumDistance = 2
	for _, c := range cmd.Commands() {
		strict(c)
	}
	if cmd.HasParent() && cmd.HasAvailableSubCommands() && cmd.RunE == nil && cmd.Run == nil {
		cmd.Args = noArgs
		cmd.RunE = func(cmd *cobra.Command, args []string) error {
			var names []string
			for _, c := range cmd.Commands() {
				if c.IsAvailableCommand() {
					names = append(names, c.Name())
				}
			}
			return &exitError{2, fmt.Errorf("%s needs a subcommand: %s (see %s --help)", cmd.CommandPath(), strings.Join(names, ", "), cmd.CommandPath())}
		}
	}
	args := cmd.Args
	if args == nil || reflect.ValueOf(args).Pointer() == reflect.ValueOf(cobra.NoArgs).Pointer() {
		args = noArgs
	}
	cmd.Args = func(cmd *cobra.Command, a []string) error {
		err := args(cmd, a)
		if _, ok := errors.AsType[*exitError](err); err == nil || ok {
			return err
		}
		return &exitError{2, fmt.Errorf("%s: %w (see %s --help)", cmd.CommandPath(), err, cmd.CommandPath())}
	}
}

// flagError makes a flag's error one line that names the flag and where
// to read about it.
func flagError(cmd *cobra.Command, err error) error {
	msg := parseError.ReplaceAllString(err.Error(), ": not a number")
	return &exitError{2, fmt.Errorf("%s (see %s --help)", msg, cmd.CommandPath())}
}

// parseError is how strconv says a flag's value is not a number.
var parseError = regexp.MustCompile(`: strconv\.\w+: parsing "[^"]*": (?:invalid syntax|value out of range)`)

// app is a loaded configuration and what follows from it.
type app struct {
	*env
	cfg *Config
	log *slog.Logger
}

// local marks the commands that use no platform (ask, console, catalog
// check): their configuration is loaded without checking the platforms'
// keys, so half-set credentials never stop them.
const local = "local"

func (e *env) app(cmd *cobra.Command) (*app, error) {
	_, isLocal := cmd.Annotations[local]
	cfg, err := loadConfigFor(cmd.Flags(), !isLocal)
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

func loadCatalog(path string) (*bot.Catalog, error) { return readCatalog(path, true) }

// readCatalog loads the catalog at path, or the built-in one; a file that
// cannot be read is named as catalog.path's when configured is set, as
// itself otherwise (catalog check FILE).
func readCatalog(path string, configured bool) (*bot.Catalog, error) {
	if path == "" {
		return bot.ParseCatalog(industrybot.CatalogJSON())
	}
	data, err := os.ReadFile(path)
	if err != nil && configured {
		return nil, &ConfigError{"catalog.path", fmt.Sprintf("%q cannot be read: %v", path, errors.Unwrap(err))}
	} else if err != nil {
		return nil, fmt.Errorf("catalog %s cannot be read: %v: name a catalog file, or leave it out for the built-in catalog", path, errors.Unwrap(err))
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

// flagValues are the values of the flags that take one of a few, for
// shell completion (industrybot completion bash|zsh|fish|powershell).
// Loading the configuration refuses any other.
var flagValues = map[string][]string{
	"store-driver": {"sqlite", "postgres", "memory"},
	"log-level":    {"debug", "info", "warn", "error"},
	"log-format":   {"text", "json"},
	"mode":         {"socket", "http"}, // slack manifest
}

// completeFlagValues registers the completion of flagValues on every
// command that has the flag, and of file names for --config and
// --catalog.
func completeFlagValues(cmd *cobra.Command) {
	for name, values := range flagValues {
		if f := cmd.LocalNonPersistentFlags().Lookup(name); f != nil || cmd.PersistentFlags().Lookup(name) != nil {
			_ = cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
		}
	}
	for _, name := range []string{"config", "catalog"} {
		if cmd.PersistentFlags().Lookup(name) != nil {
			_ = cmd.MarkPersistentFlagFilename(name, "yaml", "yml", "json")
		}
	}
	for _, c := range cmd.Commands() {
		completeFlagValues(c)
	}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/industrybot/industrybot/adapters/postgres"
	"github.com/industrybot/industrybot/adapters/sqlite"
	"github.com/industrybot/industrybot/bot"
)

// openStore opens the configured store for a command that works beside a
// running serve, such as `daily status`. A PostgreSQL server that is still
// starting is waited for up to wait.
func (a *app) openStore(ctx context.Context, wait time.Duration) (bot.Store, error) {
	return a.open(ctx, wait, "")
}

// openServeStore opens the configured store for serve, which holder
// describes: an SQLite file is then this process's alone, and a second
// serve on it stops with one line naming the first.
func (a *app) openServeStore(ctx context.Context, wait time.Duration, holder string) (bot.Store, error) {
	return a.open(ctx, wait, holder)
}

func (a *app) open(ctx context.Context, wait time.Duration, holder string) (bot.Store, error) {
	switch a.cfg.StoreDriver {
	case "memory":
		return bot.NewMemoryStore(), nil
	case "sqlite":
		var opts []sqlite.Option
		if holder != "" {
			opts = append(opts, sqlite.Exclusive(holder))
		}
		s, err := sqlite.Open(ctx, a.cfg.StoreDSN, opts...)
		if inUse, ok := errors.AsType[*sqlite.InUseError](err); ok {
			who := inUse.Holder
			if who == "" {
				who = "another process"
			}
			return nil, fmt.Errorf("store.dsn %q is in use by %s: an SQLite file serves one process; stop that one first, or use PostgreSQL (store.driver: postgres) to run more than one", a.cfg.StoreDSN, who)
		}
		if err != nil {
			return nil, &ConfigError{"store.dsn", fmt.Sprintf("%q cannot be opened: %s", a.cfg.StoreDSN, whySQLite(a.cfg.StoreDSN, err))}
		}
		return s, nil
	case "postgres":
		s, err := postgres.Open(ctx, a.cfg.StoreDSN, wait)
		if err != nil {
			return nil, &ConfigError{"store.dsn", fmt.Sprintf("cannot be opened: %v", err)}
		}
		return s, nil
	}
	return nil, &ConfigError{"store.driver", fmt.Sprintf("is %q, which this build cannot open", a.cfg.StoreDriver)}
}

// whySQLite says why an SQLite file could not be opened in the words of
// the file system, which SQLite's own ("unable to open database file
// (14)") leave out: a directory that is missing or not writable, a file
// that is not writable, and what to do about it.
func whySQLite(dsn string, err error) string {
	path := dsn
	if p, ok := strings.CutPrefix(path, "file:"); ok {
		path, _, _ = strings.Cut(p, "?")
	}
	abs, aerr := filepath.Abs(path)
	if aerr != nil {
		return err.Error()
	}
	dir := filepath.Dir(abs)
	fix := "set store.dsn to a file in a directory you can write, or --store-driver memory to keep nothing"
	if st, serr := os.Stat(dir); serr != nil || !st.IsDir() {
		return fmt.Sprintf("the directory %s does not exist: create it, or %s", dir, fix)
	}
	if _, serr := os.Stat(abs); serr == nil {
		if unix.Access(abs, unix.W_OK) != nil {
			return fmt.Sprintf("%s is not writable by this user: fix its permissions, or %s", abs, fix)
		}
	} else if unix.Access(dir, unix.W_OK) != nil {
		return fmt.Sprintf("the directory %s is not writable by this user, so the database cannot be created there: %s", dir, fix)
	}
	return err.Error()
}

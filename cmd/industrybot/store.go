package main

import (
	"context"
	"errors"
	"fmt"
	"time"

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
			return nil, &ConfigError{"store.dsn", fmt.Sprintf("%q cannot be opened: %v", a.cfg.StoreDSN, err)}
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

package main

import (
	"context"
	"fmt"

	"time"

	"github.com/industrybot/industrybot/adapters/postgres"
	"github.com/industrybot/industrybot/adapters/sqlite"
	"github.com/industrybot/industrybot/bot"
)

// openStore opens the configured store. A PostgreSQL server that is still
// starting is waited for up to wait.
func (a *app) openStore(ctx context.Context, wait time.Duration) (bot.Store, error) {
	switch a.cfg.StoreDriver {
	case "memory":
		return bot.NewMemoryStore(), nil
	case "sqlite":
		s, err := sqlite.Open(ctx, a.cfg.StoreDSN)
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

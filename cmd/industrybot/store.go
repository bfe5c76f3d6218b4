package main

import (
	"context"
	"fmt"

	"time"

	"github.com/industrybot/industrybot/adapters/postgres"
	"github.com/industrybot/industrybot/adapters/sqlite"
	"github.com/industrybot/industrybot/bot"
)

// openStore opens the configured store.
func (a *app) openStore(ctx context.Context) (bot.Store, error) {
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
		// The database may still be starting next to the bot: wait a little.
		s, err := postgres.Open(ctx, a.cfg.StoreDSN, 30*time.Second)
		if err != nil {
			return nil, &ConfigError{"store.dsn", fmt.Sprintf("cannot be opened: %v", err)}
		}
		return s, nil
	}
	return nil, &ConfigError{"store.driver", fmt.Sprintf("is %q, which this build cannot open", a.cfg.StoreDriver)}
}

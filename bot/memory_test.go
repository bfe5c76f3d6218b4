package bot_test

import (
	"testing"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/storetest"
)

func TestMemoryStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) bot.Store { return bot.NewMemoryStore() })
}

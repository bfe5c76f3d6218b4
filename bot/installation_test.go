package bot_test

import (
	"testing"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/storetest"
)

func TestMemoryStoreInstallations(t *testing.T) {
	storetest.RunInstallations(t, func(t *testing.T) bot.InstallationStore { return bot.NewMemoryStore() })
}

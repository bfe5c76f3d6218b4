package bot_test

import (
	"testing"

	"github.com/industrybot/industrybot/bot/bottest"
	"github.com/industrybot/industrybot/bot/convtest"
)

// TestConversation plays the script every adapter plays, straight into the
// core: the reference for the adapters' content.
func TestConversation(t *testing.T) {
	b := bottest.Bot(t)
	convtest.Run(t, func(t *testing.T, line string) convtest.Content {
		return convtest.FromReply(ask(t, b, line))
	})
}

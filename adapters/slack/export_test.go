package slack

import (
	"context"
	"time"
)

// SetSleep replaces how a with waits before retrying after a 429, so tests
// see the wait instead of sitting through it.
func SetSleep(a *Adapter, sleep func(ctx context.Context, d time.Duration) error) { a.sleep = sleep }

// Block Kit limits the renderer keeps to, for tests that check a message
// stays within them.
const (
	MaxText       = maxText
	MaxBlocks     = maxBlocks
	MaxButtonText = maxButtonText
)

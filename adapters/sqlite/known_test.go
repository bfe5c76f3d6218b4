package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/industrybot/industrybot/bot"
)

// The lists kept in memory stay within knownChannels, and a channel whose
// list was dropped is read back from the file.
func TestKnownListsBounded(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n := knownChannels + 50
	for i := range n {
		s.Remember(ctx, bot.ChannelKey{Platform: bot.Discord, Channel: fmt.Sprint(i)}, []string{fmt.Sprint("id", i)})
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	s.mem.mu.Lock()
	kept := len(s.mem.known)
	s.mem.mu.Unlock()
	if kept > knownChannels {
		t.Errorf("%d lists kept, want at most %d", kept, knownChannels)
	}
	for i := range n {
		got, err := s.Recent(ctx, bot.ChannelKey{Platform: bot.Discord, Channel: fmt.Sprint(i)}, 5)
		if err != nil || !slices.Equal(got, []string{fmt.Sprint("id", i)}) {
			t.Fatalf("channel %d: Recent = %v, %v", i, got, err)
		}
	}
}

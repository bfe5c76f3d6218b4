package sqlite_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/industrybot/industrybot/bot"
)

// TestMemoryWrittenBehind: Recent sees this process's writes at once, and
// a write that cannot be committed is reported by the next Remember and by
// Ping until a commit succeeds again.
func TestMemoryWrittenBehind(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	s := MustOpen(t, path)
	defer s.Close()
	ch := bot.ChannelKey{Platform: bot.Slack, Channel: "C1"}
	for _, id := range []string{"heat", "kids", "girls"} {
		if err := s.Remember(ctx, ch, []string{id}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Recent(ctx, ch, 1); !slices.Equal(got, []string{id}) {
			t.Fatalf("right after remembering %s: %v", id, got)
		}
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	// Break the table under the store.
	db := MustOpenRaw(t, path)
	if _, err := db.Exec(`ALTER TABLE shown RENAME TO shown_away`); err != nil {
		t.Fatal(err)
	}
	s.Remember(ctx, ch, []string{"heat"})
	if err := s.Flush(); err == nil {
		t.Fatal("the commit into a missing table succeeded")
	}
	if err := s.Ping(ctx); err == nil || !strings.Contains(err.Error(), "channel memory") {
		t.Errorf("Ping: %v, want the failing writes", err)
	}
	if err := s.Remember(ctx, ch, []string{"kids"}); err == nil {
		t.Error("Remember did not report the earlier failure")
	}
	if err := s.Remember(ctx, ch, []string{"kids"}); err != nil {
		t.Errorf("the failure was reported twice: %v", err)
	}
	if _, err := db.Exec(`ALTER TABLE shown_away RENAME TO shown`); err != nil {
		t.Fatal(err)
	}
	s.Remember(ctx, ch, []string{"moneyball"})
	if err := s.Flush(); err != nil {
		t.Fatalf("after the table came back: %v", err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping after a good commit: %v", err)
	}
	if got, _ := s.Recent(ctx, ch, 2); !slices.Equal(got, []string{"moneyball", "kids"}) {
		t.Errorf("Recent = %v", got)
	}
}

// TestMemoryKnownLists: once this process has committed or read a
// channel's list, Recent answers from memory, without the file (SQLite
// serves one process; a second writer is not supported); a channel it has
// not seen is read from the file.
func TestMemoryKnownLists(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	s := MustOpen(t, path)
	defer s.Close()
	db := MustOpenRaw(t, path)
	mine := bot.ChannelKey{Platform: bot.Slack, Channel: "C1"}
	other := bot.ChannelKey{Platform: bot.Slack, Channel: "C2"}
	if _, err := db.Exec(`INSERT INTO shown (platform, channel, ids) VALUES ('slack', 'C2', '["heat","kids"]')`); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Recent(ctx, other, 5); !slices.Equal(got, []string{"heat", "kids"}) {
		t.Errorf("a channel not seen before: Recent = %v, want what the file holds", got)
	}
	s.Remember(ctx, mine, []string{"girls"})
	s.Remember(ctx, mine, []string{"heat"})
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	// Change both rows behind the store's back: it keeps its own view.
	if _, err := db.Exec(`UPDATE shown SET ids = '["moneyball"]'`); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Recent(ctx, mine, 5); !slices.Equal(got, []string{"heat", "girls"}) {
		t.Errorf("a channel committed by this process: Recent = %v, want [heat girls]", got)
	}
	if got, _ := s.Recent(ctx, other, 5); !slices.Equal(got, []string{"heat", "kids"}) {
		t.Errorf("a channel read before: Recent = %v, want [heat kids]", got)
	}
	// The next commit builds on the known list, not on the row.
	s.Remember(ctx, mine, []string{"kids"})
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	var ids string
	if err := db.QueryRow(`SELECT ids FROM shown WHERE channel = 'C1'`).Scan(&ids); err != nil {
		t.Fatal(err)
	}
	if ids != `["kids","heat","girls"]` {
		t.Errorf("the file holds %s", ids)
	}
}

package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/industrybot/industrybot/adapters/sqlite"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/storetest"
)

func MustOpen(tb testing.TB, path string) *sqlite.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// MustOpenRaw opens the store's file on a connection of the test's own,
// for changes behind the store's back. Like the store's, it waits up to
// 10s for a lock the other side holds: the store commits channel memory
// on a goroutine of its own, and a connection that gives up at once fails
// with SQLITE_BUSY whenever a loaded machine makes that commit slow.
func MustOpenRaw(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) bot.Store {
		s := MustOpen(t, filepath.Join(t.TempDir(), "test.db"))
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestInstallationConformance(t *testing.T) {
	storetest.RunInstallations(t, func(t *testing.T) bot.InstallationStore {
		s := MustOpen(t, filepath.Join(t.TempDir(), "test.db"))
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestStateSurvivesRestart closes the store and opens the same file again, as
// a restarted process would.
func TestStateSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "industrybot.db")
	ch := bot.ChannelKey{Platform: bot.Slack, Channel: "C1"}
	s := MustOpen(t, path)
	since := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	if err := s.PutSubscription(ctx, bot.Subscription{Channel: ch, Time: "09:00", Timezone: "Europe/London", Source: "chat", Since: since}); err != nil {
		t.Fatal(err)
	}
	if err := s.Remember(ctx, ch, []string{"heat", "kids"}); err != nil {
		t.Fatal(err)
	}
	p, _, err := s.ClaimPost(ctx, bot.Post{Channel: ch, Date: "2026-11-26", Pick: "heat", State: bot.PostClaimed, Owner: "a", Due: since, ClaimedAt: since}, since)
	if err != nil {
		t.Fatal(err)
	}
	p.State = bot.PostSent
	if err := s.FinishPost(ctx, p, &bot.Deck{Cycle: 0, Cards: []string{"kids", "girls"}, Last: "heat"}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = MustOpen(t, path)
	defer s.Close()
	if sub, err := s.GetSubscription(ctx, ch); err != nil || sub.Time != "09:00" || !sub.Since.Equal(since) {
		t.Errorf("subscription after restart: %+v, %v", sub, err)
	}
	if got, _ := s.Recent(ctx, ch, 5); !slices.Equal(got, []string{"heat", "kids"}) {
		t.Errorf("memory after restart: %v", got)
	}
	if d, err := s.GetDeck(ctx, ch); err != nil || !slices.Equal(d.Cards, []string{"kids", "girls"}) {
		t.Errorf("deck after restart: %+v, %v", d, err)
	}
	if got, err := s.GetPost(ctx, ch, "2026-11-26"); err != nil || got.State != bot.PostSent {
		t.Errorf("post after restart: %+v, %v", got, err)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "future.db")
	MustOpen(t, path).Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (99, 'later')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = sqlite.Open(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), "schema version 99") {
		t.Errorf("got %v, want a refusal naming version 99", err)
	}
}

func TestUnwritablePath(t *testing.T) {
	_, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "no", "such", "dir", "x.db"))
	if err == nil {
		t.Error("opened a database in a missing directory")
	}
}

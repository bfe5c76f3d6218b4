package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/industrybot/industrybot/bot"
)

func mustOpen(t *testing.T, path string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func subscription(channel string) bot.Subscription {
	return bot.Subscription{Channel: bot.ChannelKey{Platform: bot.Slack, Channel: channel}, Time: "09:00", Timezone: "UTC", Source: "chat", CreatedBy: "U1", Since: time.Now()}
}

// TestExclusive: a file opened with Exclusive is this process's alone;
// another exclusive Open, by any name of the file, fails at once naming
// the holder, an ordinary Open still reads, and the lock goes with Close.
func TestExclusive(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "state.db")
	first := mustOpen(t, path, Exclusive("industrybot serve on 127.0.0.1:8080"))
	if err := first.PutSubscription(ctx, subscription("C1")); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{path, filepath.Join(link, "state.db"), "file:" + path + "?_pragma=busy_timeout(100)"} {
		_, err := Open(ctx, name, Exclusive("a second serve"))
		inUse, ok := errors.AsType[*InUseError](err)
		if !ok {
			t.Fatalf("%s: a second exclusive Open: %v, want an *InUseError", name, err)
		}
		want := fmt.Sprintf("pid %d on ", os.Getpid())
		if !strings.HasPrefix(inUse.Holder, want) || !strings.HasSuffix(inUse.Holder, "(industrybot serve on 127.0.0.1:8080)") || inUse.Path != name {
			t.Errorf("%s: %+v, want the holder %q… (industrybot serve on 127.0.0.1:8080)", name, inUse, want)
		}
	}
	reader := mustOpen(t, path)
	if sub, err := reader.GetSubscription(ctx, bot.ChannelKey{Platform: bot.Slack, Channel: "C1"}); err != nil || sub.Time != "09:00" {
		t.Errorf("an ordinary Open beside the holder: %+v, %v", sub, err)
	}
	reader.Close()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	mustOpen(t, path, Exclusive("the next serve")).Close()
}

// TestVanishedFile deletes the file's directory, then replaces the file,
// under an open store: SQLite goes on writing to the file it opened, but
// Ping fails and no write is confirmed.
func TestVanishedFile(t *testing.T) {
	ctx := context.Background()
	post := bot.Post{Channel: bot.ChannelKey{Platform: bot.Slack, Channel: "C1"}, Date: "2026-01-02", Pick: "heat", State: bot.PostClaimed, Owner: "me", Due: time.Now(), ClaimedAt: time.Now()}
	t.Run("deleted", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "state")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		s := mustOpen(t, filepath.Join(dir, "state.db"))
		defer s.Close()
		if err := s.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := s.Ping(ctx); err == nil || !strings.Contains(err.Error(), "is gone") {
			t.Errorf("Ping: %v, want the file gone", err)
		}
		if err := s.PutSubscription(ctx, subscription("C1")); err == nil {
			t.Error("PutSubscription confirmed a subscription that is lost")
		}
		if _, _, err := s.ClaimPost(ctx, post, time.Now()); err == nil {
			t.Error("ClaimPost confirmed a claim that is lost")
		}
		if err := s.Remember(ctx, post.Channel, []string{"heat"}); err == nil {
			if err := s.Flush(); err == nil {
				t.Error("channel memory was committed to a file that is lost")
			}
		}
	})
	t.Run("replaced", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "state.db")
		s := mustOpen(t, path)
		defer s.Close()
		if err := os.Rename(path, path+".old"); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := s.Ping(ctx); err == nil || !strings.Contains(err.Error(), "not the file this process opened") {
			t.Errorf("Ping: %v, want the file replaced", err)
		}
		if err := s.DeleteSubscription(ctx, post.Channel); err == nil || errors.Is(err, bot.ErrNotFound) {
			t.Errorf("DeleteSubscription: %v, want the file replaced", err)
		}
	})
}

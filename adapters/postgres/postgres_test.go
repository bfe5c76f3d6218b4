package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/industrybot/industrybot/adapters/postgres"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/storetest"
)

// serverDSN is the PostgreSQL the tests use: INDUSTRYBOT_TEST_POSTGRES, or
// the machine's server.
func serverDSN() string {
	if dsn := os.Getenv("INDUSTRYBOT_TEST_POSTGRES"); dsn != "" {
		return dsn
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// MustSchema creates an empty schema for one test and returns a DSN that
// uses it; the schema is dropped when the test ends. Without a server the
// test is skipped, unless INDUSTRYBOT_TEST_POSTGRES_REQUIRED is set (CI).
func MustSchema(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, serverDSN())
	if err != nil {
		if os.Getenv("INDUSTRYBOT_TEST_POSTGRES_REQUIRED") != "" {
			t.Fatalf("PostgreSQL is required but unreachable: %v", err)
		}
		t.Skipf("no PostgreSQL at %s: %v", serverDSN(), err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), serverDSN())
		if err == nil {
			c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			c.Close(context.Background())
		}
	})
	sep := "?"
	if strings.Contains(serverDSN(), "?") {
		sep = "&"
	}
	return serverDSN() + sep + "search_path=" + schema + "&application_name=" + schema
}

func MustOpen(t *testing.T, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dsn, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) bot.Store { return MustOpen(t, MustSchema(t)) })
}

func TestInstallationConformance(t *testing.T) {
	storetest.RunInstallations(t, func(t *testing.T) bot.InstallationStore { return MustOpen(t, MustSchema(t)) })
}

// TestMigrationsOnceAcrossReplicas opens several stores on one schema at
// once, as replicas starting together do.
func TestMigrationsOnceAcrossReplicas(t *testing.T) {
	dsn := MustSchema(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			s, err := postgres.Open(context.Background(), dsn, 5*time.Second)
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestLostConnectionIsRetried kills the store's connections on the server
// side; the next calls reconnect instead of failing.
func TestLostConnectionIsRetried(t *testing.T) {
	dsn := MustSchema(t)
	s := MustOpen(t, dsn)
	ctx := context.Background()
	ch := bot.ChannelKey{Platform: bot.Slack, Channel: "C1"}
	if err := s.Remember(ctx, ch, []string{"heat"}); err != nil {
		t.Fatal(err)
	}
	app := dsn[strings.LastIndex(dsn, "application_name=")+len("application_name="):]
	admin, err := pgx.Connect(ctx, serverDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var killed int
	if err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	if killed == 0 {
		t.Fatal("no connection of the store to kill")
	}
	got, err := s.Recent(ctx, ch, 5)
	if err != nil || len(got) != 1 || got[0] != "heat" {
		t.Errorf("after the connections were killed: %v, %v", got, err)
	}
	if err := s.Remember(ctx, ch, []string{"kids"}); err != nil {
		t.Errorf("write after reconnect: %v", err)
	}
}

func TestUnreachableServerNamesNoPassword(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://bob:hunter2@127.0.0.1:1/db?connect_timeout=1", 0)
	if err == nil {
		t.Fatal("opened a store on a closed port")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("the password is in the error: %v", err)
	}
}

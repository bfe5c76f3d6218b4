package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/industrybot/industrybot/adapters/discord/discordtest"
	"github.com/industrybot/industrybot/adapters/postgres"
	"github.com/industrybot/industrybot/adapters/slack/slacktest"
	"github.com/industrybot/industrybot/bot"
)

// TestMain lets the test binary run as industrybot itself, so the replica
// test starts real serve processes without building a second binary.
func TestMain(m *testing.M) {
	if os.Getenv("INDUSTRYBOT_TEST_AS_MAIN") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Setenv("INDUSTRYBOT_HTTP_SHUTDOWN_DELAY", "0") // tests stop serve at once; the shutdown delay's own test sets it
	os.Exit(m.Run())
}

// envInt reads a positive number from the environment, or def.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// postgresSchema creates an empty schema on the test server and returns a
// DSN that uses it. Without a server the test is skipped, unless
// INDUSTRYBOT_TEST_POSTGRES_REQUIRED is set (CI).
func postgresSchema(t *testing.T) string {
	t.Helper()
	server := os.Getenv("INDUSTRYBOT_TEST_POSTGRES")
	if server == "" {
		server = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		if os.Getenv("INDUSTRYBOT_TEST_POSTGRES_REQUIRED") != "" {
			t.Fatalf("PostgreSQL is required but unreachable: %v", err)
		}
		t.Skipf("no PostgreSQL at %s: %v", server, err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "replicas_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if c, err := pgx.Connect(context.Background(), server); err == nil {
			c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			c.Close(context.Background())
		}
	})
	sep := "?"
	if strings.Contains(server, "?") {
		sep = "&"
	}
	return server + sep + "search_path=" + schema
}

// replica is one `industrybot serve` process with its own view of Slack and
// Discord: a fake of each, so what it delivered is counted apart.
type replica struct {
	cmd     *exec.Cmd
	logs    *bytes.Buffer
	slack   *slacktest.Server
	discord *discordtest.Server
	exited  chan struct{}
}

// delivered counts what the replica's fakes received, per channel.
func (r *replica) delivered(into map[string]int) int {
	n := 0
	for ch, c := range r.slack.Counts() {
		into["slack:"+ch] += c
		n += c
	}
	for ch, c := range r.discord.MessageCounts() {
		into["discord:"+ch] += c
		n += c
	}
	return n
}

// TestReplicas starts several serve processes on one PostgreSQL database
// with subscriptions all due in the same minute, kills one with SIGKILL in
// the middle, and counts the posts: each exactly once.
//
// The victim is killed while every post it has claimed is still in flight
// or waiting its turn (its fakes hold posts at the door and never deliver
// them), so its claims must be taken over, and those it was sending
// settled: sent again with the same nonce on Discord, looked for on Slack.
// A kill after a platform took a post is TestDailyPostKilledDuringTheCall's.
//
// INDUSTRYBOT_REPLICAS_SUBS and INDUSTRYBOT_REPLICAS_PROCS scale it up
// (scripts/replicas.sh).
func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("starts several processes")
	}
	subs := envInt("INDUSTRYBOT_REPLICAS_SUBS", 200)
	procs := envInt("INDUSTRYBOT_REPLICAS_PROCS", 3)
	if procs < 2 {
		t.Fatal("INDUSTRYBOT_REPLICAS_PROCS must be at least 2")
	}
	dsn := postgresSchema(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	// Subscriptions due this minute (UTC), made an hour ago.
	store, err := postgres.Open(ctx, dsn, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	due := now.Truncate(time.Minute)
	want := map[string]bool{}
	for i := range subs {
		ch := bot.ChannelKey{Platform: bot.Slack, Channel: fmt.Sprintf("C%05d", i)}
		if i%2 == 1 {
			ch = bot.ChannelKey{Platform: bot.Discord, Channel: strconv.Itoa(100000 + i)}
		}
		want[ch.String()] = true
		if err := store.PutSubscription(ctx, bot.Subscription{Channel: ch, Time: due.Format("15:04"), Timezone: "UTC", Source: "chat", Since: now.Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	store.Close()

	signer := discordtest.NewSigner()
	const discordToken = "MTAwMDAwMDAwMDAwMDAwMDAw.GfakeT.replicas-test-token-0123456789"
	start := func(i int) *replica {
		r := &replica{logs: &bytes.Buffer{}, exited: make(chan struct{}),
			slack: slacktest.New(t), discord: discordtest.Start(t, discordtest.Options{Token: discordToken})}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		r.cmd = exec.Command(os.Args[0], "serve")
		r.cmd.Dir = t.TempDir()
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "INDUSTRYBOT_") {
				r.cmd.Env = append(r.cmd.Env, kv)
			}
		}
		r.cmd.Env = append(r.cmd.Env,
			"INDUSTRYBOT_TEST_AS_MAIN=1",
			"INDUSTRYBOT_HTTP_ADDR="+addr,
			"INDUSTRYBOT_STORE_DRIVER=postgres",
			"INDUSTRYBOT_STORE_DSN="+dsn,
			"INDUSTRYBOT_SLACK_MODE=http",
			"INDUSTRYBOT_SLACK_SIGNING_SECRET=replicas-test-signing-secret",
			"INDUSTRYBOT_SLACK_BOT_TOKEN="+slacktest.BotToken,
			"INDUSTRYBOT_SLACK_API_URL="+r.slack.APIURL(),
			"INDUSTRYBOT_DISCORD_MODE=http",
			"INDUSTRYBOT_DISCORD_PUBLIC_KEY="+signer.PublicKeyHex(),
			"INDUSTRYBOT_DISCORD_TOKEN="+discordToken,
			"INDUSTRYBOT_DISCORD_API_URL="+r.discord.URL,
			"INDUSTRYBOT_DAILY_CATCH_UP=1h",
			"INDUSTRYBOT_DAILY_LEASE=3s",
			"INDUSTRYBOT_DAILY_TICK=1s",
			"INDUSTRYBOT_LOG_LEVEL=info",
		)
		r.cmd.Stdout, r.cmd.Stderr = r.logs, r.logs
		if err := r.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { r.cmd.Wait(); close(r.exited) }()
		t.Cleanup(func() {
			r.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-r.exited:
			case <-time.After(20 * time.Second):
				r.cmd.Process.Kill()
				<-r.exited
			}
			if t.Failed() {
				t.Logf("replica %d logs:\n%s", i, r.logs)
			}
			for _, secret := range []string{discordToken, slacktest.BotToken, "replicas-test-signing-secret"} {
				if strings.Contains(r.logs.String(), secret) {
					t.Errorf("replica %d logged a secret", i)
				}
			}
		})
		return r
	}

	began := time.Now()
	// The victim starts first and its fakes never deliver: it claims posts
	// that only a takeover can send.
	victim := start(0)
	victim.slack.Hold()
	victim.discord.Hold()
	waitCond(t, ctx, "the victim to claim posts on both platforms", func() bool {
		return victim.slack.Held() > 0 && victim.discord.Held() > 0
	})
	var live []*replica
	for i := 1; i < procs; i++ {
		live = append(live, start(i))
	}
	total := func() (int, map[string]int) {
		per := map[string]int{}
		n := 0
		for _, r := range live {
			n += r.delivered(per)
		}
		return n, per
	}
	waitCond(t, ctx, "half the posts", func() bool { n, _ := total(); return n >= subs/2 })
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-victim.exited
	killedAt := time.Since(began)
	waitCond(t, ctx, "every post", func() bool { n, _ := total(); return n >= subs })

	// Every post finished in the store means no process sends any more.
	check, err := postgres.Open(ctx, dsn, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close()
	waitCond(t, ctx, "every post recorded sent", func() bool {
		un, err := check.UnfinishedPosts(ctx)
		return err == nil && len(un) == 0
	})
	elapsed := time.Since(began)
	n, per := total()
	var twice, lost []string
	for ch := range want {
		switch per[ch] {
		case 1:
		case 0:
			lost = append(lost, ch)
		default:
			twice = append(twice, ch)
		}
	}
	if n != subs || len(twice) > 0 || len(lost) > 0 || len(per) != subs {
		t.Errorf("%d posts to %d channels, want %d, once each; twice: %v; lost: %v", n, len(per), subs, twice, lost)
	}
	if vs := victim.delivered(map[string]int{}); vs != 0 {
		t.Errorf("the victim delivered %d posts through held fakes", vs)
	}
	takeovers := 0
	for ch := range want {
		key := strings.SplitN(ch, ":", 2)
		p, err := check.GetPost(ctx, bot.ChannelKey{Platform: bot.Platform(key[0]), Channel: key[1]}, due.Format(bot.DateLayout))
		if err != nil {
			t.Fatalf("%s: %v", ch, err)
		}
		if p.State != bot.PostSent {
			t.Errorf("%s: %s", ch, p.State)
		}
		if p.Attempts > 1 {
			takeovers++
		}
	}
	if takeovers == 0 {
		t.Error("no post was taken over from the victim")
	}
	t.Logf("replicas: %d processes, %d subscriptions due at %s UTC; one killed (SIGKILL) after %s; all %d posts sent once in %s (%.0f posts/s); %d taken over from the victim; lease 3s, tick 1s",
		procs, subs, due.Format("15:04"), killedAt.Round(time.Millisecond), n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), takeovers)
}

// waitCond checks cond until it holds or ctx ends. The processes under test
// run on the real clock, so there is nothing to move; it looks again every
// 50 ms.
func waitCond(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-tick.C:
		}
	}
}

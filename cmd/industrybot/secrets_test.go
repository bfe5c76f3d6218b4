package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/industrybot/industrybot/adapters/discord/discordtest"
	"github.com/industrybot/industrybot/adapters/slack/slacktest"
	"github.com/industrybot/industrybot/adapters/sqlite"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

// Sentinel secrets: values that must never appear in anything industrybot
// prints. The Discord and Slack ones are shaped like real tokens, so the
// shape-based redaction is tested too, not only the configured values.
const (
	sentinelDiscord = "MTAxMjM0NTY3ODkwMTIzNDU2Nzg5.GsEnTl.sentinel-discord-token-0123456789ab"
	sentinelBot     = "xoxb-111-222-sentinelbottoken"
	sentinelApp     = "xapp-1-A111-222-sentinelapptoken"
	sentinelSigning = "sentinel-signing-secret-0000"
	sentinelPG      = "sentinel-pg-password"
)

var sentinels = []string{sentinelDiscord, sentinelBot, sentinelApp, sentinelSigning, sentinelPG,
	// pieces of them that would betray a half-redacted token
	"sentinel-discord-token", "sentinelbottoken", "sentinelapptoken"}

func assertNoSentinel(t *testing.T, where, out string) {
	t.Helper()
	for _, s := range sentinels {
		if strings.Contains(out, s) {
			i := strings.Index(out, s)
			t.Errorf("%s printed a secret (%q) here: …%s…", where, s, out[max(0, i-200):min(len(out), i+len(s)+50)])
		}
	}
}

// TestNoSecretInAnyOutput runs serve at debug level with sentinel secrets,
// Discord on the gateway and Slack over HTTP, and puts it through failures:
// daily posts answered 401/403/404/429/500 by both platforms, requests with
// bad signatures, a dropped gateway connection, Slack refusing the token at
// start, and a store whose DSN has a password and cannot be reached. Then
// it searches everything that was printed.
func TestNoSecretInAnyOutput(t *testing.T) {
	ctx := waitCtx(t)
	disc := discordtest.Start(t, discordtest.Options{Token: sentinelDiscord})
	sl := slacktest.New(t, slacktest.WithTokens(sentinelBot, sentinelApp))

	// Daily posts due now to channels that fail in every way.
	dsn := filepath.Join(t.TempDir(), "state.db")
	store, err := sqlite.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	failures := map[bot.ChannelKey]func(){
		{Platform: bot.Discord, Channel: "101"}: func() { disc.FailChannel("101", discordtest.UnknownChannel()) },
		{Platform: bot.Discord, Channel: "102"}: func() { disc.FailChannel("102", discordtest.MissingAccess()) },
		{Platform: bot.Discord, Channel: "103"}: func() {
			f := discordtest.RateLimited(time.Second)
			f.Times = 1
			disc.FailChannel("103", f)
		},
		{Platform: bot.Discord, Channel: "104"}: func() {
			f := discordtest.ServerError()
			f.Times = 1
			disc.FailChannel("104", f)
		},
		{Platform: bot.Discord, Channel: "105"}: func() {
			disc.FailChannel("105", discordtest.Failure{Status: http.StatusUnauthorized, Code: 0, Message: "401: Unauthorized"})
		},
		{Platform: bot.Slack, Channel: "C1"}: func() {
			f := slacktest.RateLimited(time.Second)
			f.Times = 1
			sl.FailPosts("C1", f)
		},
		{Platform: bot.Slack, Channel: "C2"}: func() { sl.FailPosts("C2", slacktest.NotInChannel) },
		{Platform: bot.Slack, Channel: "C3"}: func() {
			f := slacktest.ServerError
			f.Times = 1
			sl.FailPosts("C3", f)
		},
		{Platform: bot.Slack, Channel: "C4"}: func() { sl.FailPosts("C4", slacktest.InvalidAuth) },
	}
	for ch, fail := range failures {
		fail()
		if err := store.PutSubscription(ctx, bot.Subscription{Channel: ch, Time: now.Add(-time.Minute).Format("15:04"), Timezone: "UTC", Source: "chat", Since: now.Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	store.Close()

	t.Setenv("INDUSTRYBOT_LOG_LEVEL", "debug")
	t.Setenv("INDUSTRYBOT_DISCORD_TOKEN", sentinelDiscord)
	t.Setenv("INDUSTRYBOT_DISCORD_API_URL", disc.URL)
	t.Setenv("INDUSTRYBOT_SLACK_MODE", "http")
	t.Setenv("INDUSTRYBOT_SLACK_SIGNING_SECRET", sentinelSigning)
	t.Setenv("INDUSTRYBOT_SLACK_BOT_TOKEN", sentinelBot)
	t.Setenv("INDUSTRYBOT_SLACK_API_URL", sl.APIURL())
	t.Setenv("INDUSTRYBOT_DAILY_TICK", "1s")
	s := serve(t, "--store-driver", "sqlite", "--store-dsn", dsn)

	// Requests Slack did not sign, or signed with another secret.
	for _, secret := range []string{"", "another-secret"} {
		body := []byte(slacktest.CommandForm(slackapi.SlashCommand{ChannelID: "C9", UserID: "U1", Command: "/why", Text: "heat"}).Encode())
		req, err := slacktest.SignedRequest(ctx, s.base+"/slack/commands", secret, time.Now(), body)
		if err != nil {
			t.Fatal(err)
		}
		if secret == "" {
			req.Header.Del("X-Slack-Signature")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("a request signed with %q: %d, want 401", secret, resp.StatusCode)
		}
	}
	// A command over the gateway, then the connection dropped.
	if err := disc.Wait(ctx, func() bool { return len(disc.Sessions()) > 0 }); err != nil {
		t.Fatal(err)
	}
	i := disc.Command(discordtest.Caller{GuildID: "1", ChannelID: "2", UserID: "3", Username: "u"}, "why", discordtest.String("title", "heat"))
	if _, err := disc.Dispatch(i); err != nil {
		t.Fatal(err)
	}
	if _, err := disc.WaitCallback(ctx, i); err != nil {
		t.Fatal(err)
	}
	disc.DropConnections()

	// Every failing channel tried, and the transient ones through.
	if err := disc.Wait(ctx, func() bool {
		return disc.Attempts("101") > 0 && disc.Attempts("102") > 0 && disc.Attempts("105") > 0 &&
			disc.MessageCount("103") == 1 && disc.MessageCount("104") == 1
	}); err != nil {
		t.Fatalf("Discord daily posts: %v\n%s", err, s.stderr)
	}
	if _, err := sl.WaitMessages(ctx, "C1", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := sl.WaitMessages(ctx, "C3", 1); err != nil {
		t.Fatal(err)
	}
	waitCond(t, ctx, "Slack's permanent failures", func() bool { return sl.Attempts("C2") > 0 && sl.Attempts("C4") > 0 })
	if code := s.stop(); code != 0 {
		t.Errorf("serve exited %d", code)
	}
	out := s.stderr.String()
	for _, want := range []string{"daily pick cannot be posted", "429", "not_in_channel"} {
		if !strings.Contains(out, want) {
			t.Errorf("the run did not go through %q; logs:\n%s", want, out)
		}
	}
	assertNoSentinel(t, "serve", out)

	// Slack refusing the token at start stops serve with a message.
	sl.Fail(slacktest.MethodAuthTest, "", slacktest.InvalidAuth)
	r := runCmd(t, "", "serve", "--addr", "127.0.0.1:0", "--store-driver", "memory")
	if r.code == 0 || !strings.Contains(r.stderr, "slack.bot_token") {
		t.Errorf("serve with a refused token: %+v", r)
	}
	assertNoSentinel(t, "serve with a refused token", r.stdout+r.stderr)

	// A PostgreSQL DSN with a password, unreachable.
	t.Setenv("INDUSTRYBOT_STORE_DRIVER", "postgres")
	t.Setenv("INDUSTRYBOT_STORE_DSN", fmt.Sprintf("postgres://industrybot:%s@127.0.0.1:1/db?connect_timeout=1", sentinelPG))
	r = runCmd(t, "", "daily", "status")
	if r.code == 0 || !strings.Contains(r.stderr, "store.dsn") {
		t.Errorf("daily status on an unreachable database: %+v", r)
	}
	assertNoSentinel(t, "daily status", r.stdout+r.stderr)
}

// TestPanicWithSecretIsRedacted: a panic whose value carries a token is
// recovered, logged, and the token blanked.
func TestPanicWithSecretIsRedacted(t *testing.T) {
	var out syncBuffer
	log := newLogger(&out, "debug", "json", []string{sentinelDiscord})
	b := bot.New(bot.Config{Engine: bottest.Engine(t), Memory: panickingMemory{}, Logger: log})
	r := b.Handle(context.Background(), bot.Request{Platform: bot.Discord, Channel: "C1", Command: bot.CmdRandom})
	if !r.Private || r.Error == "" {
		t.Errorf("got %+v, want a private apology", r)
	}
	if !strings.Contains(out.String(), "panicked") {
		t.Fatalf("the panic was not logged: %s", out.String())
	}
	assertNoSentinel(t, "a recovered panic", out.String())
}

type panickingMemory struct{ bot.Store }

func (panickingMemory) Recent(context.Context, bot.ChannelKey, int) ([]string, error) {
	panic("request to https://discord.com/api/v9/channels with Authorization: Bot " + sentinelDiscord + " and " + sentinelBot)
}

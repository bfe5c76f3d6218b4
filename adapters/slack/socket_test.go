package slack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/adapters/slack/slacktest"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
	"github.com/industrybot/industrybot/bot/convtest"
)

// TestSocketConversation plays the core's script as slash_commands
// envelopes to the real socketmode client: every envelope is acknowledged,
// with the answer in the acknowledgement.
func TestSocketConversation(t *testing.T) {
	r := newSocketRig(t, bottest.Bot(t))
	convtest.Run(t, func(t *testing.T, line string) convtest.Content {
		return content(r.command(t, line))
	})
	if got, want := len(r.fake.Acks()), len(convtest.Script()); got != want {
		t.Errorf("%d acknowledgements, want one for each of the %d envelopes", got, want)
	}
	if err := r.a.Ready(t.Context()); err != nil {
		t.Errorf("Ready while connected: %v", err)
	}
}

// TestSocketButtons presses the buttons as interactive envelopes: each is
// acknowledged at once, empty, and answered at its response URL.
func TestSocketButtons(t *testing.T) {
	r := newSocketRig(t, bottest.Bot(t))
	testButtons(t, r.fake, r.a, func(t *testing.T, line string) slacktest.Response { return r.command(t, line) },
		func(t *testing.T, p slacktest.Press) {
			ack, err := r.fake.PressButton(testCtx(t), p)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok, _ := ack.Answer(); ok || ack.EnvelopeID == "" {
				t.Errorf("press acknowledged with %+v, want an empty acknowledgement", ack)
			}
		})
}

func TestSocketSlowAnswerGoesToResponseURL(t *testing.T) {
	h := &spy{release: make(chan struct{}), reply: bot.Reply{Text: "late but here"}}
	r := newSocketRig(t, h, func(c *slack.Config) { c.AckWithin = time.Millisecond })
	c := slashCommand("/random")
	c.ResponseURL = r.fake.ResponseURL()
	ack, err := r.fake.SendSlashCommand(testCtx(t), c)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := ack.Answer(); ok {
		t.Fatalf("acknowledged with %s, want an empty acknowledgement", ack.Payload)
	}
	close(h.release)
	got, err := r.fake.WaitResponses(testCtx(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	if resp := got[0]; resp.ResponseType != slack.InChannel || !strings.Contains(resp.PlainText(), "late but here") {
		t.Errorf("response = %+v, want the public answer", resp)
	}
}

// TestSocketAnswerTooBigForAck: Slack drops acknowledgements of 20KB or
// more, so a long answer goes to the response URL instead.
func TestSocketAnswerTooBigForAck(t *testing.T) {
	long := &bot.Title{Work: bot.Work{ID: "long", Title: "Long", Kind: bot.Film, Year: 2000, Credit: bot.Credit{Role: "director", Names: []string{"A. Director"}}}}
	for range 15 {
		long.Commentary = append(long.Commentary, strings.Repeat("A sentence of some length. ", 75))
	}
	r := newSocketRig(t, &spy{reply: bot.Reply{Commentary: long, Attribution: "the creators"}})
	ack, err := r.fake.SendSlashCommand(testCtx(t), slashCommand("/why long"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := ack.Answer(); ok {
		t.Fatalf("acknowledged with %d bytes, want an empty acknowledgement", len(ack.Payload))
	}
	got, err := r.fake.WaitResponses(testCtx(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	if c := content(got[0]); len(c.Titles) != 1 || c.Titles[0] != "Long" || strings.Count(c.Text, "A sentence of some length.") != 15*75 {
		t.Errorf("response has titles %q and %d sentences, want Long and all %d", c.Titles, strings.Count(c.Text, "A sentence of some length."), 15*75)
	}
}

// TestSocketReconnect: when Slack asks the client to reconnect, it opens a
// new connection and goes on answering.
func TestSocketReconnect(t *testing.T) {
	r := newSocketRig(t, bottest.Bot(t))
	if err := r.fake.Disconnect(); err != nil {
		t.Fatal(err)
	}
	if err := r.fake.WaitConnected(testCtx(t), 2); err != nil {
		t.Fatal(err)
	}
	if c := content(r.command(t, "/why heat")); len(c.Titles) != 1 || c.Titles[0] != "Heat" {
		t.Errorf("after reconnecting: got %+v", c)
	}
	if got := r.fake.Calls(slacktest.MethodConnectionsOpen); got != 2 {
		t.Errorf("apps.connections.open called %d times, want 2", got)
	}
}

// TestSocketRefusedTokens: a token Slack refuses stops Run with an error
// naming the setting, never the token.
func TestSocketRefusedTokens(t *testing.T) {
	tests := []struct {
		name     string
		bot, app string // what the fake accepts
		want     string
	}{
		{"app token", slacktest.BotToken, "xapp-1-A0TEST-1-another-app-token", "slack.app_token"},
		{"bot token", "xoxb-1-another-bot-token", slacktest.AppToken, "slack.bot_token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := slacktest.New(t, slacktest.WithTokens(tc.bot, tc.app))
			a, err := slack.New(slack.Config{Handler: bottest.Bot(t), BotToken: slacktest.BotToken, AppToken: slacktest.AppToken, APIURL: fake.APIURL()})
			if err != nil {
				t.Fatal(err)
			}
			err = a.Run(testCtx(t))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run = %v, want an error naming %s", err, tc.want)
			}
			for _, tok := range []string{slacktest.BotToken, slacktest.AppToken} {
				if strings.Contains(err.Error(), tok) {
					t.Errorf("the error shows a token: %v", err)
				}
			}
			if err := a.Ready(t.Context()); err == nil {
				t.Error("Ready after Run failed: want an error")
			}
		})
	}
}

func TestSocketReadyFollowsTheConnection(t *testing.T) {
	fake := slacktest.New(t)
	a, err := slack.New(slack.Config{Handler: bottest.Bot(t), BotToken: slacktest.BotToken, AppToken: slacktest.AppToken, APIURL: fake.APIURL()})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Ready(t.Context()); err == nil {
		t.Error("Ready before Run: want an error")
	}
	if a.Handler() != nil {
		t.Error("Handler in Socket Mode: want none, there are no HTTP routes")
	}
	ctx, cancel := context.WithCancel(testCtx(t))
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	// An answered command proves the client saw its connection come up:
	// the connected event comes before any envelope.
	if _, err := fake.SendSlashCommand(testCtx(t), slashCommand("/help")); err != nil {
		t.Fatal(err)
	}
	if err := a.Ready(t.Context()); err != nil {
		t.Errorf("Ready while connected: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run after its context ended = %v, want nil", err)
	}
	if err := a.Ready(t.Context()); err == nil {
		t.Error("Ready after Run returned: want an error")
	}
}

func TestSocketModeNeedsTokens(t *testing.T) {
	for _, c := range []slack.Config{
		{Handler: bottest.Bot(t), BotToken: slacktest.BotToken},
		{Handler: bottest.Bot(t), AppToken: slacktest.AppToken},
	} {
		if _, err := slack.New(c); err == nil || !strings.Contains(err.Error(), "token") {
			t.Errorf("New without a token = %v, want an error naming it", err)
		}
	}
}

// TestSocketIgnoresOtherEnvelopes: an interaction that is not a button of
// the bot (a shortcut, say) is acknowledged and left alone.
func TestSocketIgnoresOtherEnvelopes(t *testing.T) {
	r := newSocketRig(t, bottest.Bot(t))
	ack, err := r.fake.SendInteraction(testCtx(t), []byte(`{"type":"shortcut","callback_id":"x","trigger_id":"t","user":{"id":"U1"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if ack.EnvelopeID == "" {
		t.Error("no acknowledgement")
	}
	if err := r.a.Drain(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if n := r.fake.Calls(slacktest.MethodResponseURL); n != 0 {
		t.Errorf("%d posts to response URLs, want none", n)
	}
}

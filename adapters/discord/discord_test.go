package discord

import (
	"context"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/industrybot/industrybot/adapters/discord/discordtest"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

// TestModes: an adapter takes its interactions over the gateway (Run
// connects, Ready says whether it is connected, no HTTP routes) or over
// HTTP (Handler serves the route, Ready always passes, Run only waits),
// and says what a mode lacks.
func TestModes(t *testing.T) {
	t.Parallel()
	sess, err := NewSession(SessionConfig{APIURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	b := bottest.Bot(t)
	signer := discordtest.NewSigner()
	for _, tc := range []struct {
		name string
		c    Config
		want string // in New's error; "" for none
	}{
		{"gateway by default", Config{Handler: b, Engine: b.Engine(), Session: sess}, ""},
		{"http", Config{Handler: b, Engine: b.Engine(), Session: sess, Mode: ModeHTTP, PublicKey: signer.Public}, ""},
		{"http without a key", Config{Handler: b, Engine: b.Engine(), Session: sess, Mode: ModeHTTP}, "discord.public_key"},
		{"another mode", Config{Handler: b, Engine: b.Engine(), Session: sess, Mode: "webhook"}, "neither gateway nor http"},
		{"no engine", Config{Handler: b, Session: sess}, "engine"},
		{"no session", Config{Handler: b, Engine: b.Engine()}, "session"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := New(tc.c)
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("New = %v, want an error naming %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if http := tc.c.Mode == ModeHTTP; (a.Handler() != nil) != http {
				t.Errorf("Handler = %v, want one only in HTTP mode", a.Handler())
			}
			if err := a.Ready(t.Context()); (err == nil) != (tc.c.Mode == ModeHTTP) {
				t.Errorf("Ready = %v, want ready in HTTP mode and not before the gateway connects", err)
			}
		})
	}
}

// TestHTTPRunDrains: in HTTP mode Run returns once its context ends and
// the answers in flight are out.
func TestHTTPRunDrains(t *testing.T) {
	t.Parallel()
	h := &slowHandler{release: make(chan struct{}), reply: bot.Reply{Text: "Late, but here"}}
	x := startHTTP(t, harnessConfig{handler: h, deferAfter: 1})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- x.a.Run(ctx) }()
	i := x.f.Command((&channels{}).next(testGuild), "random")
	if w := decode(t, x.ask(t, i)); w.Type != int(discordgo.InteractionResponseDeferredChannelMessageWithSource) {
		t.Fatalf("first answer = %+v, want a deferral", w)
	}
	cancel()
	select {
	case err := <-done:
		t.Fatalf("Run returned %v with an answer in flight", err)
	default:
	}
	h.release <- struct{}{}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if l := x.f.Interaction(i.Token); len(l.Edits)+len(l.Followups) == 0 {
		t.Errorf("Run returned before the answer was sent: %+v", l)
	}
}

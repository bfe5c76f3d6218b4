package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// gateway receives interactions over a gateway connection (a websocket
// the bot opens to Discord) and answers them through the Adapter.
type gateway struct {
	a   *Adapter
	s   *discordgo.Session
	log *slog.Logger
	// retryDelay is how long to wait before the attempt-th retry of a
	// failed first connection.
	retryDelay func(attempt int) time.Duration
	// stopped refuses new gateway connections once run is done.
	stopped atomic.Bool
}

// newGateway returns a gateway connection for session s (NewSession, with
// a bot token) answering through a.
func newGateway(a *Adapter, s *discordgo.Session) *gateway {
	g := &gateway{
		a: a, s: s, log: a.log.With("transport", "gateway", "shard", s.ShardID, "shards", s.ShardCount),
		retryDelay: func(attempt int) time.Duration { return min(time.Second<<min(attempt, 6), time.Minute) },
	}
	d := *websocket.DefaultDialer
	if s.Dialer != nil {
		d = *s.Dialer
	}
	var nd net.Dialer
	d.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if g.stopped.Load() {
			return nil, errStopped
		}
		return nd.DialContext(ctx, network, addr)
	}
	s.Dialer = &d
	return g
}

var errStopped = errors.New("the discord gateway was stopped: industrybot is shutting down")

// ready reports whether the gateway is connected.
func (g *gateway) ready(context.Context) error {
	// discordgo sets DataReady once connected and heartbeating, and clears
	// it when the connection closes (a heartbeat racing Close can set it
	// again: stopped covers shutdown). Open holds the lock while it
	// connects: that is "not ready" too, not a reason to block the check.
	ready := false
	if !g.stopped.Load() && g.s.TryRLock() {
		ready = g.s.DataReady
		g.s.RUnlock()
	}
	if !ready {
		return errors.New("the Discord gateway is not connected (connecting or reconnecting)")
	}
	return nil
}

// run connects, answers interactions until ctx ends, then disconnects; the
// Adapter waits for the answers in flight. A connection that drops is
// reconnected (and resumed) by discordgo. run returns an error when the
// first connection fails for a reason retrying cannot fix, such as a
// refused token.
func (g *gateway) run(ctx context.Context) error {
	// Interactions answered while shutting down still get their answer.
	ictx := context.WithoutCancel(ctx)
	for _, remove := range []func(){
		g.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Connect) {
			g.log.Info("discord gateway connected")
		}),
		g.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
			if ctx.Err() == nil {
				g.log.Warn("discord gateway disconnected; reconnecting")
			}
		}),
		// Interactions are read from the raw event, as over HTTP, and not
		// from discordgo's InteractionCreate: discordgo cannot decode an
		// interaction holding anything new to it, and hands on what it
		// made of it half-filled (decodeInteraction).
		g.s.AddHandler(func(_ *discordgo.Session, e *discordgo.Event) {
			if e.Type != "INTERACTION_CREATE" {
				return
			}
			i, err := decodeInteraction(e.RawData)
			if err != nil {
				g.log.Warn("discord gateway: an interaction that cannot be read was dropped", "err", err)
				return
			}
			g.a.interact(ictx, i, func(ctx context.Context, r *response) error {
				return g.a.callback(ctx, i, r)
			})
		}),
	} {
		defer remove()
	}
	if err := g.open(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	// discordgo reconnects whenever a write to the connection fails, and
	// its heartbeat may write just after Close sent the close frame; a
	// reconnect loop may also be running (the connection dropped just
	// before). Turning ShouldReconnectOnError off would race with its
	// unlocked reads, so the dialer refuses instead: no connection outlives
	// run.
	g.stopped.Store(true)
	if err := g.s.Close(); err != nil {
		g.log.Warn("closing the discord gateway", "err", err)
	}
	return nil
}

// open makes the first connection, retrying failures that may pass.
func (g *gateway) open(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		err := g.s.Open()
		if err == nil {
			return nil
		}
		if perm := permanent(err); perm != nil {
			return perm
		}
		wait := g.retryDelay(attempt)
		g.log.Warn("connecting to the discord gateway failed; retrying", "err", err, "retry_in", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// permanent explains a gateway close code that retrying cannot fix.
func permanent(err error) error {
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		return nil
	}
	what := ""
	switch ce.Code {
	case 4004:
		what = "the bot token was refused (4004 Authentication failed): copy it again from the Developer Portal (Bot → Reset Token) into INDUSTRYBOT_DISCORD_TOKEN"
	case 4010:
		what = "the shard is invalid (4010): check discord.shard_id and discord.shard_count"
	case 4011:
		what = "the bot is in too many servers for one connection (4011 Sharding required): set discord.shard_count and run one process per discord.shard_id"
	case 4012:
		what = "the gateway refused the API version (4012): upgrade industrybot"
	case 4013, 4014:
		what = fmt.Sprintf("the gateway refused the intents (%d): upgrade industrybot", ce.Code)
	default:
		return nil
	}
	return errors.New("discord gateway: " + what)
}

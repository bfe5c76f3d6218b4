package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// runSocket holds a Socket Mode connection until ctx ends: slack-go opens it
// with apps.connections.open, answers Slack's pings and reconnects when
// Slack asks; this loop acknowledges every envelope and answers commands
// and buttons. It returns an error only when Slack refuses the app token.
func (a *Adapter) runSocket(ctx context.Context) error {
	api := slackapi.New(a.botTok,
		slackapi.OptionAppLevelToken(a.appTok),
		slackapi.OptionAPIURL(a.apiURL),
		slackapi.OptionHTTPClient(a.client),
		slackapi.OptionLog(slog.NewLogLogger(a.log.Handler(), slog.LevelDebug)),
	)
	smc := socketmode.New(api, socketmode.OptionLog(slog.NewLogLogger(a.log.Handler(), slog.LevelDebug)))

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	runErr := make(chan error, 1)
	go func() {
		runErr <- smc.RunContext(runCtx)
		cancel()
	}()
	defer a.connected.Store(false)
	for {
		select {
		case <-runCtx.Done():
			err := <-runErr
			if ctx.Err() != nil {
				return nil
			}
			if isAuthError(err) {
				return fmt.Errorf("slack.app_token was refused by Slack (%v): generate an app-level token with the connections:write scope on the app's Basic Information page", scrub(err, a.botTok, a.appTok))
			}
			return fmt.Errorf("slack socket mode stopped: %w", scrub(err, a.botTok, a.appTok))
		case evt := <-smc.Events:
			a.socketEvent(runCtx, smc, evt)
		}
	}
}

// socketEvent handles one event of the Socket Mode client. Every envelope
// from Slack is acknowledged: a command with its answer when it is ready
// within the ack budget, everything else at once.
func (a *Adapter) socketEvent(ctx context.Context, smc *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		a.connected.Store(false)
		a.log.Debug("slack: connecting to Socket Mode")
	case socketmode.EventTypeConnected:
		a.connected.Store(true)
		a.log.Info("slack: Socket Mode connected")
	case socketmode.EventTypeConnectionError:
		a.connected.Store(false)
		if e, ok := evt.Data.(*slackapi.ConnectionErrorEvent); ok {
			a.log.Warn("slack: Socket Mode connection failed; retrying", "attempt", e.Attempt, "backoff", e.Backoff, "err", scrub(e.ErrorObj, a.botTok, a.appTok))
		}
	case socketmode.EventTypeInvalidAuth:
		a.connected.Store(false)
		a.log.Error("slack: Socket Mode refused the app token")
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage, socketmode.EventTypeErrorWriteFailed:
		a.log.Warn("slack: Socket Mode message failed", "event", evt.Type, "err", scrub(socketError(evt.Data), a.botTok, a.appTok))
	case socketmode.EventTypeSlashCommand:
		c, ok := evt.Data.(slackapi.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		req := *evt.Request
		a.later(func() { a.socketCommand(ctx, smc, req, c) })
	case socketmode.EventTypeInteractive:
		if ic, ok := evt.Data.(slackapi.InteractionCallback); ok {
			a.answerPress(ctx, ic) // counted by Drain before Slack hears back
		}
		if evt.Request != nil {
			a.ackSocket(ctx, smc, *evt.Request, nil)
		}
	default:
		// hello, events the app did not subscribe to: acknowledged if they
		// carry an envelope, else nothing to do.
		if evt.Request != nil && evt.Request.EnvelopeID != "" {
			a.ackSocket(ctx, smc, *evt.Request, nil)
		}
	}
}

// socketCommand answers a slash command in its acknowledgement, or
// acknowledges it empty and answers at its response_url when the answer is
// slow or too big for an acknowledgement (Slack drops those of 20KB or more).
func (a *Adapter) socketCommand(ctx context.Context, smc *socketmode.Client, req socketmode.Request, c slackapi.SlashCommand) {
	r, body, deferred, err := a.answerCommand(ctx, c, func() { a.ackSocket(ctx, smc, req, nil) })
	if deferred {
		return
	}
	if err == nil {
		err = smc.AckCtx(ctx, req.EnvelopeID, json.RawMessage(body))
	}
	if err != nil {
		a.log.Info("slack: the answer does not fit an acknowledgement; it goes to the response_url", "err", err)
		a.ackSocket(ctx, smc, req, nil)
		a.later(func() {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), followUpTimeout)
			defer cancel()
			a.respond(rctx, c.ResponseURL, Render(r), false)
		})
	}
}

func (a *Adapter) ackSocket(ctx context.Context, smc *socketmode.Client, req socketmode.Request, payload any) {
	if err := smc.AckCtx(ctx, req.EnvelopeID, payload); err != nil && ctx.Err() == nil {
		a.log.Warn("slack: acknowledging an envelope failed", "type", req.Type, "err", err)
	}
}

func socketError(data any) error {
	switch e := data.(type) {
	case *slackapi.IncomingEventError:
		return e.ErrorObj
	case *socketmode.ErrorBadMessage:
		return e.Cause
	case *socketmode.ErrorWriteFailed:
		return e.Cause
	case error:
		return e
	}
	return errors.New("unknown error")
}

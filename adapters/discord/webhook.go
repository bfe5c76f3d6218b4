package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/bwmarrin/discordgo"
)

// The interaction endpoints are called with the session's HTTP client (so
// discord.api_url applies) but not through discordgo's rate limiter: it keeps
// a bucket per URL for ever, and these URLs hold a fresh interaction token
// each time, so a long-running bot would grow the map by one bucket per
// interaction. Interaction tokens authorise these calls; no bot token is sent.

// callback posts the first answer to an interaction (gateway mode).
func (a *Adapter) callback(ctx context.Context, i *interaction, r *response) error {
	body, err := r.encode()
	if err != nil {
		return fmt.Errorf("discord: answering the interaction: %w", err)
	}
	return a.call(ctx, http.MethodPost, discordgo.EndpointInteractionResponse(i.ID, i.Token), json.RawMessage(body), "answering the interaction")
}

// editOriginal puts m in place of a deferred answer's "thinking…" message,
// or, after a deferred update, of the message the pressed button is on.
func (a *Adapter) editOriginal(ctx context.Context, i *interaction, m message) error {
	return a.call(ctx, http.MethodPatch, discordgo.EndpointWebhookMessage(i.AppID, i.Token, "@original"), m.edit(), "editing the deferred answer")
}

// deleteOriginal removes a deferred answer's "thinking…" message.
func (a *Adapter) deleteOriginal(ctx context.Context, i *interaction) error {
	return a.call(ctx, http.MethodDelete, discordgo.EndpointWebhookMessage(i.AppID, i.Token, "@original"), nil, "deleting the deferred answer")
}

// followup sends one more message answering the interaction.
func (a *Adapter) followup(ctx context.Context, i *interaction, m message) error {
	return a.call(ctx, http.MethodPost, discordgo.EndpointWebhookToken(i.AppID, i.Token)+"?wait=true", m.data(), "sending a follow-up")
}

// call sends one request. Its errors never hold the URL, which holds the
// interaction token.
func (a *Adapter) call(ctx context.Context, method, endpoint string, body any, what string) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("discord: %s: encoding: %w", what, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, endpoint, rd)
	if err != nil {
		return fmt.Errorf("discord: %s: %w", what, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", a.rest.UserAgent)
	resp, err := a.rest.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("discord: %s: %w", what, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("discord: %s: HTTP %s: %s", what, resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}

package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// InteractionsPath is where serve mounts the HTTP interactions endpoint:
// the application's Interactions Endpoint URL ends with it.
const InteractionsPath = "/discord/interactions"

// MaxBody bounds an HTTP interaction's body. Discord's are a few kilobytes.
const MaxBody = 1 << 20

// MaxSkew is how far an HTTP interaction's signed timestamp may be from
// the clock: an older one may be a replay.
const MaxSkew = 5 * time.Minute

// ParsePublicKey reads the application's public key as the Developer Portal
// shows it: 64 hex digits.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	k, err := hex.DecodeString(s)
	if err != nil || len(k) != ed25519.PublicKeySize {
		return nil, errors.New("discord: the public key is not 64 hex digits: copy discord.public_key from the Developer Portal's General Information page")
	}
	return ed25519.PublicKey(k), nil
}

// Interactions returns the handler of Discord's HTTP interactions endpoint
// (the "Interactions Endpoint URL" of the application). Every request must
// carry an Ed25519 signature by key over timestamp + body, with a
// timestamp within MaxSkew of now: anything else gets 401 and no detail,
// as Discord requires (it sends bad signatures on purpose to check). A body
// over MaxBody gets 413. A PING gets {"type":1}; commands, buttons and
// autocompletes get their answer in the response, within Discord's 3
// seconds, and any follow-up through the interaction's webhook.
func (a *Adapter) Interactions(key ed25519.PublicKey) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.serveHTTP(w, r, key)
	})
}

func (a *Adapter) serveHTTP(w http.ResponseWriter, r *http.Request, key ed25519.PublicKey) {
	sig, err := hex.DecodeString(r.Header.Get("X-Signature-Ed25519"))
	ts := r.Header.Get("X-Signature-Timestamp")
	if err != nil || len(sig) != ed25519.SignatureSize || ts == "" {
		unauthorized(w)
		return
	}
	if r.ContentLength > MaxBody {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "reading the request failed", http.StatusBadRequest)
		return
	}
	if !ed25519.Verify(key, append([]byte(ts), body...), sig) {
		unauthorized(w)
		return
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		unauthorized(w)
		return
	}
	if skew := a.now().Sub(time.Unix(sec, 0)); skew > MaxSkew || skew < -MaxSkew {
		a.log.Warn("refused an HTTP interaction with a stale timestamp", "skew", skew.Round(time.Second))
		unauthorized(w)
		return
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil {
		http.Error(w, "not an interaction", http.StatusBadRequest)
		return
	}

	// The interaction is answered on this goroutine. The first answer is
	// written whole (its length said) and flushed, so Discord has it at
	// once, even when it is a deferral sent from a timer while the command
	// runs; a deferred or long answer then goes on through the webhook
	// before the handler returns. Such a response closes the connection:
	// net/http reads no next request on it until the handler returns, and
	// a client that reused it would wait for this command.
	answered := false
	a.interact(context.WithoutCancel(r.Context()), &i, func(_ context.Context, resp *response) error {
		answered = true
		b, err := json.Marshal(resp)
		if err != nil {
			a.log.Error("encoding an interaction response", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return err
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		if resp.more {
			w.Header().Set("Connection", "close")
		}
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("writing the response (has Discord hung up?): %w", err)
		}
		return http.NewResponseController(w).Flush()
	})
	if !answered {
		a.log.Error("an HTTP interaction went unanswered", "interaction", i.ID)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func unauthorized(w http.ResponseWriter) {
	http.Error(w, "invalid request signature", http.StatusUnauthorized)
}

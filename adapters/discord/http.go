package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/industrybot/industrybot/internal/httpbody"
)

// The HTTP routes of ModeHTTP: RoutePrefix holds them all.
const (
	RoutePrefix = "/discord/"
	// InteractionsPath is the interactions endpoint: the application's
	// Interactions Endpoint URL ends with it.
	InteractionsPath = RoutePrefix + "interactions"
)

// MaxBody bounds an HTTP interaction's body. Most are a few kilobytes; a
// button's carries the message it is on (at most 6,000 characters of
// embeds here), and an interaction with resolved users, members, roles,
// channels, messages or attachments can reach a few hundred.
const MaxBody = 256 << 10

// maxSkew is how far an HTTP interaction's signed timestamp may be from
// the clock: an older one may be a replay.
const maxSkew = 5 * time.Minute

// ParsePublicKey reads the application's public key as the Developer Portal
// shows it: 64 hex digits.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	k, err := hex.DecodeString(s)
	if err != nil || len(k) != ed25519.PublicKeySize {
		return nil, errors.New("discord: the public key is not 64 hex digits: copy discord.public_key from the Developer Portal's General Information page")
	}
	return ed25519.PublicKey(k), nil
}

// interactions returns the handler of Discord's HTTP interactions endpoint
// (the "Interactions Endpoint URL" of the application). Every request must
// carry an Ed25519 signature by key over timestamp + body, with a
// timestamp within maxSkew of now: anything else gets 401 and no detail,
// as Discord requires (it sends bad signatures on purpose to check). The
// headers are checked before the body is read, and the body is read with
// Config.Bodies: over MaxBody it gets 413, and 503 when too many large
// bodies are being read. A PING gets {"type":1}; commands, buttons and
// autocompletes get their answer in the response, within Discord's 3
// seconds, and any follow-up through the interaction's webhook.
func (a *Adapter) interactions(key ed25519.PublicKey) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.serveHTTP(w, r, key)
	})
}

func (a *Adapter) serveHTTP(w http.ResponseWriter, r *http.Request, key ed25519.PublicKey) {
	// The headers first: a request that cannot be Discord's is refused
	// before a byte of its body is read.
	sig, ts, err := a.signatureHeaders(r.Header)
	if err != nil {
		a.refuse(w, r, err)
		return
	}
	body, err := a.bodies.Read(w, r, MaxBody, ts, func(signed []byte) error {
		if !ed25519.Verify(key, signed, sig) {
			return errBadSignature
		}
		return nil
	})
	switch {
	case errors.Is(err, errBadSignature):
		a.refuse(w, r, err)
		return
	case err != nil:
		httpbody.Error(w, err)
		return
	}
	i, err := decodeInteraction(body)
	if err != nil {
		a.log.Debug("refused an HTTP interaction", "remote", r.RemoteAddr, "reason", err)
		http.Error(w, "not an interaction", http.StatusBadRequest)
		return
	}

	// The interaction is answered on this goroutine. The first answer is
	// written whole and flushed, so Discord has it at once, even when it
	// is a deferral sent from a timer while the command runs; a deferred
	// or long answer then goes on through the webhook before the handler
	// returns, and its first answer closes the connection (httpbody).
	answered := false
	a.interact(context.WithoutCancel(r.Context()), i, func(_ context.Context, resp *response) error {
		answered = true
		body, err := resp.encode()
		if err != nil {
			http.Error(w, "internal error: cannot encode the answer", http.StatusInternalServerError)
			return err
		}
		if err := httpbody.WriteEncoded(w, body, resp.more); err != nil {
			return fmt.Errorf("answering over HTTP (has Discord hung up?): %w", err)
		}
		return nil
	})
	if !answered {
		a.log.Error("an HTTP interaction went unanswered", "interaction", i.ID)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// signatureHeaders checks what can be checked before the body is read:
// X-Signature-Ed25519 is 128 hex digits and X-Signature-Timestamp a Unix
// time within maxSkew of now.
func (a *Adapter) signatureHeaders(h http.Header) (sig []byte, ts string, err error) {
	hexSig, ts := h.Get("X-Signature-Ed25519"), h.Get("X-Signature-Timestamp")
	if hexSig == "" || ts == "" {
		return nil, "", errors.New("no X-Signature-Ed25519 or X-Signature-Timestamp")
	}
	if len(hexSig) != 2*ed25519.SignatureSize {
		return nil, "", errors.New("X-Signature-Ed25519 is not 128 hex digits")
	}
	if sig, err = hex.DecodeString(hexSig); err != nil {
		return nil, "", errors.New("X-Signature-Ed25519 is not 128 hex digits")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, "", errors.New("X-Signature-Timestamp is not a Unix time")
	}
	if skew := a.now().Sub(time.Unix(sec, 0)); skew > maxSkew || skew < -maxSkew {
		return nil, "", fmt.Errorf("X-Signature-Timestamp is %s from now, more than %s", skew.Round(time.Second), maxSkew)
	}
	return sig, ts, nil
}

var errBadSignature = errors.New("the signature does not match the timestamp, the body and the public key")

// refuse answers a request that is not signed as Discord signs: 401. The
// reason is logged at debug level only: anyone can send such requests, as
// fast as they like, and industrybot_http_requests_total counts them by
// route and code.
func (a *Adapter) refuse(w http.ResponseWriter, r *http.Request, why error) {
	a.log.Debug("refused an HTTP interaction", "remote", r.RemoteAddr, "reason", why)
	unauthorized(w)
}

func unauthorized(w http.ResponseWriter) {
	http.Error(w, "invalid request signature", http.StatusUnauthorized)
}

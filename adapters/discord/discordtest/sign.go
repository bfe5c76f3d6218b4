package discordtest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Signer signs HTTP interactions as Discord does: Ed25519 over the
// timestamp followed by the body, in X-Signature-Ed25519, with the unix
// timestamp in X-Signature-Timestamp.
type Signer struct {
	Public  ed25519.PublicKey
	private ed25519.PrivateKey
}

// NewSigner generates a key pair.
func NewSigner() *Signer {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic("discordtest: generating an Ed25519 key: " + err.Error())
	}
	return &Signer{Public: pub, private: priv}
}

// PublicKeyHex is the public key as the Developer Portal shows it, the
// value of discord.public_key.
func (k *Signer) PublicKeyHex() string { return hex.EncodeToString(k.Public) }

// Sign sets the signature headers of r for body at time ts.
func (k *Signer) Sign(r *http.Request, body []byte, ts time.Time) {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	sig := ed25519.Sign(k.private, append([]byte(stamp), body...))
	r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	r.Header.Set("X-Signature-Timestamp", stamp)
}

// Request builds a POST of v (an interaction, or raw JSON bytes) to url,
// signed at time ts.
func (k *Signer) Request(url string, v any, ts time.Time) (*http.Request, error) {
	body, ok := v.([]byte)
	if !ok {
		var err error
		if body, err = json.Marshal(v); err != nil {
			return nil, err
		}
	}
	r, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	r.Header.Set("Content-Type", "application/json")
	k.Sign(r, body, ts)
	return r, nil
}

package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Headers Slack signs its requests with.
const (
	// HeaderSignature carries the signature; a test that sends a request
	// unsigned leaves it out.
	HeaderSignature = "X-Slack-Signature"
	headerTimestamp = "X-Slack-Request-Timestamp"
)

// maxSkew is how far a request's timestamp may be from now, either way.
const maxSkew = 5 * time.Minute

// Why a request's signature was refused (signature, signedWith). Handlers
// answer every one of them with 401 and no detail; they are for logs and
// tests.
var (
	errUnsigned     = errors.New("request is not signed: no X-Slack-Signature or X-Slack-Request-Timestamp")
	errBadTimestamp = errors.New("X-Slack-Request-Timestamp is not a Unix time")
	errStale        = errors.New("request timestamp is more than 5 minutes from now")
	errBadSignature = errors.New("signature does not match the body and the signing secret")
)

// signedPrefix is what Slack signs before the body: "v0:" + timestamp + ":".
func signedPrefix(h http.Header) string { return "v0:" + h.Get(headerTimestamp) + ":" }

// signedWith checks that sig is the HMAC-SHA256 of the parts with secret,
// in constant time: errBadSignature if not.
func signedWith(secret string, sig []byte, parts ...[]byte) error {
	return newMAC(secret).check(sig, parts...)
}

// mac checks signatures made with one signing secret. It reuses keyed
// HMAC states: keying one costs more than the HMAC of a slash command.
// It is safe for concurrent use.
type mac struct{ states sync.Pool }

func newMAC(secret string) *mac {
	key := []byte(secret)
	return &mac{states: sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}}
}

// check checks that sig is the HMAC-SHA256 of the parts, in constant time:
// errBadSignature if not.
func (m *mac) check(sig []byte, parts ...[]byte) error {
	h := m.states.Get().(hash.Hash)
	defer m.states.Put(h)
	h.Reset()
	for _, p := range parts {
		h.Write(p)
	}
	var sum [sha256.Size]byte
	if !hmac.Equal(sig, h.Sum(sum[:0])) {
		return errBadSignature
	}
	return nil
}

// signature checks the headers and returns the signature they carry.
func signature(h http.Header, now time.Time) ([]byte, error) {
	sig, ts := h.Get(HeaderSignature), h.Get(headerTimestamp)
	if sig == "" || ts == "" {
		return nil, errUnsigned
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, errBadTimestamp
	}
	if d := now.Sub(time.Unix(unix, 0)); d > maxSkew || d < -maxSkew {
		return nil, errStale
	}
	hexSig, ok := strings.CutPrefix(sig, "v0=")
	if !ok || len(hexSig) != 2*sha256.Size {
		return nil, errBadSignature
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return nil, errBadSignature
	}
	return got, nil
}

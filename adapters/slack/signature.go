package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Headers Slack signs its requests with.
const (
	HeaderSignature = "X-Slack-Signature"
	HeaderTimestamp = "X-Slack-Request-Timestamp"
)

// MaxSkew is how far a request's timestamp may be from now, either way.
const MaxSkew = 5 * time.Minute

// Why a request's signature was refused. Handlers answer every one of them
// with 401 and no detail; they are for logs and tests.
var (
	ErrUnsigned     = errors.New("request is not signed: no X-Slack-Signature or X-Slack-Request-Timestamp")
	ErrBadTimestamp = errors.New("X-Slack-Request-Timestamp is not a Unix time")
	ErrStale        = errors.New("request timestamp is more than 5 minutes from now")
	ErrBadSignature = errors.New("signature does not match the body and the signing secret")
)

// CheckHeaders checks what can be checked of a request from Slack before
// its body is read: X-Slack-Signature is "v0=" and 64 hex digits, and
// X-Slack-Request-Timestamp a Unix time at most MaxSkew from now, in the
// past or the future. It returns one of the Err… values above.
func CheckHeaders(h http.Header, now time.Time) error {
	_, err := signature(h, now)
	return err
}

// Verify checks a request from Slack: its headers as CheckHeaders does,
// and X-Slack-Signature "v0=" + hex(HMAC-SHA256(secret, "v0:" + timestamp +
// ":" + body)), compared in constant time. It returns one of the Err…
// values above.
func Verify(h http.Header, body []byte, secret string, now time.Time) error {
	if secret == "" {
		return ErrUnsigned
	}
	sig, err := signature(h, now)
	if err != nil {
		return err
	}
	return signedWith(secret, sig, []byte(signedPrefix(h)), body)
}

// signedPrefix is what Slack signs before the body: "v0:" + timestamp + ":".
func signedPrefix(h http.Header) string { return "v0:" + h.Get(HeaderTimestamp) + ":" }

// signedWith checks that sig is the HMAC-SHA256 of the parts with secret,
// in constant time: ErrBadSignature if not.
func signedWith(secret string, sig []byte, parts ...[]byte) error {
	mac := hmac.New(sha256.New, []byte(secret))
	for _, p := range parts {
		mac.Write(p)
	}
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return ErrBadSignature
	}
	return nil
}

// signature checks the headers and returns the signature they carry.
func signature(h http.Header, now time.Time) ([]byte, error) {
	sig, ts := h.Get(HeaderSignature), h.Get(HeaderTimestamp)
	if sig == "" || ts == "" {
		return nil, ErrUnsigned
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, ErrBadTimestamp
	}
	if d := now.Sub(time.Unix(unix, 0)); d > MaxSkew || d < -MaxSkew {
		return nil, ErrStale
	}
	hexSig, ok := strings.CutPrefix(sig, "v0=")
	if !ok || len(hexSig) != 2*sha256.Size {
		return nil, ErrBadSignature
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return nil, ErrBadSignature
	}
	return got, nil
}

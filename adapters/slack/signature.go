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

// Verify checks a request from Slack: X-Slack-Signature must be
// "v0=" + hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body)), compared
// in constant time, and X-Slack-Request-Timestamp at most MaxSkew from now,
// in the past or the future. It returns one of the Err… values above.
func Verify(h http.Header, body []byte, secret string, now time.Time) error {
	sig, ts := h.Get(HeaderSignature), h.Get(HeaderTimestamp)
	if sig == "" || ts == "" || secret == "" {
		return ErrUnsigned
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrBadTimestamp
	}
	if d := now.Sub(time.Unix(unix, 0)); d > MaxSkew || d < -MaxSkew {
		return ErrStale
	}
	hexSig, ok := strings.CutPrefix(sig, "v0=")
	if !ok {
		return ErrBadSignature
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return ErrBadSignature
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return ErrBadSignature
	}
	return nil
}

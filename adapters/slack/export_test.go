package slack

import (
	"context"
	"net/http"
	"time"
)

// SetSleep replaces how a with waits before retrying after a 429, so tests
// see the wait instead of sitting through it.
func SetSleep(a *Adapter, sleep func(ctx context.Context, d time.Duration) error) { a.sleep = sleep }

// Block Kit limits the renderer keeps to, for tests that check a message
// stays within them.
const (
	MaxText       = maxText
	MaxBlocks     = maxBlocks
	MaxButtonText = maxButtonText
)

// The signature's header and errors, for the tests of the check.
const HeaderTimestamp = headerTimestamp

var (
	ErrUnsigned     = errUnsigned
	ErrBadTimestamp = errBadTimestamp
	ErrStale        = errStale
	ErrBadSignature = errBadSignature
)

// Verify checks a request from Slack as the routes do, its headers before
// its body is read and then the signature over it: X-Slack-Signature is
// "v0=" + hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body)),
// compared in constant time, and X-Slack-Request-Timestamp a Unix time at
// most 5 minutes from now, in the past or the future. It returns one of
// the Err… values above.
func Verify(h http.Header, body []byte, secret string, now time.Time) error {
	if secret == "" {
		return errUnsigned
	}
	sig, err := signature(h, now)
	if err != nil {
		return err
	}
	return signedWith(secret, sig, []byte(signedPrefix(h)), body)
}

// AnswersKept counts the encoded answers a keeps for replies with a Key.
func AnswersKept(a *Adapter) int { return a.answers.Len() }

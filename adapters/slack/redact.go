package slack

import (
	"net/url"
	"regexp"
	"strings"
)

// Slack tokens: bot (xoxb-), user (xoxp-), app-level (xapp-), and the rest
// of the xox family.
var tokenRE = regexp.MustCompile(`\bx(?:ox[a-z]|app)-[A-Za-z0-9-]+`)

// URLs in error texts: a response_url carries a credential in its path,
// a Socket Mode URL in its query.
var urlRE = regexp.MustCompile(`(?i)\b(?:https?|wss?)://[^\s"'<>]+`)

// methodRE matches the last segment of a Web API URL, which is worth keeping
// in a log: ".../api/chat.postMessage".
var methodRE = regexp.MustCompile(`^/(?:[^/]+/)*[a-z]+\.[A-Za-z.]+$`)

// redact removes secrets from a text bound for a log or an error: any
// Slack-shaped token, the given secrets verbatim, and every URL's query and
// path except a Web API method's.
func redact(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= 8 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	s = tokenRE.ReplaceAllString(s, "[redacted token]")
	return urlRE.ReplaceAllStringFunc(s, func(raw string) string {
		u, err := url.Parse(strings.TrimRight(raw, `.,;:)`))
		if err != nil || u.Host == "" {
			return "[url]"
		}
		kept := u.Scheme + "://" + u.Host
		if methodRE.MatchString(u.Path) {
			kept += u.Path
		} else if u.Path != "" && u.Path != "/" {
			kept += "/…"
		}
		return kept + raw[len(strings.TrimRight(raw, `.,;:)`)):]
	})
}

// redactedError is an error whose text has been through redact; errors.Is
// and errors.As still see what it wraps.
type redactedError struct {
	err     error
	secrets []string
}

func (e *redactedError) Error() string { return redact(e.err.Error(), e.secrets...) }
func (e *redactedError) Unwrap() error { return e.err }

// scrub wraps err so that its text carries no secret.
func scrub(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	return &redactedError{err: err, secrets: secrets}
}

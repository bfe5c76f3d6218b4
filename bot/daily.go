package bot

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// The actions of /daily and their options.
const (
	DailySubscribe   = "subscribe"
	DailyUnsubscribe = "unsubscribe"
	DailyStatus      = "status"
	DailySkip        = "skip"

	OptAction   = "action"   // daily: subscribe, unsubscribe, status, skip
	OptTime     = "time"     // daily subscribe: HH:MM
	OptTimezone = "timezone" // daily subscribe: an IANA zone
)

// ParseClock reads a local time of day, "09:00" or "9:00", into minutes
// after midnight.
func ParseClock(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a time of day: use HH:MM, such as 09:00", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// FormatClock renders minutes after midnight as HH:MM.
func FormatClock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// LoadZone reads an IANA time zone name such as "Europe/London".
func LoadZone(name string) (*time.Location, error) {
	if name == "" || strings.EqualFold(name, "local") {
		return nil, fmt.Errorf("timezone %q: name an IANA zone such as Europe/London", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%q is not a time zone: name an IANA zone such as Europe/London or America/New_York", name)
	}
	return loc, nil
}

// parseDaily reads "/daily subscribe 09:00 Europe/London" and friends.
func parseDaily(text string) (map[string]string, error) {
	words := strings.Fields(text)
	if len(words) == 0 {
		return map[string]string{OptAction: DailyStatus}, nil
	}
	action := strings.ToLower(words[0])
	opts := map[string]string{OptAction: action}
	args := words[1:]
	switch action {
	case DailySubscribe:
		for _, a := range args {
			switch {
			case strings.Contains(a, ":") && opts[OptTime] == "":
				m, err := ParseClock(a)
				if err != nil {
					return nil, err
				}
				opts[OptTime] = FormatClock(m)
			case opts[OptTimezone] == "":
				if _, err := LoadZone(a); err != nil {
					return nil, err
				}
				opts[OptTimezone] = a
			default:
				return nil, fmt.Errorf("/daily subscribe takes a time and a timezone, not %q", Clip(a, 40))
			}
		}
		return opts, nil
	case DailyUnsubscribe, DailyStatus, DailySkip:
		if len(args) > 0 {
			return nil, fmt.Errorf("/daily %s takes nothing more, not %q", action, Clip(strings.Join(args, " "), 40))
		}
		return opts, nil
	}
	return nil, fmt.Errorf("/daily takes subscribe, unsubscribe, status or skip, not %q", Clip(action, 30))
}

// Poster sends a scheduled message, such as the daily pick, to a channel on
// one platform. Discord and Slack adapters implement it.
type Poster interface {
	// Post sends reply to channel. A failure is a *PostError saying whether
	// retrying can help.
	Post(ctx context.Context, channel string, reply Reply) error
}

// PostError is a failed post.
type PostError struct {
	// Permanent is set when retrying cannot help until someone acts: the
	// channel is unknown, the bot is not in it or lacks permission.
	Permanent bool
	// RetryAfter, when set, is how long the platform asked to wait (429).
	RetryAfter time.Duration
	// Hint tells an operator what to do, for a permanent failure.
	Hint string
	Err  error
}

func (e *PostError) Error() string {
	switch {
	case e.Permanent && e.Hint != "":
		return fmt.Sprintf("permanent: %v (%s)", e.Err, e.Hint)
	case e.Permanent:
		return fmt.Sprintf("permanent: %v", e.Err)
	case e.RetryAfter > 0:
		return fmt.Sprintf("%v (retry after %s)", e.Err, e.RetryAfter)
	}
	return e.Err.Error()
}

func (e *PostError) Unwrap() error { return e.Err }

package bot

import (
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

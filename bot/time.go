package bot

import (
	"fmt"
	"strings"
	"time"
)

// ParseClock reads a local time of day, "09:00" or "9:00", into minutes
// after midnight.
func ParseClock(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%s is not a time of day: use HH:MM, such as 09:00", Quote(s, 20))
	}
	return t.Hour()*60 + t.Minute(), nil
}

// FormatClock renders minutes after midnight as HH:MM.
func FormatClock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// LoadZone reads an IANA time zone name such as "Europe/London".
func LoadZone(name string) (*time.Location, error) {
	if name == "" || strings.EqualFold(name, "local") {
		return nil, fmt.Errorf("timezone %s: name an IANA zone such as Europe/London", Quote(name, 40))
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%s is not a time zone: name an IANA zone such as Europe/London or America/New_York", Quote(name, 40))
	}
	return loc, nil
}

const (
	localFormat = "Mon 2 Jan 2006 15:04 MST"
	utcFormat   = "Mon 2 Jan 15:04 UTC"
)

// DateLayout is how local dates are written in the store.
const DateLayout = "2006-01-02"

// dueAt returns when a daily post for a local date at a local time of day
// (minutes after midnight) falls in loc: the first instant whose wall clock
// reads that time or later. So 09:00 stays 09:00 across daylight-saving
// changes, a time the change skips (01:30 on the spring-forward night in
// London) posts at the next valid minute (02:00), and a time that happens
// twice posts at its first occurrence.
func dueAt(date string, minutes int, loc *time.Location) (time.Time, error) {
	d, err := time.ParseInLocation(DateLayout, date, loc)
	if err != nil {
		return time.Time{}, err
	}
	target := time.Date(d.Year(), d.Month(), d.Day(), minutes/60, minutes%60, 0, 0, loc)
	wall := func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04") }
	want := wall(target)
	if want[:10] == date && want[11:] == FormatClock(minutes) && wall(target.Add(-time.Hour)) < want {
		return target, nil // the common case: it exists, and only once
	}
	// Near a transition: walk minute by minute from three hours before.
	goal := date + " " + FormatClock(minutes)
	for t := target.Add(-3 * time.Hour).Truncate(time.Minute); t.Before(target.Add(3 * time.Hour)); t = t.Add(time.Minute) {
		if wall(t) >= goal {
			return t, nil
		}
	}
	return target, nil
}

package bot

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ParseClock reads a local time of day, "09:00", "9:00", "7pm" or
// "7:30pm", into minutes after midnight.
func ParseClock(s string) (int, error) {
	for _, layout := range []string{"15:04", "3pm", "3:04pm", "3PM", "3:04PM"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Hour()*60 + t.Minute(), nil
		}
	}
	return 0, fmt.Errorf("%s is not a time of day: use HH:MM, such as 09:00", Quote(s, 20))
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

// PlainTime writes a time for text that every reader sees alike: its local
// time in its own zone and, outside UTC, the UTC time, "Fri 27 Nov 2026
// 18:30 EST (Fri 27 Nov 23:30 UTC)". Platforms that show each reader a
// time in their own zone use their own markup instead (Reply.Stamp).
func PlainTime(t time.Time) string {
	if t.Location() == time.UTC {
		return t.Format(localFormat)
	}
	return t.Format(localFormat) + " (" + t.UTC().Format(utcFormat) + ")"
}

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

// Days are the days of the week a daily pick posts on, one bit per
// time.Weekday (Sunday is bit 0). The zero Days is every day.
type Days uint8

// The sets of days with names of their own.
const (
	EveryDay Days = 0
	Weekdays Days = 1<<time.Monday | 1<<time.Tuesday | 1<<time.Wednesday | 1<<time.Thursday | 1<<time.Friday
	Weekends Days = 1<<time.Saturday | 1<<time.Sunday
	allDays  Days = Weekdays | Weekends
)

// On reports whether d includes the weekday.
func (d Days) On(w time.Weekday) bool { return d == EveryDay || d&(1<<w) != 0 }

var dayNames = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

// dayWords are the names a day goes by, lower-case, singular.
var dayWords = map[string]time.Weekday{
	"sun": time.Sunday, "sunday": time.Sunday,
	"mon": time.Monday, "monday": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "weds": time.Wednesday, "wednesday": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday,
	"fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday,
}

// ParseDays reads the days a daily pick posts on: "daily" or "every day",
// "weekdays", "weekends", a day ("fri", "Friday", "fridays"), a list
// ("mon,wed,fri") or a range ("mon-fri").
func ParseDays(s string) (Days, error) {
	text := strings.ToLower(strings.TrimSpace(s))
	switch text {
	case "", "daily", "every day", "everyday", "every-day", "all":
		return EveryDay, nil
	case "weekdays", "weekday":
		return Weekdays, nil
	case "weekends", "weekend":
		return Weekends, nil
	}
	day := func(w string) (time.Weekday, bool) {
		if d, ok := dayWords[w]; ok {
			return d, true
		}
		d, ok := dayWords[strings.TrimSuffix(w, "s")] // "fridays"
		return d, ok
	}
	var d Days
	for _, part := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '/' }) {
		from, to, isRange := strings.Cut(part, "-")
		a, ok := day(from)
		if !ok {
			return 0, notADay(from)
		}
		b := a
		if isRange {
			if b, ok = day(to); !ok {
				return 0, notADay(to)
			}
		}
		for w := a; ; w = (w + 1) % 7 {
			d |= 1 << w
			if w == b {
				break
			}
		}
	}
	if d == allDays {
		return EveryDay, nil
	}
	return d, nil
}

func notADay(word string) error {
	return fmt.Errorf("%s is not a day: use mon, tue, wed, thu, fri, sat or sun, a list such as mon,wed,fri, weekdays or weekends", Quote(word, 20))
}

// String names the days as ParseDays reads them: "every day", "weekdays",
// "fri", "mon,wed,fri".
func (d Days) String() string {
	switch d {
	case EveryDay, allDays:
		return "every day"
	case Weekdays:
		return "weekdays"
	case Weekends:
		return "weekends"
	}
	var names []string
	for w := time.Monday; w <= time.Saturday+1; w++ {
		if d.On(w % 7) {
			names = append(names, strings.ToLower(dayNames[w%7]))
		}
	}
	return strings.Join(names, ",")
}

// Phrase says when a daily pick posts, for a sentence: "every day",
// "on weekdays", "on Fridays", "on Mon, Wed and Fri".
func (d Days) Phrase() string {
	switch d {
	case EveryDay, allDays:
		return "every day"
	case Weekdays:
		return "on weekdays"
	case Weekends:
		return "at weekends"
	}
	var names, full []string
	for w := time.Monday; w <= time.Saturday+1; w++ {
		if d.On(w % 7) {
			names = append(names, dayNames[w%7])
			full = append(full, (w % 7).String())
		}
	}
	if len(names) == 1 {
		return "on " + full[0] + "s"
	}
	return "on " + joinAnd(names)
}

// SystemClock is the real clock.
func SystemClock() Clock { return systemClock{} }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

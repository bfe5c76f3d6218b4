package bot

import (
	"unicode"
	"unicode/utf8"
)

// checkOptions holds a request's options to what its command takes, for
// adapters that hand them over one by one (Discord's slash commands) as
// ParseText does for those that hand over a line of text (Slack, the
// console): a value the user got wrong is answered privately with the
// reason, which the metrics count as rejected, instead of failing deeper
// down as if the bot were at fault. It returns nil when the options are
// fine.
func checkOptions(req Request) *Reply {
	if req.Command != CmdDaily || req.Opt(OptAction) != DailySubscribe {
		return nil
	}
	if t := req.Opt(OptTime); t != "" {
		if _, err := ParseClock(t); err != nil {
			return inputError(err)
		}
	}
	if z := req.Opt(OptTimezone); z != "" {
		if _, err := LoadZone(z); err != nil {
			return inputError(err)
		}
	}
	return nil
}

// inputError is the private answer to a value the user got wrong.
func inputError(err error) *Reply {
	msg := err.Error()
	if r, n := utf8.DecodeRuneInString(msg); unicode.IsLower(r) {
		msg = string(unicode.ToUpper(r)) + msg[n:]
	}
	return &Reply{Private: true, Error: msg + ".", Text: "Try /help."}
}

package bot

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Help is the reply to /help.
func Help() Reply {
	return Reply{
		Private: true,
		Text: "industrybot recommends the films and series that Mickey Down and Konrad Kay, " +
			"the creators of Industry (HBO/BBC), named as the show's inspirations, in their own words.",
		Help: []HelpEntry{
			{"/recommend [query] [kind]", "Up to three picks for a mood, theme or title: “something tense”, “talky”, “british comedy”, “like Succession”. Kind: film or tv."},
			{"/why [title]", "The creators' full commentary on a title (typos are fine). With no title: the last pick shown here."},
			{"/random [film|tv]", "One pick this channel has not seen lately."},
			{"/daily subscribe|unsubscribe|status|skip", "Admins: a pick posted here every day at a set local time."},
			{"/help", "This message."},
		},
	}
}

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

// The commands, the same on every platform.
const (
	CmdRecommend = "recommend"
	CmdWhy       = "why"
	CmdRandom    = "random"
	CmdHelp      = "help"
	CmdDaily     = "daily"
)

// The options commands take.
const (
	OptQuery   = "query"   // recommend: free text
	OptKind    = "kind"    // recommend, random: film or tv
	OptTitle   = "title"   // why: a title, alias or id
	OptAnother = "another" // recommend, random: "1" to skip what the channel has seen
)

// ErrUnknownCommand is returned by ParseCommand for a command the bot does
// not have.
var ErrUnknownCommand = errors.New("unknown command")

// maxText bounds the free text a command takes.
const maxText = 500

// ParseCommand reads a chat line such as "/recommend talky kind:tv" into a
// command and its options, as the console and Slack (which passes commands
// as text) receive them.
func ParseCommand(line string) (command string, options map[string]string, err error) {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "/") {
		return "", nil, fmt.Errorf("%s is not a command: commands start with / (try /help)", Quote(line, 40))
	}
	name, text := line[1:], ""
	if i := strings.IndexFunc(name, unicode.IsSpace); i >= 0 { // "/why\theat" too
		name, text = name[:i], name[i:]
	}
	name = strings.ToLower(name)
	options, err = ParseText(name, text)
	return name, options, err
}

// ParseText reads the free text after a command into its options. For
// /recommend, "kind:tv" (or kind=tv) sets the kind and the rest is the query;
// /why takes the text as the title; /random takes film or tv.
func ParseText(command, text string) (map[string]string, error) {
	switch command {
	case CmdRecommend, CmdRandom, CmdWhy, CmdHelp, CmdDaily:
	default:
		return nil, fmt.Errorf("%w %s: try /help", ErrUnknownCommand, Quote("/"+command, 30))
	}
	text = strings.Join(strings.Fields(strings.ToValidUTF8(text, "\uFFFD")), " ")
	if utf8.RuneCountInString(text) > maxText {
		return nil, fmt.Errorf("that is %d characters; /%s takes at most %d", utf8.RuneCountInString(text), command, maxText)
	}
	opts := map[string]string{}
	switch command {
	case CmdRecommend, CmdRandom:
		var rest []string
		for _, w := range strings.Fields(text) {
			v, ok := cutOption(w, OptKind)
			if !ok {
				rest = append(rest, w)
				continue
			}
			k, err := ParseKind(v)
			if err != nil || k == "" {
				return nil, fmt.Errorf("kind %s is neither film nor tv", Quote(v, 20))
			}
			opts[OptKind] = string(k)
		}
		if command == CmdRecommend {
			if len(rest) > 0 {
				opts[OptQuery] = strings.Join(rest, " ")
			}
			return opts, nil
		}
		if len(rest) > 1 || len(rest) == 1 && opts[OptKind] != "" {
			return nil, fmt.Errorf("/random takes film or tv, not %s", Quote(strings.Join(rest, " "), 40))
		}
		if len(rest) == 1 {
			k, err := ParseKind(rest[0])
			if err != nil {
				return nil, fmt.Errorf("/random takes film or tv, not %s", Quote(rest[0], 40))
			}
			opts[OptKind] = string(k)
		}
		return opts, nil
	case CmdWhy:
		if text != "" {
			opts[OptTitle] = text
		}
		return opts, nil
	case CmdHelp:
		return opts, nil
	}
	return parseDaily(text)
}

// cutOption reads "name:value" or "name=value".
func cutOption(word, name string) (string, bool) {
	for _, sep := range []string{":", "="} {
		if v, ok := strings.CutPrefix(strings.ToLower(word), name+sep); ok {
			return v, true
		}
	}
	return "", false
}

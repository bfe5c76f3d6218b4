package bot

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Platform names where a request came from.
type Platform string

// The platforms the bot answers on.
const (
	Console Platform = "console"
	Discord Platform = "discord"
	Slack   Platform = "slack"
)

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

// User is who sent a request.
type User struct {
	ID    string
	Name  string
	Admin bool // may manage the channel's daily pick
}

// ChannelKey names one channel on one platform.
type ChannelKey struct {
	Platform Platform
	Channel  string
}

func (k ChannelKey) String() string { return string(k.Platform) + ":" + k.Channel }

// Request is one command from one user in one channel, as every adapter
// hands it to the core.
type Request struct {
	Platform Platform
	Channel  string
	User     User
	Command  string            // CmdRecommend …
	Options  map[string]string // OptQuery …
}

// Opt returns an option's value, "" when absent.
func (r Request) Opt(name string) string { return r.Options[name] }

// ChannelKey returns the channel the request came from.
func (r Request) ChannelKey() ChannelKey { return ChannelKey{r.Platform, r.Channel} }

// Reply is the core's answer, which adapters render as embeds, Block Kit or
// text. Exactly one of Picks, Commentary, Mention, Help or Error carries
// the content; Text leads it.
type Reply struct {
	Text        string       // a lead line
	Picks       []Pick       // recommend, random, daily: ranked picks
	Commentary  *Title       // why: the whole commentary of this pick
	Mention     *Mention     // why: a title mentioned in passing…
	MentionFrom *Title       // …in the commentary on this pick (nil: in the article's introduction)
	Help        []HelpEntry  // help
	Error       string       // a request that could not be answered as asked
	Suggestions []Suggestion // with Error: what the user may have meant
	Actions     []Action     // buttons
	Private     bool         // shown only to the user who asked
	Attribution string       // who said the quoted words, and where
	// Scheduled marks a post the scheduler made to a whole channel, not an
	// answer to someone: a button pressed on it must leave it in place.
	Scheduled bool
}

// HelpEntry is one line of /help.
type HelpEntry struct {
	Usage   string // "/why [title]"
	Summary string
}

// Action is a button: pressing it runs a command with options.
type Action struct {
	Label   string
	Command string // CmdRecommend, CmdRandom or CmdWhy
	Kind    Kind
	Arg     string // recommend: the query; why: the title id
}

// maxActionID is the longest id a platform accepts (Discord's custom_id).
const maxActionID = 100

const actionPrefix = "ib1:"

// ID encodes the action in at most 100 bytes, for a button's custom id or
// value: "ib1:recommend:tv:talky". A title id too long to fit goes in its
// short form (button.go); a long query is cut on a rune boundary.
func (a Action) ID() string {
	id := actionPrefix + a.Command + ":" + string(a.Kind) + ":" + strings.ToValidUTF8(buttonArg(a.Command, a.Arg), "\uFFFD")
	if len(id) <= maxActionID {
		return id
	}
	id = id[:maxActionID]
	for !utf8.ValidString(id) {
		id = id[:len(id)-1]
	}
	return id
}

// ErrBadAction is returned by ParseAction for an id it did not make.
var ErrBadAction = errors.New("not an industrybot button")

// ParseAction turns a button id made by Action.ID back into a request's
// command and options.
func ParseAction(id string) (command string, options map[string]string, err error) {
	rest, ok := strings.CutPrefix(id, actionPrefix)
	if !ok {
		return "", nil, ErrBadAction
	}
	parts := strings.SplitN(rest, ":", 3)
	if len(parts) != 3 {
		return "", nil, ErrBadAction
	}
	cmd, kindText, arg := parts[0], parts[1], parts[2]
	kind, err := ParseKind(kindText)
	if err != nil || string(kind) != kindText {
		return "", nil, ErrBadAction
	}
	switch cmd {
	case CmdRecommend:
		return cmd, map[string]string{OptQuery: arg, OptKind: kindText, OptAnother: "1"}, nil
	case CmdRandom:
		return cmd, map[string]string{OptKind: kindText, OptAnother: "1"}, nil
	case CmdWhy:
		if arg == "" {
			return "", nil, ErrBadAction
		}
		return cmd, map[string]string{OptTitle: arg}, nil
	}
	return "", nil, ErrBadAction
}

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

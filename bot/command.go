package bot

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CommandSpec describes one command for everything that shows or registers
// it: /help, Discord's registration, Slack's manifest and the README's
// command table are all made from Commands.
type CommandSpec struct {
	Name string // without the slash: CmdRecommend …
	// Summary is one line of at most MaxSummary characters, without a final
	// stop: Discord's description, Slack's, and the start of /help's line.
	Summary string
	// Usage is what follows the name in chat: "[something tense | like
	// Succession] [kind:film|tv]".
	Usage string
	// Detail adds what /help and the README say beyond the summary:
	// examples, the default.
	Detail string
	// Options are the values a command takes, for platforms that collect
	// them one by one (Discord). A command with Subcommands has none.
	Options     []OptionSpec
	Subcommands []CommandSpec
	// Admin commands are for those who may manage a channel's daily pick;
	// the adapters' configuration says who they are on each platform.
	Admin bool
	// Channel commands work only in a channel the bot belongs to and can
	// post in, not wherever a user happens to call it.
	Channel bool
}

// OptionSpec describes one option of a command.
type OptionSpec struct {
	Name    string // OptQuery …
	Summary string // at most MaxSummary characters
	Choices []Choice
	// Value is what the option takes: text unless said otherwise.
	Value ValueType
	// MinLen and MaxLen bound a text value in characters; 0 is no bound.
	MinLen, MaxLen int
	Complete       Completion
}

// ValueType is what an option takes.
type ValueType int

// The values options take. In a request's Options every value is text:
// "true" for a set BoolValue, an id for a MentionValue.
const (
	TextValue    ValueType = iota
	BoolValue              // yes or no
	MentionValue           // a role (Discord) or user group (Slack) to mention
)

// Choice is one value an option offers.
type Choice struct {
	Label string // "TV series"
	Value string // "tv"
}

// Completion says what a platform may offer as a user types an option.
type Completion int

// The completions the core answers, through Engine.Choices.
const (
	CompleteNothing Completion = iota
	CompleteTitle              // titles on the list and those mentioned in passing
	CompleteZone               // IANA time zones
)

// MaxSummary is the longest summary a platform shows (Discord's limit on a
// command's or option's description).
const MaxSummary = 100

// MaxText bounds the free text a command takes: a query, a title.
const MaxText = 500

// maxTitle bounds a title typed into /why: the longest title or alias is
// far shorter.
const maxTitle = 100

// maxDays bounds a list of days ("mon,tue,wed,thu,fri,sat" is 23).
const maxDays = 40

// maxZoneName bounds a time zone's name (the longest IANA name is 32).
const maxZoneName = 64

var kindChoices = []Choice{{"Film", string(Film)}, {"TV series", string(TV)}}

var commands = []CommandSpec{
	{
		Name:    CmdRecommend,
		Summary: "Up to three picks from the creators of Industry for a mood, theme or title",
		Usage:   "[something tense | like Succession] [kind:film|tv]",
		Detail: "Try “something tense”, “talky”, “british comedy”, “like Succession”. Kind: film or tv. " +
			"Each pick comes with a line from the commentary and why it matched; Another shows more, skipping what the channel has seen.",
		Options: []OptionSpec{
			{Name: OptQuery, Summary: "A mood, theme or title: tense, talky, british comedy, like Succession", MaxLen: MaxText},
			{Name: OptKind, Summary: "Only films, or only TV series", Choices: kindChoices},
		},
	},
	{
		Name:    CmdWhy,
		Summary: "The creators' own words on a title (typos are fine)",
		Usage:   "[title]",
		Detail: "Aliases and a missing “the” are fine too (social netwrok, HCF, mad man). With no title: the last pick shown here. " +
			"A title they only mention in passing (Succession, The Sopranos) answers with the sentence that mentions it.",
		Options: []OptionSpec{
			{Name: OptTitle, Summary: "A title; leave it out for the last pick shown here", MaxLen: maxTitle, Complete: CompleteTitle},
		},
	},
	{
		Name:    CmdRandom,
		Summary: "One pick this channel has not seen lately",
		Usage:   "[film|tv]",
		Detail:  "Every pick is dealt before one repeats.",
		Options: []OptionSpec{{Name: OptKind, Summary: "A film or a TV series", Choices: kindChoices}},
	},
	{
		Name:    CmdDaily,
		Summary: "Admins: a pick posted in this channel at a local time, every day or on chosen days",
		Detail:  "Days: weekdays, weekends, fri or mon,wed,fri; thread opens a thread on each post with the full commentary; a @role is mentioned with each post.",
		Usage:   "subscribe [09:00] [Europe/London] [fri|weekdays] [thread] [@role] | unsubscribe | status | skip",
		Admin:   true,
		Channel: true,
		Subcommands: []CommandSpec{
			{Name: DailySubscribe, Summary: "Post a pick here at a local time, every day or on the days you choose", Usage: "[HH:MM] [time zone] [days] [thread] [@role]", Options: []OptionSpec{
				{Name: OptTime, Summary: "Local time of day, HH:MM (default 09:00)", MinLen: 4, MaxLen: 5},
				{Name: OptTimezone, Summary: "IANA time zone, such as Europe/London", MaxLen: maxZoneName, Complete: CompleteZone},
				{Name: OptDays, Summary: "Days to post on: weekdays, weekends, fri, mon,wed,fri (default every day)", MaxLen: maxDays},
				{Name: OptThread, Summary: "Open a thread on each post with the creators' full commentary", Value: BoolValue},
				{Name: OptMention, Summary: "A role to mention with each post (no one else is mentioned)", Value: MentionValue},
			}},
			{Name: DailyUnsubscribe, Summary: "Stop the daily pick in this channel"},
			{Name: DailyStatus, Summary: "When the next daily pick is due here"},
			{Name: DailySkip, Summary: "Skip the next daily pick here"},
		},
	},
	{
		Name:    CmdHelp,
		Summary: "What industrybot does and how to use it",
	},
}

// Commands returns the commands, in the order /help lists them. Callers
// must not modify them.
func Commands() []CommandSpec { return commands }

// Command returns the command named name, without its slash.
func Command(name string) (CommandSpec, bool) {
	for _, c := range commands {
		if c.Name == name {
			return c, true
		}
	}
	return CommandSpec{}, false
}

// Line is the command as typed in chat: "/why [title]".
func (c CommandSpec) Line() string {
	if c.Usage == "" {
		return "/" + c.Name
	}
	return "/" + c.Name + " " + c.Usage
}

// Description is the summary and the detail as sentences, for /help and
// the README.
func (c CommandSpec) Description() string {
	if c.Detail == "" {
		return c.Summary + "."
	}
	return c.Summary + ". " + c.Detail
}

// Help is the reply to /help.
func Help() Reply {
	entries := make([]HelpEntry, len(commands))
	for i, c := range commands {
		entries[i] = HelpEntry{Usage: c.Line(), Summary: c.Description()}
	}
	return Reply{
		Private: true,
		Text: "industrybot recommends the films and series that Mickey Down and Konrad Kay, " +
			"the creators of Industry (HBO/BBC), named as the show's inspirations, in their own words.",
		Help: entries,
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
	if d := req.Opt(OptDays); d != "" {
		if _, err := ParseDays(d); err != nil {
			return inputError(err)
		}
	}
	return nil
}

// inputError is the private answer to a value the user got wrong.
func inputError(err error) *Reply {
	return &Reply{Private: true, Error: asSentence(err.Error()), Text: "Try /help."}
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
		return nil, unknownCommand(command)
	}
	text = strings.Join(strings.Fields(strings.ToValidUTF8(text, "\uFFFD")), " ")
	if utf8.RuneCountInString(text) > MaxText {
		return nil, fmt.Errorf("that is %d characters; /%s takes at most %d", utf8.RuneCountInString(text), command, MaxText)
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

// unknownCommand is the error for a command the bot does not have,
// offering the one it is closest to: "/recomend" → "did you mean
// /recommend?".
func unknownCommand(name string) error {
	best, bestD := "", 3
	for _, c := range commands {
		d := Distance(name, c.Name, 2)
		if len(name) >= 3 && strings.HasPrefix(c.Name, name) {
			d = 1
		}
		if d < bestD {
			best, bestD = c.Name, d
		}
	}
	if best != "" && len(name) > 1 {
		return fmt.Errorf("%w %s: did you mean /%s?", ErrUnknownCommand, Quote("/"+name, 30), best)
	}
	return fmt.Errorf("%w %s: try /help", ErrUnknownCommand, Quote("/"+name, 30))
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

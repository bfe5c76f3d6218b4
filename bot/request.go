package bot

import (
	"strconv"
	"strings"
	"time"
)

// Platform names where a request came from.
type Platform string

// The platforms the bot answers on.
const (
	Console Platform = "console"
	Discord Platform = "discord"
	Slack   Platform = "slack"
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

// Name is the platform's name in a sentence: "Discord".
func (p Platform) Name() string {
	switch p {
	case Discord:
		return "Discord"
	case Slack:
		return "Slack"
	}
	return "the console"
}

func (k ChannelKey) String() string { return string(k.Platform) + ":" + k.Channel }

// Request is one command from one user in one channel, as every adapter
// hands it to the core.
type Request struct {
	Platform Platform
	Channel  string
	User     User
	Command  string // CmdRecommend …
	// Options are the command's options, for platforms that collect them
	// one by one (Discord). When nil, the core reads them from Text.
	Options map[string]string // OptQuery …
	// Text is the words after the command as the user typed them, for
	// platforms that pass a line (Slack, the console): "talky kind:tv".
	Text string
	// Replace is set by ParseAction for a button whose answer takes the
	// place of the message the button is on.
	Replace bool
	// NoPost says why the bot cannot post to the channel on its own, as
	// daily picks are posted, in the platform's terms ("industrybot is not
	// a member of this group DM…"); "" when it can. The request itself
	// is answered all the same; /daily is refused with the reason.
	NoPost string
	// NoThread and NoMention say why the bot may not open a thread on its
	// posts in the channel, or mention OptMention's role or group there,
	// in the platform's terms (its permission names); "" when it may or
	// the platform does not say. /daily subscribe is refused with the
	// reason when it asks for what the bot may not do.
	NoThread, NoMention string
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
	// answer to someone.
	Scheduled bool
	// Times are the times the text shows (see Stamp), in the zones they
	// are told in.
	Times []time.Time
	// Thread, on a daily post, asks the poster to open a thread on it and
	// put the pick's whole commentary there.
	Thread bool
	// Ping, on a daily post, is the id of the role (Discord) or user group
	// (Slack) the post mentions; nobody else is mentioned.
	Ping string
	// Replace says the answer takes the place of the message whose button
	// was pressed, instead of following it (see Effect).
	Replace bool
	// Key, when set, says the reply is a pure function of the catalog and
	// Key: one Bot answers every request with this Key with an equal
	// reply, so a renderer may keep what it made of it, by Key, for the
	// next. "" for a reply that depends on anything else (the channel's
	// memory, the clock, chance).
	Key string
}

// HelpEntry is one line of /help.
type HelpEntry struct {
	Usage   string // "/why [title]"
	Summary string
}

// Time marks: a reply's text holds its times as marks that each renderer
// writes its own way, so a platform can show every reader a time in their
// own zone. A mark is stampOpen, the time's index in Times, stampClose:
// characters from Unicode's private use area, which no escaping touches.
const (
	stampOpen  = '\uE000'
	stampClose = '\uE001'
)

// Stamp adds t to the reply's times and returns the mark that stands for
// it in the text.
func (r *Reply) Stamp(t time.Time) string {
	r.Times = append(r.Times, t)
	return string(stampOpen) + strconv.Itoa(len(r.Times)-1) + string(stampClose)
}

// WriteTimes replaces the time marks in s, one of the reply's texts, with
// what write makes of each time: a platform's timestamp markup, or
// PlainTime. A mark with no time is dropped.
func (r Reply) WriteTimes(s string, write func(time.Time) string) string {
	if !strings.ContainsRune(s, stampOpen) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexRune(s, stampOpen)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s = s[i+len(string(stampOpen)):]
		j := strings.IndexRune(s, stampClose)
		if j < 0 {
			return b.String()
		}
		if n, err := strconv.Atoi(s[:j]); err == nil && n >= 0 && n < len(r.Times) {
			b.WriteString(write(r.Times[n]))
		}
		s = s[j+len(string(stampClose)):]
	}
}

// PlainText is the reply's lead text with its times written by PlainTime.
func (r Reply) PlainText() string { return r.WriteTimes(r.Text, PlainTime) }

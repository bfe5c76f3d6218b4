package bot

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

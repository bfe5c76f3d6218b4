package bot

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"unicode/utf8"
)

// A **Why?** button carries the title's id, and a button id holds 100
// bytes (Discord's custom_id). An id too long to fit, which a custom
// catalog may have, travels in a short form instead: "~" and 16 hex digits
// of its SHA-256. Ids are lower-case letters, digits and dashes, so no id
// reads as a short form; a catalog is checked at load for two ids with one
// short form, and the bot maps short forms back to ids.

// shortPrefix starts the short form of an id.
const shortPrefix = "~"

// whyArgRoom is the longest id a Why? button carries as it is.
const whyArgRoom = maxActionID - len(actionPrefix+CmdWhy+"::")

// buttonArg is what a button for command carries for arg: a Why?
// button's id in its short form when it is too long to fit.
func buttonArg(command, arg string) string {
	if command == CmdWhy && len(arg) > whyArgRoom {
		return shortID(arg)
	}
	return arg
}

// shortID is the short form of an id.
func shortID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return shortPrefix + hex.EncodeToString(sum[:8])
}

// shortIDs maps the short forms of a catalog's long ids to the ids.
func shortIDs(c *Catalog) map[string]string {
	m := map[string]string{}
	add := func(id string) {
		if len(id) > whyArgRoom {
			m[shortID(id)] = id
		}
	}
	for i := range c.Picks {
		add(c.Picks[i].ID)
	}
	for i := range c.Mentions {
		add(c.Mentions[i].ID)
	}
	return m
}

// buttonIDErrors checks that the Why? button of every pick and mention
// of c comes back as that title: its id fits a button, and no two long
// ids share a short form.
func buttonIDErrors(c *Catalog) []error {
	var errs []error
	owner := map[string]string{} // short form → the entry whose id it is
	check := func(list string, i int, id string) {
		if len(id) <= whyArgRoom {
			return // fits as it is
		}
		name := entryName(list, i, id)
		req, err := ParseAction(Action{Command: CmdWhy, Arg: id}.ID())
		want := buttonArg(CmdWhy, id)
		if err != nil || req.Opt(OptTitle) != want {
			errs = append(errs, &CatalogError{Entry: name, Field: "id", Msg: "does not fit in a button id"})
			return
		}
		if other, dup := owner[want]; dup {
			errs = append(errs, &CatalogError{Entry: name, Field: "id", Msg: "is too long for a button, and its short form is that of " + other + ": shorten one of them"})
			return
		}
		owner[want] = name
	}
	for i := range c.Picks {
		check("picks", i, c.Picks[i].ID)
	}
	for i := range c.Mentions {
		check("mentions", i, c.Mentions[i].ID)
	}
	return errs
}

// Action is a button: pressing it runs a command with options.
type Action struct {
	Label   string
	Command string // CmdRecommend, CmdRandom or CmdWhy
	Kind    Kind
	Arg     string // recommend: the query; why: the title id
	// Effect is what the answer does to the message the button is on.
	Effect Effect
}

// Effect says where the answer to a pressed button goes.
type Effect int

const (
	// PostNew posts the answer as a message of its own, after the one the
	// button is on: "Why?" on a pick, anything on a daily post.
	PostNew Effect = iota
	// ReplaceMessage puts the answer in place of the message the button is
	// on: "Another" on an answer. A private answer never replaces a public
	// message; it is posted to the user instead.
	ReplaceMessage
)

// maxActionID is the longest id a platform accepts (Discord's custom_id).
const maxActionID = 100

const actionPrefix = "ib1:"

// newMark follows the command in the id of a recommend or random button
// whose answer is posted new; without it, the answer replaces the message.
// A "Why?" answer is always posted new.
const newMark = "+"

// ID encodes the action in at most 100 bytes, for a button's custom id or
// value: "ib1:recommend:tv:talky", "ib1:random+::" for one posted new. A
// title id too long to fit goes in its short form (button.go); a long query
// is cut on a rune boundary.
func (a Action) ID() string {
	cmd := a.Command
	if a.Effect == PostNew && cmd != CmdWhy {
		cmd += newMark
	}
	id := actionPrefix + cmd + ":" + string(a.Kind) + ":" + strings.ToValidUTF8(buttonArg(a.Command, a.Arg), "\uFFFD")
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

// IsAction reports whether id looks like one of the bot's buttons, so an
// adapter can pass over a press that is not.
func IsAction(id string) bool { return strings.HasPrefix(id, actionPrefix) }

// ParseAction reads a button id made by Action.ID back into the request a
// press of it makes: its command and options, and Replace when the answer
// is to take the place of the message the button is on. The adapter fills
// in where it came from and who pressed it.
func ParseAction(id string) (Request, error) {
	rest, ok := strings.CutPrefix(id, actionPrefix)
	if !ok {
		return Request{}, ErrBadAction
	}
	parts := strings.SplitN(rest, ":", 3)
	if len(parts) != 3 {
		return Request{}, ErrBadAction
	}
	cmd, kindText, arg := parts[0], parts[1], parts[2]
	kind, err := ParseKind(kindText)
	if err != nil || string(kind) != kindText {
		return Request{}, ErrBadAction
	}
	cmd, posted := strings.CutSuffix(cmd, newMark)
	req := Request{Command: cmd, Replace: !posted}
	switch cmd {
	case CmdRecommend:
		req.Options = map[string]string{OptQuery: arg, OptKind: kindText, OptAnother: "1"}
	case CmdRandom:
		req.Options = map[string]string{OptKind: kindText, OptAnother: "1"}
	case CmdWhy:
		if arg == "" || posted {
			return Request{}, ErrBadAction
		}
		req.Options, req.Replace = map[string]string{OptTitle: arg}, false
	default:
		return Request{}, ErrBadAction
	}
	return req, nil
}

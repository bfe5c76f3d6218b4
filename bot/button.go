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
		_, opts, err := ParseAction(Action{Command: CmdWhy, Arg: id}.ID())
		want := buttonArg(CmdWhy, id)
		if err != nil || opts[OptTitle] != want {
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

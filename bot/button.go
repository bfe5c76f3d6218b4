package bot

import (
	"crypto/sha256"
	"encoding/hex"
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

package bot_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	industrybot "github.com/industrybot/industrybot"
	"github.com/industrybot/industrybot/bot"
)

// catalogWithID returns the built-in catalog with its first pick's id
// replaced by id.
func catalogWithID(t *testing.T, id string) *bot.Catalog {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(industrybot.CatalogJSON(), &doc); err != nil {
		t.Fatal(err)
	}
	pick := doc["picks"].([]any)[0].(map[string]any)
	old := pick["id"].(string)
	pick["id"] = id
	for _, m := range doc["mentions"].([]any) {
		if m := m.(map[string]any); m["source"] == old {
			m["source"] = id
		}
	}
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	c, err := bot.ParseCatalog(data)
	if err != nil {
		t.Fatalf("a catalog with the id %q: %v", id, err)
	}
	return c
}

// TestWhyButtonsRoundTrip presses the Why? button of a pick whose id is
// as long as a custom catalog may make it: the button id fits Discord's
// 100 bytes and the press answers with that pick.
func TestWhyButtonsRoundTrip(t *testing.T) {
	for _, n := range []int{20, 91, 92, 100, 240} {
		id := strings.Repeat("a-long-id-", 30)[:n-1] + "z"
		c := catalogWithID(t, id)
		b := bot.New(bot.Config{Engine: bot.NewEngine(c), Memory: bot.NewMemoryStore()})
		title := c.Pick(id).Title
		a := bot.Action{Label: "Why?", Command: bot.CmdWhy, Arg: id}
		button := a.ID()
		if len(button) > 100 {
			t.Errorf("%d-byte id: a button id of %d bytes", n, len(button))
		}
		req, err := bot.ParseAction(button)
		if err != nil {
			t.Fatalf("%d-byte id: %q: %v", n, button, err)
		}
		req.Platform, req.Channel, req.User = bot.Discord, "C1", bot.User{ID: "U1"}
		r := b.Handle(context.Background(), req)
		if r.Commentary == nil || r.Commentary.ID != id {
			t.Errorf("%d-byte id: the button %q answered %q %q, want the commentary on %s", n, button, r.Error, r.Text, title)
		}
	}
}

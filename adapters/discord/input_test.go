package discord

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/industrybot/industrybot/adapters/discord/discordtest"
)

// TestDailySubscribeWithWhatIsNotATime sends /daily subscribe with a time
// or a zone that is no such thing, as Discord passes them, option by
// option: the admin is told why, privately, and nothing is logged as the
// bot's failure.
func TestDailySubscribeWithWhatIsNotATime(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	h := startHTTP(t, harnessConfig{logs: logs})
	c := (&channels{}).next(testGuild)
	c.Permissions = discordgo.PermissionManageGuild
	for _, tc := range []struct {
		opts []*discordgo.ApplicationCommandInteractionDataOption
		want string
	}{
		{[]*discordgo.ApplicationCommandInteractionDataOption{discordtest.String("time", "25:99")}, "“25:99” is not a time of day"},
		{[]*discordgo.ApplicationCommandInteractionDataOption{discordtest.String("time", "09:00"), discordtest.String("timezone", "Mars/Olympus")}, "“Mars/Olympus” is not a time zone"},
	} {
		sub := &discordgo.ApplicationCommandInteractionDataOption{Name: "subscribe", Type: discordgo.ApplicationCommandOptionSubCommand, Options: tc.opts}
		w := decode(t, h.ask(t, h.f.Command(c, "daily", sub)))
		if !w.private() || !strings.Contains(w.Data.Content, tc.want) || strings.Contains(w.Data.Content, "went wrong") {
			t.Errorf("got %q (private %v), want a private %q", w.Data.Content, w.private(), tc.want)
		}
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a user's mistake was logged as an error:\n%s", logs.String())
	}
}

// TestNullOptions: "options":[null], from a broken or hostile client, is
// skipped, not a panic.
func TestNullOptions(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	h := startHTTP(t, harnessConfig{logs: logs})
	c := (&channels{}).next(testGuild)
	for _, name := range []string{"recommend", "daily"} {
		i := h.f.Command(c, name)
		raw, err := json.Marshal(i)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		m["data"].(map[string]any)["options"] = []any{nil}
		code, body := h.post(t, m)
		if code != http.StatusOK || !strings.Contains(string(body), `"type":4`) {
			t.Errorf("/%s with options [null]: %d %s", name, code, body)
		}
	}
	if strings.Contains(logs.String(), "panic") {
		t.Errorf("a panic was logged:\n%s", logs.String())
	}
}

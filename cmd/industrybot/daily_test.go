package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/industrybot/industrybot/bot"
)

func TestDailyPreviewAndStatus(t *testing.T) {
	t.Setenv("INDUSTRYBOT_STORE_DSN", filepath.Join(t.TempDir(), "industrybot.db"))
	r := runCmd(t, "", "daily", "status")
	if r.code != 0 || !strings.Contains(r.stdout, "No daily subscriptions") {
		t.Errorf("nothing configured: %+v", r)
	}
	t.Setenv("INDUSTRYBOT_DAILY_CHANNELS", `[{"platform":"slack","channel":"C1"},{"platform":"discord","channel":"42","time":"18:30","timezone":"America/New_York"}]`)
	r = runCmd(t, "", "daily", "preview", "--days", "12")
	if r.code != 0 {
		t.Fatalf("preview: %+v", r)
	}
	if !strings.Contains(r.stdout, "slack:C1, every day at 09:00 Europe/London:") || !strings.Contains(r.stdout, "discord:42, every day at 18:30 America/New_York:") {
		t.Errorf("preview headings:\n%s", r.stdout)
	}
	// Twelve days deal the twelve picks once each, per channel.
	for _, block := range strings.Split(r.stdout, "discord:42") {
		titles := regexp.MustCompile(`\(\d\d:\d\d UTC\)  (.+) \(\d{4}`).FindAllStringSubmatch(block, -1)
		seen := map[string]bool{}
		for _, m := range titles {
			if seen[m[1]] {
				t.Errorf("%s twice in twelve days:\n%s", m[1], block)
			}
			seen[m[1]] = true
		}
		if len(titles) != 12 {
			t.Errorf("%d days listed, want 12:\n%s", len(titles), block)
		}
	}
	r = runCmd(t, "", "daily", "preview", "--channel", "42", "--days", "3")
	if r.code != 0 || strings.Contains(r.stdout, "slack:C1") || strings.Count(r.stdout, "UTC)") != 3 {
		t.Errorf("one channel: %+v", r)
	}
	r = runCmd(t, "", "daily", "status")
	if r.code != 0 || !strings.Contains(r.stdout, "starts when serve runs") {
		t.Errorf("status: %+v", r)
	}
	r = runCmd(t, "", "daily", "status", "--channel", "nope")
	if r.code != 1 || !strings.Contains(r.stderr, `no daily subscription for channel "nope"`) {
		t.Errorf("unknown channel: %+v", r)
	}
}

// TestAdminsWithOAuth: with OAuth installs, the refusal to a user who may
// not manage /daily names the installer among those who may.
func TestAdminsWithOAuth(t *testing.T) {
	plain := adminsFor(&Config{})
	if strings.Contains(plain[bot.Slack], "installed") {
		t.Errorf("one workspace with a token: %q names an installer", plain[bot.Slack])
	}
	oauth := adminsFor(&Config{Slack: SlackConfig{ClientID: "1.2"}})
	if !strings.Contains(oauth[bot.Slack], "the user who installed industrybot") || oauth[bot.Discord] != plain[bot.Discord] {
		t.Errorf("OAuth: %q", oauth)
	}
	if admins[bot.Slack] != plain[bot.Slack] {
		t.Error("adminsFor changed the shared map")
	}
}

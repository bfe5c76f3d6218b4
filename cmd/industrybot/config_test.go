package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigFileIsChecked: what loading config.yaml would silently ignore
// stops the start with one line naming the file, the line, the key and
// the key meant; a YAML error names the line it is on.
func TestConfigFileIsChecked(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"a top-level typo", "slak:\n  bot_token: x\n", "config.yaml line 1: unknown key slak: did you mean slack?"},
		{"a key's typo", "daily:\n  time: \"09:00\"\n  time_zone: Europe/Paris\n", "config.yaml line 3: unknown key daily.time_zone: did you mean daily.timezone?"},
		{"a mis-indented key", "daily:\n  time: \"09:00\"\ntimezone: Europe/Paris\n", "config.yaml line 3: unknown key timezone: did you mean daily.timezone? (check its indentation)"},
		{"a daily.channels typo", "daily:\n  channels:\n    - {platform: slack, channel: C1, time_zone: UTC}\n", "config.yaml line 3: daily.channels[0]: unknown key time_zone: did you mean timezone?"},
		{"a section set to a value", "log: debug\n", "config.yaml line 1: log must hold settings such as log.level and log.format"},
		{"a YAML error far below its block", "http:\n  addr: \"127.0.0.1:8080\"\n" + strings.Repeat("# note\n", 20) + "log:\n  level: info\n format: json\n", "config.yaml line 25: is not valid YAML: did not find expected key"},
		{"a tab", strings.Repeat("# note\n", 23) + "log:\n\tlevel: info\n", "config.yaml line 25: is not valid YAML"},
		{"a daily.channels value of the wrong type", "daily:\n  channels:\n    - {platform: slack, channel: C1, thread: maybe}\n", "daily.channels [0] must be a map of platform, channel, time, timezone, days, thread and mention: thread must be true or false, not a string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(file, []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			r := runCmd(t, "", "ask", "/help", "--config", file)
			if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stderr, "json") {
				t.Errorf("got %+v, want one line containing %q", r, tc.want)
			}
		})
	}
	// The commented default config.yaml at the root passes.
	if r := runCmd(t, "", "ask", "/help", "--config", "../../config.yaml"); r.code != 0 {
		t.Errorf("the default config.yaml: %+v", r)
	}
}

// TestLocalCommandsNeedNoPlatform: ask and catalog check run whatever
// half-set credentials the environment holds; serve does not.
func TestLocalCommandsNeedNoPlatform(t *testing.T) {
	t.Setenv("INDUSTRYBOT_SLACK_SIGNING_SECRET", "s3cret")
	t.Setenv("INDUSTRYBOT_SLACK_BOT_TOKEN", "not-a-bot-token")
	if r := runCmd(t, "", "ask", "/why heat"); r.code != 0 || !strings.Contains(r.stdout, "Heat (1995)") {
		t.Errorf("ask: %+v", r)
	}
	if r := runCmd(t, "", "catalog", "check"); r.code != 0 {
		t.Errorf("catalog check: %+v", r)
	}
	if r := runCmd(t, "/help\n", "console"); r.code != 0 || !strings.Contains(r.stdout, "/random [film|tv]") {
		t.Errorf("console: %+v", r)
	}
	if r := runCmd(t, "", "serve", "--store-driver", "memory"); r.code != 1 || !strings.Contains(r.stderr, "slack.app_token is empty but slack.mode is socket") {
		t.Errorf("serve: %+v", r)
	}
	if r := runCmd(t, "/help\n"); r.code != 1 || !strings.Contains(r.stderr, "slack.app_token is empty") {
		t.Errorf("no command, so serve for the credentials: %+v", r)
	}
}

// TestSecretsBelongInTheEnvironment: an error about a token says to set
// its variable, never to put it in config.yaml.
func TestSecretsBelongInTheEnvironment(t *testing.T) {
	t.Setenv("INDUSTRYBOT_SLACK_BOT_TOKEN", "xoxp-user-token")
	t.Setenv("INDUSTRYBOT_SLACK_APP_TOKEN", "xapp-1-abc")
	r := runCmd(t, "", "serve", "--store-driver", "memory")
	if r.code != 1 || !strings.Contains(r.stderr, "slack.bot_token does not start with xoxb-") || !strings.Contains(r.stderr, "set INDUSTRYBOT_SLACK_BOT_TOKEN (keep it out of config.yaml)") {
		t.Errorf("got %+v", r)
	}
}

// TestErrorsNameWhatToFix: a missing catalog file is named as itself, an
// SQLite file in a directory that does not exist says so.
func TestErrorsNameWhatToFix(t *testing.T) {
	r := runCmd(t, "", "catalog", "check", "nonexist.json")
	if r.code != 1 || !strings.Contains(r.stderr, "catalog nonexist.json cannot be read: no such file or directory") || strings.Contains(r.stderr, "catalog.path") {
		t.Errorf("catalog check: %+v", r)
	}
	dir := filepath.Join(t.TempDir(), "missing")
	r = runCmd(t, "", "daily", "status", "--store-dsn", filepath.Join(dir, "x.db"))
	if r.code != 1 || !strings.Contains(r.stderr, "the directory "+dir+" does not exist") || strings.Contains(r.stderr, "(14)") {
		t.Errorf("sqlite: %+v", r)
	}
	if os.Geteuid() != 0 { // root writes anywhere
		ro := t.TempDir()
		os.Chmod(ro, 0o555)
		defer os.Chmod(ro, 0o755)
		r = runCmd(t, "", "daily", "status", "--store-dsn", filepath.Join(ro, "x.db"))
		if !strings.Contains(r.stderr, "is not writable by this user") {
			t.Errorf("read-only directory: %+v", r)
		}
	}
}

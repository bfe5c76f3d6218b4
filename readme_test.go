package industrybot_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/industrybot/industrybot/bot"
)

var update = flag.Bool("update", false, "rewrite what README.md generates from the code")

// The markers around README.md's command table.
const (
	commandsBegin = "<!-- commands: generated from bot.Commands() by go test -run TestREADMECommands -update -->\n"
	commandsEnd   = "<!-- /commands -->"
)

// TestREADMECommands keeps README.md's command table the core's: one row
// per command of bot.Commands(), its line and its description, as /help
// shows them. go test -run TestREADMECommands -update rewrites the table
// and nothing else of the README.
func TestREADMECommands(t *testing.T) {
	const path = "README.md"
	want := commandTable(bot.Commands())
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	start, end, err := between(readme, commandsBegin, commandsEnd)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	got := string(readme[start:end])
	if got == want {
		return
	}
	if !*update {
		t.Fatalf("%s's command table is not bot.Commands() (go test -run TestREADMECommands -update rewrites it)\nhave:\n%s\nwant:\n%s", path, got, want)
	}
	// Read again just before writing, so edits to the rest of the README
	// made meanwhile are kept.
	readme, err = os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if start, end, err = between(readme, commandsBegin, commandsEnd); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := append(append(append([]byte(nil), readme[:start]...), want...), readme[end:]...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// commandTable is the Markdown table of the commands, a row a command.
func commandTable(cmds []bot.CommandSpec) string {
	cell := strings.NewReplacer("|", `\|`).Replace
	var b strings.Builder
	b.WriteString("| command | what it answers |\n|---|---|\n")
	for _, c := range cmds {
		b.WriteString("| `" + cell(c.Line()) + "` | " + cell(c.Description()) + " |\n")
	}
	return b.String()
}

// between finds the text between the begin and end markers: where it
// starts and ends.
func between(text []byte, begin, end string) (int, int, error) {
	i := bytes.Index(text, []byte(begin))
	if i < 0 {
		return 0, 0, fmt.Errorf("no line %q: put it before the generated table", strings.TrimSpace(begin))
	}
	start := i + len(begin)
	j := bytes.Index(text[start:], []byte(end))
	if j < 0 {
		return 0, 0, fmt.Errorf("no %q after %q: put it after the generated table", end, strings.TrimSpace(begin))
	}
	return start, start + j, nil
}

// TestREADMEGetsANewcomerGoing: the README stays short, its first screen
// holds the two set-up commands (the test command being the one .ci/run
// runs) and the install step, the platform sections end with the step
// that proves it works, and every docs page it links exists.
func TestREADMEGetsANewcomerGoing(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	lines := strings.Split(text, "\n")
	if len(lines) >= 300 {
		t.Errorf("README.md is %d lines: keep it under 300, deep material goes to docs/", len(lines))
	}
	ci, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	var testCmd string
	for _, l := range strings.Split(string(ci), "\n") {
		if strings.HasPrefix(l, "go vet ") {
			testCmd = l
		}
	}
	first := strings.Join(lines[:min(30, len(lines))], "\n")
	for _, want := range []string{"    go run ./cmd/industrybot\n", "    " + testCmd + "\n", "go install github.com/industrybot/industrybot/cmd/industrybot@latest"} {
		if testCmd == "" || !strings.Contains(first+"\n", want) {
			t.Errorf("the first screen of README.md lacks %q", strings.TrimSpace(want))
		}
	}
	for _, section := range []string{"## Put it on Discord", "## Put it on Slack"} {
		i := strings.Index(text, section)
		if i < 0 {
			t.Errorf("no %q", section)
			continue
		}
		body := text[i+len(section):]
		if j := strings.Index(body, "\n## "); j >= 0 {
			body = body[:j]
		}
		if !strings.Contains(body, "Type `/recommend` in a channel") || !strings.Contains(body, "It is connected when the log shows") {
			t.Errorf("%s does not end with the step that proves it works", section)
		}
	}
	for _, m := range regexp.MustCompile(`\]\((docs/[^)#]+)`).FindAllStringSubmatch(text, -1) {
		if _, err := os.Stat(m[1]); err != nil {
			t.Errorf("README.md links %s: %v", m[1], err)
		}
	}
}

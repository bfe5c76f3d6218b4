package main

import (
	"context"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/industrybot/industrybot/adapters/console"
	"github.com/industrybot/industrybot/bot/bottest"
)

// tty is `industrybot console` running on a pseudo-terminal: what a
// person types goes in, what a terminal of its size would show comes out.
type tty struct {
	t      *testing.T
	master *os.File
	screen *screen
	done   chan int // the exit code
}

// Keys as a terminal sends them.
const (
	keyUp    = "\x1b[A"
	keyLeft  = "\x1b[D"
	keyTab   = "\t"
	keyEnter = "\r"
	keyCtrlC = "\x03"
	keyCtrlD = "\x04"
)

// startTTY runs the console on a terminal of cols columns, with the
// history in cache and the environment env.
func startTTY(t *testing.T, cols int, cache string, vars map[string]string) *tty {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	if err := pty.Setsize(master, &pty.Winsize{Cols: uint16(cols), Rows: 40}); err != nil {
		t.Fatal(err)
	}
	c := &tty{t: t, master: master, screen: newScreen(cols, 40), done: make(chan int, 1)}
	go io.Copy(c.screen, master)
	e := &env{
		stdin: slave, stdout: slave, stderr: slave,
		cache:     func() (string, error) { return cache, nil },
		lookupEnv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
	}
	go func() { c.done <- e.execute(context.Background(), []string{"console", "--store-driver", "memory"}) }()
	t.Cleanup(func() {
		slave.Close()
		master.Close()
	})
	c.waitFor("the prompt", func() bool { return c.screen.row() == ">" })
	return c
}

// typeKeys sends keys as a person types them.
func (c *tty) typeKeys(keys ...string) {
	c.t.Helper()
	for _, k := range keys {
		if _, err := c.master.WriteString(k); err != nil {
			c.t.Fatal(err)
		}
	}
}

// waitFor waits until the screen shows what ok looks for. It waits for
// output, not for time: the limit is there only to fail a console that
// hangs.
func (c *tty) waitFor(what string, ok func() bool) {
	c.t.Helper()
	limit := time.After(20 * time.Second)
	for !ok() {
		select {
		case <-c.screen.changed:
		case code := <-c.done:
			c.done <- code
			if !ok() {
				c.t.Fatalf("the console exited %d before showing %s:\n%s", code, what, c.screen)
			}
		case <-limit:
			c.t.Fatalf("the screen never showed %s:\n%s", what, c.screen)
		}
	}
}

// shows waits until some line on the screen holds text.
func (c *tty) shows(text string) {
	c.t.Helper()
	c.waitFor(quoted(text), func() bool { return strings.Contains(c.screen.String(), text) })
}

// prompt waits for a new empty prompt after the line holding after.
func (c *tty) prompt(after string) {
	c.t.Helper()
	c.waitFor("a prompt after "+quoted(after), func() bool {
		lines := c.screen.lines()
		i := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, after) })
		return i >= 0 && slices.IndexFunc(lines[i+1:], func(l string) bool { return l == ">" || l == "> " }) >= 0
	})
}

// exit waits for the console to end and returns its exit code.
func (c *tty) exit() int {
	c.t.Helper()
	select {
	case code := <-c.done:
		return code
	case <-time.After(20 * time.Second):
		c.t.Fatalf("the console did not exit:\n%s", c.screen)
		return -1
	}
}

func quoted(s string) string { return "“" + s + "”" }

// TestConsoleOnATerminal types into the real console on a pseudo-terminal
// and reads the screen: Tab completes a title, the arrows edit the line,
// a line typed in an earlier run comes back with ↑, Ctrl-C clears the line
// and twice quits, and Ctrl-D quits.
func TestConsoleOnATerminal(t *testing.T) {
	t.Parallel()
	cache := t.TempDir()
	c := startTTY(t, 80, cache, map[string]string{"TERM": "xterm-256color"})
	// Tab completes a title, whatever its case or a typo.
	c.typeKeys("/why socail netw", keyTab)
	c.waitFor("the completed title", func() bool { return c.screen.row() == "> /why The Social Network" })
	c.typeKeys(keyEnter)
	c.shows("More Sorkin.")
	c.prompt("Behind the Show")
	// Left arrow moves in the line: no escape codes in the query.
	c.typeKeys("/why hat", keyLeft, keyLeft, "e", keyEnter)
	c.shows("Heat (1995), film directed by Michael Mann")
	c.prompt("The action is the juice")
	if strings.Contains(c.screen.String(), "[D") {
		t.Errorf("an escape code reached the screen:\n%s", c.screen)
	}
	if c.screen.colours() == 0 {
		t.Errorf("no colour or bold on a colour terminal")
	}
	// Ctrl-C clears a line, and nothing is asked.
	c.typeKeys("/why zzzz", keyCtrlC)
	c.waitFor("a new prompt", func() bool { return c.screen.row() == ">" || c.screen.row() == "> " })
	c.typeKeys(keyEnter)
	if strings.Contains(c.screen.String(), "zzzz”") {
		t.Errorf("the cleared line was answered:\n%s", c.screen)
	}
	// Ctrl-C on an empty line says how to leave; again, it leaves.
	c.typeKeys(keyCtrlC)
	c.shows("Ctrl-C again, Ctrl-D or /quit leaves")
	c.typeKeys(keyCtrlC)
	if code := c.exit(); code != 0 {
		t.Errorf("exit %d", code)
	}

	// The next run recalls the lines of the last with ↑, newest first.
	c = startTTY(t, 80, cache, map[string]string{"TERM": "xterm-256color"})
	c.typeKeys(keyUp)
	c.waitFor("the last line", func() bool { return c.screen.row() == "> /why heat" })
	c.typeKeys(keyUp)
	c.waitFor("the line before it", func() bool { return c.screen.row() == "> /why The Social Network" })
	c.typeKeys(keyEnter)
	c.shows("More Sorkin.")
	c.prompt("Behind the Show")
	c.typeKeys(keyCtrlD)
	if code := c.exit(); code != 0 {
		t.Errorf("Ctrl-D: exit %d", code)
	}
}

// TestConsoleOnANarrowTerminal: at 40 columns the answer wraps between
// words: no word is cut at the margin, as the terminal would cut a longer
// line; and with NO_COLOR there is no colour.
func TestConsoleOnANarrowTerminal(t *testing.T) {
	t.Parallel()
	c := startTTY(t, 40, t.TempDir(), map[string]string{"TERM": "xterm-256color", "NO_COLOR": "1"})
	c.typeKeys("something tense", keyEnter)
	c.shows("Why it matched")
	c.prompt("[Another]")
	want := map[string]bool{}
	for _, w := range strings.Fields(ask(t, "/recommend something tense")) {
		want[w] = true
	}
	lines := c.screen.lines()
	start := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, "Picks for") })
	if start < 0 {
		t.Fatalf("no answer:\n%s", c.screen)
	}
	for _, l := range lines[start:] {
		if strings.HasPrefix(l, ">") {
			break
		}
		for _, w := range strings.Fields(l) {
			if !want[w] {
				t.Errorf("%q is not a word of the answer: a word was cut at the margin in\n%s", w, strings.Join(lines[start:], "\n"))
			}
		}
	}
	if !strings.Contains(c.screen.String(), "Josh Safdie") {
		t.Errorf("“Josh Safdie” is not on one line:\n%s", c.screen)
	}
	if n := c.screen.colours(); n != 0 {
		t.Errorf("NO_COLOR: %d colour sequences", n)
	}
	c.typeKeys("/quit", keyEnter)
	if code := c.exit(); code != 0 {
		t.Errorf("exit %d", code)
	}
}

// ask is the plain answer to a line.
func ask(t *testing.T, line string) string {
	t.Helper()
	out, err := console.Ask(context.Background(), bottest.Bot(t), line, console.Layout{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

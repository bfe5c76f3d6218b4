// Package console connects the bot to a terminal: a local chat console that
// speaks the same commands as Discord and Slack, and one-shot questions.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/industrybot/industrybot/bot"
)

// Width is the column the console wraps text at.
const Width = 78

// Channel is the channel the console's requests come from.
const Channel = "console"

// Console is a chat session on a terminal.
type Console struct {
	h     bot.Handler
	out   io.Writer
	user  bot.User
	last  bot.Reply // for /another
	width int
}

// New returns a console that sends requests to h and writes answers to out.
// The console user may manage daily picks.
func New(h bot.Handler, out io.Writer) *Console {
	return &Console{h: h, out: out, width: Width, user: bot.User{ID: "console", Name: "you", Admin: true}}
}

const banner = `industrybot: the films and series behind Industry, in its creators' words.
Try /recommend something tense, /why heat, /random tv or /help. /quit leaves.
`

// Run reads commands from in until it ends, /quit or ctx is done.
func (c *Console) Run(ctx context.Context, in io.Reader) error {
	fmt.Fprint(c.out, banner)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for {
		fmt.Fprint(c.out, "\n> ")
		if !sc.Scan() {
			fmt.Fprintln(c.out)
			return sc.Err()
		}
		if err := ctx.Err(); err != nil {
			return nil
		}
		line := strings.TrimSpace(sc.Text())
		switch strings.ToLower(line) {
		case "":
			continue
		case "/quit", "/exit", "/q":
			return nil
		}
		fmt.Fprintln(c.out)
		if err := c.Say(ctx, line); err != nil {
			fmt.Fprintln(c.out, wrap(err.Error(), c.width, ""))
		}
	}
}

// Say answers one line and writes the answer. A line that is not a command
// returns an error saying why; a command the bot could not answer as asked
// still writes its answer (suggestions and all) and returns nil.
func (c *Console) Say(ctx context.Context, line string) error {
	var cmd string
	var opts map[string]string
	if strings.EqualFold(strings.TrimSpace(line), "/another") {
		a, ok := another(c.last)
		if !ok {
			return errors.New("there is nothing to show another of: ask for a pick first")
		}
		req, _ := bot.ParseAction(a.ID())
		cmd, opts = req.Command, req.Options
	} else {
		var err error
		if cmd, opts, err = bot.ParseCommand(line); err != nil {
			return err
		}
	}
	r := c.h.Handle(ctx, bot.Request{Platform: bot.Console, Channel: Channel, User: c.user, Command: cmd, Options: opts})
	if _, ok := another(r); ok {
		c.last = r
	}
	fmt.Fprint(c.out, Render(r, c.width))
	return nil
}

// another is the button /another presses: the one whose answer takes the
// place of the reply, another pick instead of this one.
func another(r bot.Reply) (bot.Action, bool) {
	for _, a := range r.Actions {
		if a.Effect == bot.ReplaceMessage {
			return a, true
		}
	}
	return bot.Action{}, false
}

// Ask answers one line for `industrybot ask`: the rendered answer, or an
// error of one line when the line is not a command or the bot could not
// answer it as asked.
func Ask(ctx context.Context, h bot.Handler, line string) (string, error) {
	cmd, opts, err := bot.ParseCommand(line)
	if err != nil {
		return "", err
	}
	r := h.Handle(ctx, bot.Request{Platform: bot.Console, Channel: Channel, User: bot.User{ID: "console", Admin: true}, Command: cmd, Options: opts})
	if r.Error != "" {
		return "", errors.New(r.WriteTimes(r.ErrorText(), bot.PlainTime))
	}
	return Render(r, Width), nil
}

// Render writes a reply as plain text wrapped at width.
func Render(r bot.Reply, width int) string {
	var b strings.Builder
	para := func(s, indent string) {
		if s != "" {
			b.WriteString(wrap(s, width, indent))
			b.WriteByte('\n')
		}
	}
	para(r.WriteTimes(r.Error, bot.PlainTime), "")
	para(bot.DidYouMean(r.Suggestions), "")
	para(r.PlainText(), "")
	for i, p := range r.Picks {
		b.WriteByte('\n')
		t := p.Title
		prefix := ""
		if len(r.Picks) > 1 {
			prefix = fmt.Sprintf("%d. ", i+1)
		}
		indent := strings.Repeat(" ", len(prefix))
		para(prefix+heading(&t.Work), indent)
		para(indent+"“"+p.Excerpt+"”", indent+" ")
		if len(p.Reasons) > 0 {
			para(indent+"Why it matched: "+strings.Join(p.Reasons, ", "), indent+"  ")
		}
	}
	if t := r.Commentary; t != nil {
		para(heading(&t.Work), "")
		para(t.Link, "")
		for _, p := range t.Commentary {
			b.WriteByte('\n')
			para("  "+strings.Join(strings.Fields(p), " "), "  ")
		}
	}
	if m := r.Mention; m != nil {
		b.WriteByte('\n')
		para(heading(&m.Work), "")
		para("  “"+m.Sentence+"”", "   ")
	}
	for _, h := range r.Help {
		b.WriteByte('\n')
		para(h.Usage, "")
		para("    "+h.Summary, "    ")
	}
	if r.Attribution != "" {
		b.WriteByte('\n')
		para("— "+r.Attribution, "  ")
	}
	if len(r.Actions) > 0 && r.Error == "" {
		var labels, hints []string
		for _, a := range r.Actions {
			labels = append(labels, "["+a.Label+"]")
			switch {
			case a.Effect == bot.ReplaceMessage && !slices.Contains(hints, "/another"):
				hints = append(hints, "/another")
			case a.Command == bot.CmdWhy && !slices.Contains(hints, "/why and a title"):
				hints = append(hints, "/why and a title")
			}
		}
		b.WriteByte('\n')
		para(strings.Join(labels, " ")+" (type "+bot.OrList(hints)+")", "")
	}
	return b.String()
}

// heading renders the core's facts of a title as "Heat (1995), film
// directed by Michael Mann".
func heading(w *bot.Work) string {
	return fmt.Sprintf("%s (%s), %s", w.Title, w.Years(), w.Byline())
}

// wrap fills text into lines of at most width columns; lines after the
// first start with indent. A word longer than a line stays whole.
func wrap(text string, width int, indent string) string {
	lead := len(text) - len(strings.TrimLeft(text, " "))
	words := strings.Fields(text)
	if len(words) == 0 {
		return ""
	}
	var b strings.Builder
	line := strings.Repeat(" ", lead) + words[0]
	n := len([]rune(line))
	for _, w := range words[1:] {
		wl := len([]rune(w))
		if n+1+wl > width {
			b.WriteString(line)
			b.WriteByte('\n')
			line = indent + w
			n = len([]rune(indent)) + wl
			continue
		}
		line += " " + w
		n += 1 + wl
	}
	b.WriteString(line)
	return b.String()
}

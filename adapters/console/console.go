// Package console connects the bot to a terminal: a local chat console that
// speaks the same commands as Discord and Slack, and one-shot questions.
package console

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/industrybot/industrybot/bot"
)

// Channel is the channel the console's requests come from.
const Channel = "console"

// user is who types at the console: its only reader, who may manage its
// daily pick.
var user = bot.User{ID: "console", Name: "you", Admin: true}

// Config holds what a Console needs. Handler and Terminal are required.
type Config struct {
	Handler  bot.Handler
	Terminal *Terminal
	// Engine completes titles and time zones on Tab; nil completes
	// commands only.
	Engine *bot.Engine
	// Daily is the scheduler of the console's daily pick, for /daily
	// preview; nil: none.
	Daily *bot.Scheduler
	// HistoryFile keeps the lines typed between runs, on a terminal; ""
	// keeps none.
	HistoryFile string
}

// Console is a chat session on a terminal.
type Console struct {
	c    Config
	t    *Terminal
	last bot.Reply // for /another
}

// New returns a console.
func New(c Config) *Console { return &Console{c: c, t: c.Terminal} }

const (
	prompt = "> "
	banner = "industrybot: the films and series behind Industry, in its creators' words.\n" +
		"Type a mood (something tense) or a command: /why heat, /random tv, /help.\n"
	bannerKeys = "Tab completes, ↑ recalls, Ctrl-C clears the line, Ctrl-D or /quit leaves.\n"
	bannerPipe = "/quit leaves.\n"
	quitHint   = "(Ctrl-C again, Ctrl-D or /quit leaves)"
)

// Run reads lines until they end, /quit, Ctrl-D, Ctrl-C twice on an empty
// line, or the end of ctx. Ctrl-C on a line clears it.
func (c *Console) Run(ctx context.Context) error {
	l := c.t.Layout()
	keys := bannerPipe
	if c.t.Interactive() {
		keys = bannerKeys
	}
	c.t.Print(l.text(roleText, strings.TrimSuffix(banner, "\n")) + l.text(roleNote, strings.TrimSuffix(keys, "\n")))
	rd, err := c.t.reader(editing{prompt: prompt, history: c.c.HistoryFile, complete: &completer{engine: c.c.Engine}})
	if err != nil {
		return err
	}
	defer rd.close()
	interrupted := false
	for {
		line, err := rd.readLine(ctx)
		var intr *errInterrupt
		switch {
		case errors.As(err, &intr):
			if strings.TrimSpace(intr.line) == "" && interrupted {
				return nil
			}
			interrupted = strings.TrimSpace(intr.line) == ""
			if interrupted {
				c.t.Print(c.t.Layout().text(roleNote, quitHint))
			}
			continue
		case errors.Is(err, io.EOF), ctx.Err() != nil:
			return nil
		case err != nil:
			return err
		}
		interrupted = false
		line = strings.TrimSpace(line)
		switch strings.ToLower(line) {
		case "":
			continue
		case cmdQuit, "/exit", "/q":
			return nil
		}
		if err := c.Say(ctx, line); err != nil {
			c.t.Print("\n" + c.t.Layout().Render(bot.Reply{Error: err.Error()}))
		}
	}
}

// Say answers one line and writes the answer. A line that is not a
// command asks for recommendations, as /recommend does. It returns an
// error only for /another with nothing to show another of; a command the
// bot could not answer as asked still writes its answer (suggestions and
// all).
func (c *Console) Say(ctx context.Context, line string) error {
	var r bot.Reply
	switch {
	case strings.EqualFold(strings.TrimSpace(line), cmdAnother):
		a, ok := another(c.last)
		if !ok {
			return errors.New("There is nothing to show another of: ask for a pick first.")
		}
		req, _ := bot.ParseAction(a.ID())
		req.Platform, req.Channel, req.User = bot.Console, Channel, user
		r = c.c.Handler.Handle(ctx, req)
	default:
		if days, ok := previewDays(line); ok && c.c.Daily != nil {
			r = c.preview(ctx, days)
			break
		}
		r = c.c.Handler.Handle(ctx, request(line))
	}
	if _, ok := another(r); ok {
		c.last = r
	}
	c.t.Print("\n" + c.t.Layout().Render(r))
	return nil
}

// request is the request a line makes: a command and the text after it,
// which the core reads; or, for words without a slash, /recommend.
func request(line string) bot.Request {
	req := bot.Request{Platform: bot.Console, Channel: Channel, User: user, Command: bot.CmdRecommend, Text: line}
	if name, ok := strings.CutPrefix(strings.TrimSpace(line), "/"); ok {
		req.Command, req.Text = name, ""
		if i := strings.IndexFunc(name, func(r rune) bool { return r == ' ' || r == '\t' }); i >= 0 {
			req.Command, req.Text = name[:i], name[i+1:]
		}
		req.Command = strings.ToLower(req.Command)
	}
	return req
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

// Ask answers one line for `industrybot ask`, laid out by l: the answer,
// or an error of one line when the bot could not answer it as asked. Words
// without a slash ask for recommendations, as in the console.
func Ask(ctx context.Context, h bot.Handler, line string, l Layout) (string, error) {
	r := h.Handle(ctx, request(line))
	if r.Error != "" {
		return "", errors.New(r.WriteTimes(r.ErrorText(), bot.PlainTime))
	}
	return l.Render(r), nil
}

// previewDays reads "/daily preview [days]": 7 days unless said.
func previewDays(line string) (int, bool) {
	f := strings.Fields(strings.ToLower(line))
	if len(f) < 2 || f[0] != "/"+bot.CmdDaily || f[1] != cmdPreview || len(f) > 3 {
		return 0, false
	}
	if len(f) == 2 {
		return 7, true
	}
	n, err := strconv.Atoi(f[2])
	if err != nil || n < 1 || n > maxPreview {
		return -1, true
	}
	return n, true
}

// maxPreview is the most days /daily preview shows.
const maxPreview = 31

// preview answers /daily preview: the console's coming daily picks.
func (c *Console) preview(ctx context.Context, days int) bot.Reply {
	if days < 0 {
		return bot.Reply{Private: true, Error: fmt.Sprintf("/daily preview takes a number of days from 1 to %d.", maxPreview)}
	}
	st, err := c.c.Daily.Status(ctx, bot.ChannelKey{Platform: bot.Console, Channel: Channel})
	if errors.Is(err, bot.ErrNotFound) {
		return c.c.Handler.Handle(ctx, request("/daily status"))
	} else if err != nil {
		return bot.Failure()
	}
	list, err := c.c.Daily.Preview(ctx, st.Subscription, days)
	if err != nil {
		return bot.Failure()
	}
	r := bot.Reply{Private: true}
	var b strings.Builder
	fmt.Fprintf(&b, "The coming daily picks here (%s at %s %s):", st.Subscription.Days.Phrase(), st.Subscription.Time, st.Subscription.Timezone)
	for _, d := range list {
		b.WriteString("\n  " + r.Stamp(d.Due.In(st.Zone)) + ": ")
		switch {
		case d.Pick != nil && d.State != "":
			b.WriteString(d.Pick.Title + " (" + string(d.State) + ")")
		case d.State != "":
			b.WriteString(string(d.State))
		default:
			b.WriteString(d.Pick.Title + " (" + d.Pick.Years() + ")")
		}
	}
	r.Text = b.String()
	return r
}

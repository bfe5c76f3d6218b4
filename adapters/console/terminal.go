package console

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/chzyer/readline"
	"github.com/muesli/termenv"
	"golang.org/x/term"

	"github.com/industrybot/industrybot/bot"
)

// Terminal is where a console reads lines and writes answers. On a
// terminal (both ends a TTY) lines are edited with chzyer/readline:
// history, Tab completion, Ctrl-C and Ctrl-D; answers are wrapped at the
// terminal's width and emphasised as far as it and NO_COLOR allow. Any
// other input or output (a file, a pipe) gets plain lines in and plain,
// unwrapped text out, one line a paragraph, fit for grep.
//
// Terminal implements bot.Poster: the console's daily pick is printed
// when it is due, above the line being typed.
type Terminal struct {
	in  io.Reader
	out io.Writer
	// tout is set when out is a terminal, tin when in is one too.
	tin, tout *os.File
	style     Style

	mu sync.Mutex
	rl *readline.Instance // while the console runs on a terminal
}

var _ bot.Poster = (*Terminal)(nil)

// NewTerminal returns the terminal of in and out. getenv reads the
// environment (NO_COLOR, CLICOLOR_FORCE, TERM, COLORTERM); nil is
// os.Getenv.
func NewTerminal(in io.Reader, out io.Writer, getenv func(string) string) *Terminal {
	if getenv == nil {
		getenv = os.Getenv
	}
	t := &Terminal{in: in, out: out}
	if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		t.tout = f
		o := termenv.NewOutput(out, termenv.WithTTY(true), termenv.WithEnvironment(environ(getenv)))
		o.Profile = o.EnvColorProfile()
		if o.Profile != termenv.Ascii {
			t.style = Style{out: o}
		}
	}
	if f, ok := in.(*os.File); ok && t.tout != nil && term.IsTerminal(int(f.Fd())) {
		t.tin = f
	}
	return t
}

// environ is the environment as termenv reads it.
type environ func(string) string

func (e environ) Getenv(k string) string { return e(k) }
func (e environ) Environ() []string      { return nil }

// Interactive reports whether both ends are a terminal.
func (t *Terminal) Interactive() bool { return t.tin != nil }

// Layout is how answers are laid out now: on a terminal, at its width,
// which may have changed since the last answer, with its emphasis;
// otherwise plain.
func (t *Terminal) Layout() Layout {
	if t.tout == nil {
		return Layout{}
	}
	return Layout{Width: t.width(), Style: t.style}
}

func (t *Terminal) width() int {
	w, _, err := term.GetSize(int(t.tout.Fd()))
	if err != nil || w <= 0 {
		return 80
	}
	return w
}

// Print writes s; while a line is being typed, above it, which readline
// then draws again.
func (t *Terminal) Print(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.rl != nil {
		io.WriteString(t.rl.Stdout(), s)
		return
	}
	io.WriteString(t.out, s)
}

// Post implements bot.Poster: a daily pick due in the console is printed.
func (t *Terminal) Post(_ context.Context, _, _ string, r bot.Reply) error {
	t.Print("\n" + t.Layout().Render(r))
	return nil
}

// Look implements bot.Poster: a post printed is never in doubt.
func (t *Terminal) Look(context.Context, string, string, time.Time) (bool, error) {
	return false, bot.ErrCannotLook
}

// Dedup implements bot.Poster.
func (t *Terminal) Dedup() time.Duration { return 0 }

// errInterrupt is returned by readLine for Ctrl-C; line is what had been
// typed.
type errInterrupt struct{ line string }

func (e *errInterrupt) Error() string { return "interrupted" }

// lineReader reads the lines of a console.
type lineReader interface {
	// readLine returns the next line; io.EOF at the end (Ctrl-D), an
	// *errInterrupt for Ctrl-C, ctx's error when it ends.
	readLine(ctx context.Context) (string, error)
	close()
}

// editing describes the line editor of a terminal.
type editing struct {
	prompt  string
	history string // file that keeps the history; "" keeps none
	// complete offers what may follow the line: the rest of a word, or a
	// whole word to put in its place (see completer).
	complete *completer
}

// reader returns the reader of the terminal's lines.
func (t *Terminal) reader(ed editing) (lineReader, error) {
	if !t.Interactive() {
		return newPlainReader(t.in, t.out, ed.prompt), nil
	}
	if ed.history != "" {
		// A history that cannot be kept is no reason not to chat.
		if err := os.MkdirAll(filepath.Dir(ed.history), 0o700); err != nil {
			ed.history = ""
		}
	}
	fd := int(t.tin.Fd())
	// Reads that Close can end: readline's own would wait for a key.
	stdin := readline.NewCancelableStdin(t.tin)
	var raw *readline.State
	winch := make(chan os.Signal, 1)
	cfg := &readline.Config{
		Prompt:            t.style.apply(rolePrompt, ed.prompt),
		HistoryFile:       ed.history,
		HistoryLimit:      1000,
		HistorySearchFold: true,
		AutoComplete:      ed.complete,
		Listener:          ed.complete,
		Stdin:             stdin,
		Stdout:            t.tout,
		Stderr:            t.tout,
		FuncIsTerminal:    func() bool { return true },
		FuncGetWidth:      t.width,
		FuncMakeRaw: func() (err error) {
			raw, err = readline.MakeRaw(fd)
			return err
		},
		FuncExitRaw: func() error {
			if raw == nil {
				return nil
			}
			return readline.Restore(fd, raw)
		},
		// Each console listens for resizes itself: readline's default
		// keeps one callback for the whole process.
		FuncOnWidthChanged: func(f func()) {
			signal.Notify(winch, syscall.SIGWINCH)
			go func() {
				for range winch {
					f()
				}
			}()
		},
	}
	rl, err := readline.NewEx(cfg)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	t.rl = rl
	t.mu.Unlock()
	return &editReader{t: t, rl: rl, stdin: stdin, winch: winch}, nil
}

// editReader reads lines with readline.
type editReader struct {
	t     *Terminal
	rl    *readline.Instance
	stdin io.Closer
	winch chan os.Signal
	once  sync.Once
}

func (r *editReader) readLine(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	stop := context.AfterFunc(ctx, r.close)
	defer stop()
	io.WriteString(r.t.tout, "\n")
	line, err := r.rl.Readline()
	switch {
	case ctx.Err() != nil:
		return "", ctx.Err()
	case errors.Is(err, readline.ErrInterrupt):
		return "", &errInterrupt{line}
	case err != nil:
		return "", io.EOF
	}
	return line, nil
}

func (r *editReader) close() {
	r.once.Do(func() {
		r.t.mu.Lock()
		r.t.rl = nil
		r.t.mu.Unlock()
		signal.Stop(r.winch)
		close(r.winch)
		r.stdin.Close()
		r.rl.Close()
	})
}

// plainReader reads lines from a file or a pipe, echoing each after the
// prompt so that what is written reads as the conversation. Reading goes
// on in the background, so that the end of ctx (SIGINT, SIGTERM) ends the
// console at once instead of after the next line.
type plainReader struct {
	out    io.Writer
	prompt string
	lines  chan string
	err    error // after lines closes
	done   chan struct{}
	once   sync.Once
}

func newPlainReader(in io.Reader, out io.Writer, prompt string) *plainReader {
	r := &plainReader{out: out, prompt: prompt, lines: make(chan string), done: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			select {
			case r.lines <- sc.Text():
			case <-r.done:
				return
			}
		}
		r.err = sc.Err()
		close(r.lines)
	}()
	return r
}

func (r *plainReader) readLine(ctx context.Context) (string, error) {
	io.WriteString(r.out, "\n"+r.prompt)
	select {
	case <-ctx.Done():
		io.WriteString(r.out, "\n")
		return "", ctx.Err()
	case line, ok := <-r.lines:
		if !ok {
			io.WriteString(r.out, "\n")
			if r.err != nil {
				return "", r.err
			}
			return "", io.EOF
		}
		io.WriteString(r.out, line+"\n")
		return line, nil
	}
}

func (r *plainReader) close() { r.once.Do(func() { close(r.done) }) }

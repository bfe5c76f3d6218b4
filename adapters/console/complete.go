package console

import (
	"strings"
	"unicode"

	"github.com/chzyer/readline"

	"github.com/industrybot/industrybot/bot"
)

// completer completes what is typed at the console on Tab: commands,
// /daily's subcommands and its time zones, /random's and /recommend's
// kinds, and /why's titles, the titles and zones from the engine. A word
// that some option continues is completed in place (readline lists the
// options when there are several); one that none continues but one is
// close to (a typo, another case: "socail netw", "europe/lon") is replaced
// by the closest.
type completer struct {
	engine *bot.Engine // nil: commands only
}

var (
	_ readline.AutoCompleter = (*completer)(nil)
	_ readline.Listener      = (*completer)(nil)
)

// The console's own commands, beside the core's.
const (
	cmdAnother = "/another"
	cmdQuit    = "/quit"
	cmdPreview = "preview" // /daily preview
)

// options returns the word being completed at the end of head, the text
// before the cursor, and what may take its place.
func (c *completer) options(head string) (word string, opts []string) {
	if !strings.HasPrefix(head, "/") {
		return "", nil
	}
	name, rest, spaced := strings.Cut(head, " ")
	if !spaced {
		for _, cmd := range bot.Commands() {
			s := "/" + cmd.Name
			if cmd.Usage != "" {
				s += " "
			}
			opts = append(opts, s)
		}
		return name, append(opts, cmdAnother, cmdQuit)
	}
	name = strings.ToLower(name)
	if name == "/why" {
		// The whole rest is the title, spaces and all.
		rest = strings.TrimLeft(rest, " ")
		if c.engine == nil {
			return rest, nil
		}
		for _, s := range c.engine.Complete(rest, 12) {
			opts = append(opts, s.Title)
		}
		return rest, opts
	}
	words := strings.Split(rest, " ")
	word = words[len(words)-1]
	before := words[:len(words)-1]
	switch name {
	case "/random":
		if len(before) == 0 {
			opts = []string{"film", "tv"}
		}
	case "/recommend":
		if strings.HasPrefix("kind:", strings.ToLower(word)) || strings.HasPrefix(strings.ToLower(word), "kind:") {
			opts = []string{"kind:film", "kind:tv"}
		}
	case "/daily":
		if len(before) == 0 {
			for _, sub := range dailySubcommands() {
				opts = append(opts, sub+" ")
			}
			return word, opts
		}
		if strings.ToLower(before[0]) != bot.DailySubscribe {
			return word, nil
		}
		opts = []string{"thread", "weekdays", "weekends"}
		if c.engine != nil && word != "" && unicode.IsLetter([]rune(word)[0]) {
			for _, z := range c.engine.Choices(bot.CompleteZone, word, 20) {
				opts = append(opts, z.Value)
			}
		}
	}
	return word, opts
}

// dailySubcommands are /daily's subcommands, and the console's preview.
func dailySubcommands() []string {
	var out []string
	if d, ok := bot.Command(bot.CmdDaily); ok {
		for _, s := range d.Subcommands {
			out = append(out, s.Name)
		}
	}
	return append(out, cmdPreview)
}

// Do implements readline.AutoCompleter: the rest of each option that
// continues the word as typed.
func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	word, opts := c.options(string(line[:pos]))
	var out [][]rune
	for _, o := range opts {
		if rest, ok := strings.CutPrefix(o, word); ok && (rest != "" || len(opts) == 1) {
			out = append(out, []rune(rest))
		}
	}
	return out, len([]rune(word))
}

// OnChange implements readline.Listener: on Tab, a word that no option
// continues is replaced by the closest option, when there is one.
func (c *completer) OnChange(line []rune, pos int, key rune) ([]rune, int, bool) {
	if key != readline.CharTab || pos > len(line) {
		return nil, 0, false
	}
	head := string(line[:pos])
	word, opts := c.options(head)
	if word == "" || len(opts) == 0 {
		return nil, 0, false
	}
	for _, o := range opts {
		if strings.HasPrefix(o, word) {
			return nil, 0, false
		}
	}
	best := opts[0]
	for _, o := range opts { // the same word in another case first
		if strings.HasPrefix(strings.ToLower(o), strings.ToLower(word)) {
			best = o
			break
		}
	}
	newHead := []rune(strings.TrimSuffix(head, word) + best)
	return append(newHead, line[pos:]...), len(newHead), true
}

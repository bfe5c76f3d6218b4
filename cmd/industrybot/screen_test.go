package main

import (
	"strconv"
	"strings"
	"sync"

	"github.com/mattn/go-runewidth"
)

// screen is a small terminal emulator, enough to show what a terminal of
// a given size shows of the console's output: text, carriage returns and
// line feeds, backspaces, the cursor moves and erasures readline sends,
// and the right margin, where a terminal breaks a line too long for it.
// Lines that scroll off the top are kept, so a test can read them too.
type screen struct {
	mu         sync.Mutex
	cols, rows int
	grid       [][]rune
	x, y       int
	pending    bool     // the cursor is past the right margin: the next rune wraps
	scrolled   []string // lines gone off the top
	sgr        int      // SGR sequences seen (colour, bold)
	esc        []byte   // an escape sequence being read
	changed    chan struct{}
}

func newScreen(cols, rows int) *screen {
	s := &screen{cols: cols, rows: rows, changed: make(chan struct{}, 1)}
	for range rows {
		s.grid = append(s.grid, s.blank())
	}
	return s
}

func (s *screen) blank() []rune { return []rune(strings.Repeat(" ", s.cols)) }

// Write implements io.Writer: the terminal receives bytes.
func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	for _, r := range string(p) {
		s.put(r)
	}
	s.mu.Unlock()
	select {
	case s.changed <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (s *screen) lineFeed() {
	s.y++
	if s.y == s.rows {
		s.scrolled = append(s.scrolled, strings.TrimRight(string(s.grid[0]), " "))
		s.grid = append(s.grid[1:], s.blank())
		s.y = s.rows - 1
	}
}

func (s *screen) put(r rune) {
	if s.esc != nil {
		s.escape(r)
		return
	}
	switch r {
	case 0x1b:
		s.esc = []byte{}
	case '\r':
		s.x, s.pending = 0, false
	case '\n':
		s.pending = false
		s.lineFeed()
	case '\b':
		if s.x > 0 {
			s.x--
		}
		s.pending = false
	case '\a':
	case '\t':
		s.x = min(s.cols-1, (s.x/8+1)*8)
	default:
		if r < ' ' {
			return
		}
		if s.pending {
			s.x, s.pending = 0, false
			s.lineFeed()
		}
		s.grid[s.y][s.x] = r
		if w := runewidth.RuneWidth(r); w == 2 && s.x+1 < s.cols {
			s.x++
			s.grid[s.y][s.x] = ' '
		}
		s.x++
		if s.x >= s.cols {
			s.x, s.pending = s.cols-1, true
		}
	}
}

// escape reads an escape sequence: CSI sequences are obeyed or ignored,
// any other ends after one character.
func (s *screen) escape(r rune) {
	if len(s.esc) == 0 && r != '[' {
		s.esc = nil
		return
	}
	s.esc = append(s.esc, byte(r))
	if len(s.esc) == 1 || r >= '0' && r <= '9' || r == ';' || r == '?' {
		return
	}
	params := strings.Split(string(s.esc[1:len(s.esc)-1]), ";")
	s.esc = nil
	n := func(i, def int) int {
		if i < len(params) {
			if v, err := strconv.Atoi(strings.TrimPrefix(params[i], "?")); err == nil {
				return v
			}
		}
		return def
	}
	s.pending = false
	switch r {
	case 'A':
		s.y = max(0, s.y-n(0, 1))
	case 'B':
		s.y = min(s.rows-1, s.y+n(0, 1))
	case 'C':
		s.x = min(s.cols-1, s.x+n(0, 1))
	case 'D':
		s.x = max(0, s.x-n(0, 1))
	case 'G':
		s.x = min(s.cols-1, max(0, n(0, 1)-1))
	case 'H':
		s.y, s.x = min(s.rows-1, max(0, n(0, 1)-1)), min(s.cols-1, max(0, n(1, 1)-1))
	case 'K':
		switch n(0, 0) {
		case 0:
			for i := s.x; i < s.cols; i++ {
				s.grid[s.y][i] = ' '
			}
		case 2:
			s.grid[s.y] = s.blank()
		}
	case 'J':
		if n(0, 0) == 0 {
			for i := s.x; i < s.cols; i++ {
				s.grid[s.y][i] = ' '
			}
			for y := s.y + 1; y < s.rows; y++ {
				s.grid[y] = s.blank()
			}
		}
	case 'm':
		s.sgr++
	}
}

// lines returns what scrolled off and what is on the screen, a row a line,
// trailing spaces trimmed.
func (s *screen) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]string(nil), s.scrolled...)
	for _, row := range s.grid {
		out = append(out, strings.TrimRight(string(row), " "))
	}
	return out
}

// row returns the row the cursor is on.
func (s *screen) row() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.TrimRight(string(s.grid[s.y]), " ")
}

func (s *screen) String() string { return strings.Join(s.lines(), "\n") }

// colours reports how many colour or emphasis sequences it was sent.
func (s *screen) colours() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sgr
}

package bot_test

import (
	"errors"
	"maps"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/industrybot/industrybot/bot"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		line    string
		command string
		opts    map[string]string
		err     string
	}{
		{"/recommend talky", "recommend", map[string]string{"query": "talky"}, ""},
		{"  /Recommend   something   tense  ", "recommend", map[string]string{"query": "something tense"}, ""},
		{"/recommend kind:tv workplace drama", "recommend", map[string]string{"query": "workplace drama", "kind": "tv"}, ""},
		{"/recommend british comedy kind=Movie", "recommend", map[string]string{"query": "british comedy", "kind": "film"}, ""},
		{"/recommend", "recommend", map[string]string{}, ""},
		{"/recommend kind:book", "", nil, `kind “book” is neither film nor tv`},
		{"/why the social network", "why", map[string]string{"title": "the social network"}, ""},
		{"/why", "why", map[string]string{}, ""},
		{"/random tv", "random", map[string]string{"kind": "tv"}, ""},
		{"/random kind:film", "random", map[string]string{"kind": "film"}, ""},
		{"/random", "random", map[string]string{}, ""},
		{"/random bananas", "", nil, `/random takes film or tv, not “bananas”`},
		{"/random tv film", "", nil, `/random takes film or tv`},
		{"/help me", "help", map[string]string{}, ""},
		{"/daily subscribe 9:30 America/New_York", "daily", map[string]string{"action": "subscribe", "time": "09:30", "timezone": "America/New_York"}, ""},
		{"/daily", "daily", map[string]string{"action": "status"}, ""},
		{"/daily subscribe 25:00", "", nil, `“25:00” is not a time of day`},
		{"/daily subscribe Mars/Olympus", "", nil, `“Mars/Olympus” is not a time zone`},
		{"/daily subscribe Europe/\u202eLondon", "", nil, `“Europe/London” is not a time zone`},
		{"/daily dance", "", nil, `/daily takes subscribe, unsubscribe, status or skip`},
		{"/frobnicate", "", nil, "unknown command “/frobnicate”"},
		{"hello", "", nil, "commands start with /"},
		{"see https://evil.example/x", "", nil, "“see https[:]//evil[.]example/x” is not a command"},
		{"/why " + strings.Repeat("x", 600), "", nil, "/why takes at most 500"},
		{"/why\theat", "why", map[string]string{"title": "heat"}, ""},
		{"/random\nfilm", "random", map[string]string{"kind": "film"}, ""},
		// The fuzz finding of issue 11: a command name with a control
		// character and a newline, and too much text after it, was echoed
		// raw by the length check, which ran before the name was known.
		{"/da\x1a\x1a\nsh " + strings.Repeat("x", 578), "", nil, "unknown command “/da”: try /help"},
		{"/da\x1ash\u200b\u202e now", "", nil, "unknown command “/dash”: try /help"},
		{"/da\x1a" + strings.Repeat("é", 40), "", nil, "unknown command “/daéééééééééééééééééééééééééé…”"},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			cmd, opts, err := bot.ParseCommand(tc.line)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got err %v, want %q", err, tc.err)
				}
				if msg := err.Error(); strings.ContainsAny(msg, "\n\r\x1a\u202e") || utf8.RuneCountInString(msg) > 200 {
					t.Errorf("error %q: want one short line without control characters", msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cmd != tc.command || !maps.Equal(opts, tc.opts) {
				t.Errorf("got %s %v, want %s %v", cmd, opts, tc.command, tc.opts)
			}
		})
	}
	if _, _, err := bot.ParseCommand("/nope"); !errors.Is(err, bot.ErrUnknownCommand) {
		t.Errorf("got %v, want ErrUnknownCommand", err)
	}
}

func TestActionRoundTrip(t *testing.T) {
	tests := []struct {
		a       bot.Action
		cmd     string
		opts    map[string]string
		replace bool
	}{
		{bot.Action{Command: bot.CmdRecommend, Kind: bot.TV, Arg: "talky: fast", Effect: bot.ReplaceMessage}, "recommend", map[string]string{"query": "talky: fast", "kind": "tv", "another": "1"}, true},
		{bot.Action{Command: bot.CmdRecommend, Arg: "talky"}, "recommend", map[string]string{"query": "talky", "kind": "", "another": "1"}, false},
		{bot.Action{Command: bot.CmdRandom, Effect: bot.ReplaceMessage}, "random", map[string]string{"kind": "", "another": "1"}, true},
		{bot.Action{Command: bot.CmdRandom, Kind: bot.Film}, "random", map[string]string{"kind": "film", "another": "1"}, false},
		{bot.Action{Command: bot.CmdWhy, Arg: "heat"}, "why", map[string]string{"title": "heat"}, false},
		{bot.Action{Command: bot.CmdWhy, Arg: "heat", Effect: bot.ReplaceMessage}, "why", map[string]string{"title": "heat"}, false},
	}
	for _, tc := range tests {
		req, err := bot.ParseAction(tc.a.ID())
		if err != nil || req.Command != tc.cmd || !maps.Equal(req.Options, tc.opts) || req.Replace != tc.replace {
			t.Errorf("%s: got %s %v replace %v %v, want %s %v replace %v", tc.a.ID(), req.Command, req.Options, req.Replace, err, tc.cmd, tc.opts, tc.replace)
		}
	}
	long := bot.Action{Command: bot.CmdRecommend, Arg: strings.Repeat("é", 80)}.ID()
	if len(long) > 100 || !utf8.ValidString(long) {
		t.Errorf("long id: %d bytes, valid UTF-8 %v; want at most 100 and valid", len(long), utf8.ValidString(long))
	}
	for _, bad := range []string{"", "hello", "ib1:", "ib1:why::", "ib1:why+::heat", "ib1:dance:tv:x", "ib1:dance+:tv:x", "ib1:random:book:", "ib1:random:FILM:"} {
		if _, err := bot.ParseAction(bad); !errors.Is(err, bot.ErrBadAction) {
			t.Errorf("%q: got %v, want ErrBadAction", bad, err)
		}
	}
}

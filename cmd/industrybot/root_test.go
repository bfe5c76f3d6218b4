package main

import (
	"strings"
	"testing"
)

// TestStrictCommandLine: a mistyped command is answered with the one
// meant, a parent without its subcommand and a bad flag exit 2, every
// error is one line naming what to fix, and flag values complete.
func TestStrictCommandLine(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"srve"}, `unknown command "srve" for "industrybot": did you mean serve?`},
		{[]string{"discord", "regster"}, `unknown command "regster" for "industrybot discord": did you mean register?`},
		{[]string{"discord"}, "industrybot discord needs a subcommand: invite, register"},
		{[]string{"slack"}, "industrybot slack needs a subcommand: manifest"},
		{[]string{"catalog"}, "industrybot catalog needs a subcommand: check"},
		{[]string{"daily"}, "industrybot daily needs a subcommand: preview, status"},
		{[]string{"serve", "now"}, `"industrybot serve" takes no arguments (see industrybot serve --help)`},
		{[]string{"ask"}, `ask needs a command or words to answer: industrybot ask "/why heat"`},
		{[]string{"catalog", "check", "a.json", "b.json"}, "accepts at most 1 arg(s), received 2 (see industrybot catalog check --help)"},
		{[]string{"daily", "preview", "--days", "x"}, `invalid argument "x" for "--days" flag: not a number (see industrybot daily preview --help)`},
		{[]string{"daily", "preview", "--days", "-3"}, "--days is -3: give a number of days from 1 to 366"},
		{[]string{"daily", "preview", "--days", "1000000"}, "--days is 1000000: give a number of days from 1 to 366"},
		{[]string{"serve", "--bogus"}, "unknown flag: --bogus (see industrybot serve --help)"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := runCmd(t, "", tc.args...)
			if r.code != 2 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("got %+v, want exit 2 and one line containing %q", r, tc.want)
			}
		})
	}
}

func TestFlagValuesComplete(t *testing.T) {
	tests := map[string][]string{
		"--log-level":    {"debug", "info", "warn", "error"},
		"--log-format":   {"text", "json"},
		"--store-driver": {"sqlite", "postgres", "memory"},
	}
	for flag, want := range tests {
		r := runCmd(t, "", "__complete", "serve", flag, "")
		if r.code != 0 || !strings.HasPrefix(r.stdout, strings.Join(want, "\n")+"\n") {
			t.Errorf("%s: got %+v, want %q", flag, r, want)
		}
	}
	r := runCmd(t, "", "__complete", "slack", "manifest", "--mode", "")
	if !strings.HasPrefix(r.stdout, "socket\nhttp\n") {
		t.Errorf("slack manifest --mode: got %q", r.stdout)
	}
}

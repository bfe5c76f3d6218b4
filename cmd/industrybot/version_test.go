package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := runCmd(t, "", args...)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "industrybot ") || !strings.Contains(r.stdout, "go1.") || strings.Count(r.stdout, "\n") != 1 {
			t.Errorf("%v: got %+v", args, r)
		}
	}
	info := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"},
	}}
	if got, want := version(info, true), "industrybot v1.2.3 (commit 0123456789ab, 2026-12-01T10:00:00Z, with local changes), built with go1.26.0"; got != want {
		t.Errorf("version = %q, want %q", got, want)
	}
}

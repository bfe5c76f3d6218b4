package main

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// version describes this build from its build info: the module version
// (a tag for `go install …@v1.2.3`, "(devel)" for a build from a clone),
// the commit and whether the tree had changes, and the Go version.
func version(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil {
		return "industrybot (no build information)"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var commit, when, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = ", with local changes"
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "industrybot %s", v)
	if commit != "" {
		fmt.Fprintf(&b, " (commit %s", commit[:min(12, len(commit))])
		if when != "" {
			fmt.Fprintf(&b, ", %s", when)
		}
		b.WriteString(dirty + ")")
	}
	fmt.Fprintf(&b, ", built with %s", info.GoVersion)
	return b.String()
}

func (e *env) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and Go version of this build",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), version(debug.ReadBuildInfo()))
			return nil
		},
	}
}

package main

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/industrybot/industrybot/bot"
	"go.yaml.in/yaml/v3"
)

// channelKeys are the keys of an entry of daily.channels.
var channelKeys = []string{"platform", "channel", "time", "timezone", "days", "thread", "mention"}

// FileError is a problem in the configuration file, at a line of it.
type FileError struct {
	Path    string
	Line    int
	Problem string
}

func (e *FileError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("config: %s: %s", e.Path, e.Problem)
	}
	return fmt.Sprintf("config: %s line %d: %s", e.Path, e.Line, e.Problem)
}

// checkFile reads the configuration file as YAML and refuses what loading
// it would silently ignore: a key that is no setting (a typo such as slak
// or time_zone, or a key indented under the wrong section), which it
// names with its line and the setting meant; a syntax error, with the line
// YAML gives.
func checkFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return &FileError{Path: path, Problem: fmt.Sprintf("cannot be read: %v", errors.Unwrap(err))}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := yamlLine.ReplaceAllString(strings.TrimPrefix(oneLine{err}.Error(), "yaml: "), "")
		return &FileError{Path: path, Line: badLine(data), Problem: "is not valid YAML: " + msg}
	}
	if len(doc.Content) == 0 {
		return nil // empty
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return &FileError{Path: path, Line: root.Line, Problem: "must be a map of settings (catalog:, http:, discord:, slack:, daily:, …)"}
	}
	return walkKeys(path, "", root)
}

// yamlLine is the line YAML's errors start with.
var yamlLine = regexp.MustCompile(`^line \d+: `)

// badLine is the first line at which the YAML of data stops being valid:
// YAML's own errors name the line where the block that holds the error
// starts, which may be far above it.
func badLine(data []byte) int {
	lines := strings.SplitAfter(string(data), "\n")
	for k := 1; k <= len(lines); k++ {
		var n yaml.Node
		if yaml.Unmarshal([]byte(strings.Join(lines[:k], "")), &n) != nil {
			return k
		}
	}
	return 0
}

// walkKeys checks the keys of a mapping under prefix ("daily.").
func walkKeys(path, prefix string, m *yaml.Node) error {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		key := prefix + k.Value
		switch {
		case isSetting(key):
			if key == "daily.channels" && v.Kind == yaml.SequenceNode {
				if err := checkChannels(path, v); err != nil {
					return err
				}
			}
		case isSection(key) && v.Kind == yaml.MappingNode:
			if err := walkKeys(path, key+".", v); err != nil {
				return err
			}
		case isSection(key):
			return &FileError{Path: path, Line: k.Line, Problem: fmt.Sprintf("%s must hold settings such as %s", key, sectionExample(key))}
		default:
			return &FileError{Path: path, Line: k.Line, Problem: "unknown key " + key + didYouMean(key)}
		}
	}
	return nil
}

// checkChannels checks the keys of daily.channels' entries.
func checkChannels(path string, seq *yaml.Node) error {
	for i, e := range seq.Content {
		if e.Kind != yaml.MappingNode {
			return &FileError{Path: path, Line: e.Line, Problem: fmt.Sprintf("daily.channels[%d] must be a map such as {platform: slack, channel: C0123}", i)}
		}
		for j := 0; j+1 < len(e.Content); j += 2 {
			k := e.Content[j]
			if slices.Contains(channelKeys, k.Value) {
				continue
			}
			msg := fmt.Sprintf("daily.channels[%d]: unknown key %s", i, k.Value)
			if s := closest(k.Value, channelKeys); s != "" {
				msg += ": did you mean " + s + "?"
			} else {
				msg += " (the keys are " + strings.Join(channelKeys, ", ") + ")"
			}
			return &FileError{Path: path, Line: k.Line, Problem: msg}
		}
	}
	return nil
}

func isSetting(key string) bool {
	return slices.ContainsFunc(settings, func(s setting) bool { return s.key == key })
}

// isSection reports whether key holds settings: "daily" for daily.time.
func isSection(key string) bool {
	return slices.ContainsFunc(settings, func(s setting) bool { return strings.HasPrefix(s.key, key+".") })
}

func sectionExample(section string) string {
	var keys []string
	for _, s := range settings {
		if strings.HasPrefix(s.key, section+".") && len(keys) < 2 {
			keys = append(keys, s.key)
		}
	}
	return strings.Join(keys, " and ")
}

// didYouMean names the setting or section an unknown key may be: a typo
// of a key or of its last part (time_zone → daily.timezone), or the
// same key under another section (a mis-indented timezone).
func didYouMean(key string) string {
	var names []string
	for _, s := range settings {
		names = append(names, s.key)
		if i := strings.IndexByte(s.key, '.'); i >= 0 {
			names = append(names, s.key[:i])
		}
	}
	if s := closest(key, names); s != "" {
		return ": did you mean " + s + "?"
	}
	last := key[strings.LastIndexByte(key, '.')+1:]
	var fits []string
	for _, s := range settings {
		leaf := s.key[strings.LastIndexByte(s.key, '.')+1:]
		if leaf == last || bot.Distance(leaf, last, 2) <= 2 && len(last) > 3 {
			fits = append(fits, s.key)
		}
	}
	if len(fits) > 0 && len(fits) <= 3 {
		return ": did you mean " + strings.Join(fits, " or ") + "? (check its indentation)"
	}
	return " (config.yaml at the repository's root lists every setting)"
}

// closest is the name within two edits of s, nearest first; "" if none.
func closest(s string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if d := bot.Distance(s, n, 2); d < bestD && n != s {
			best, bestD = n, d
		}
	}
	return best
}

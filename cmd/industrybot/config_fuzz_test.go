package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// FuzzConfig loads configurations made of a fuzzed config.yaml and one
// fuzzed environment variable, chosen among the keys'. Loading never
// panics, and succeeds or fails with one line: a value at fault names its
// key and the variable that sets it, a file that cannot be read names the
// file. A secret is never in the error. Seeds are in testdata/fuzz/FuzzConfig.
func FuzzConfig(f *testing.F) {
	key := func(k string) uint8 {
		for i, s := range settings {
			if s.key == k {
				return uint8(i)
			}
		}
		f.Fatalf("no key %s", k)
		return 0
	}
	for _, s := range []struct {
		yaml  string
		key   string
		value string
	}{
		{"http:\n  addr: 127.0.0.1:1\nlog:\n  level: warn\n", "http.addr", ""},
		{"daily:\n  channels:\n    - {platform: slack, channel: C1, time: \"7:05\", timezone: Europe/Paris}\n", "daily.channels", ""},
		{"", "daily.channels", `[{"platform":"discord","channel":"1","time":"25:00"}]`},
		{"daily:\n  channels: {a: b}\n", "daily.time", "9:00"},
		{"discord:\n  shard_id: 3\n  shard_count: 2\n", "discord.shard_count", "x"},
		{"slack:\n  admins: [U1, 2, {a: b}]\n", "slack.admins", "U1,U2 U3"},
		{"slack: [1, 2]\n", "slack.mode", "http"},
		{"catalog: 5\nhttp: {addr: [1]}\n", "catalog.path", ""},
		{"a: &a [*a, *a]\nb: &b [*a, *a]\n", "log.format", "json"},
		{"\t- not yaml: [\n", "discord.mode", "gatway"},
		{"daily:\n  catch_up: -1h\n  lease: 0\n  tick: 1e400\n", "daily.catch_up", "2h"},
		{"discord:\n  public_key: zz\n  mode: http\n", "discord.public_key", strings.Repeat("a", 63)},
		{"", "slack.bot_token", "xoxp-1-secret"},
		{"? [a, b]\n: c\n1: 2\n", "discord.api_url", "ftp://x"},
		{"~: ~\nstore: {driver: memory, dsn: ''}\n", "store.dsn", ""},
	} {
		f.Add([]byte(s.yaml), key(s.key), s.value)
	}
	f.Fuzz(func(t *testing.T, yaml []byte, k uint8, value string) {
		for _, s := range settings { // only what this input sets
			if v, ok := os.LookupEnv(envName(s.key)); ok {
				t.Setenv(envName(s.key), v)
				os.Unsetenv(envName(s.key))
			}
		}
		path := filepath.Join(t.TempDir(), "config.yaml")
		if err := os.WriteFile(path, yaml, 0o600); err != nil {
			t.Fatal(err)
		}
		s := settings[int(k)%len(settings)]
		secret := isSecret(s.key)
		value = strings.ReplaceAll(value, "\x00", "") // no environment holds a NUL
		if secret {
			value += "-S3CR3T" // what must never be printed
		}
		t.Setenv(envName(s.key), value)
		fs := pflag.NewFlagSet("industrybot", pflag.ContinueOnError)
		addFlags(fs)
		if err := fs.Parse([]string{"--config", path}); err != nil {
			t.Fatal(err)
		}
		_, err := loadConfig(fs)
		if err == nil {
			return
		}
		msg := err.Error()
		if strings.ContainsAny(msg, "\n\r") {
			t.Errorf("an error of more than one line: %q", msg)
		}
		if secret && strings.Contains(msg, "S3CR3T") {
			t.Errorf("the error shows %s: %q", s.key, msg)
		}
		var ce *ConfigError
		var fe *FileError
		switch {
		case errors.As(err, &fe):
			if fe.Path != path || !strings.Contains(msg, path) {
				t.Errorf("%q does not name the file", msg)
			}
		case errors.As(err, &ce):
			if !strings.Contains(msg, ce.Key) || !strings.Contains(msg, envName(ce.Key)) {
				t.Errorf("%q does not name the key and its variable", msg)
			}
		case !strings.HasPrefix(msg, "config: reading "+path+": "):
			t.Errorf("%q names neither a key nor the file", msg)
		}
	})
}

// isSecret reports whether a key holds a secret.
func isSecret(key string) bool {
	return strings.Contains(key, "token") || strings.Contains(key, "secret") || strings.HasSuffix(key, "_key") && !strings.HasSuffix(key, "public_key")
}

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/internal/seal"
)

// Config is the whole configuration, read from config.yaml, INDUSTRYBOT_*
// environment variables and flags, in rising order of precedence.
type Config struct {
	CatalogPath string

	HTTPAddr string
	// ShutdownDelay is how long serve goes on answering after SIGTERM, with
	// /readyz failing, before it drains: time for a load balancer to stop
	// sending. 0 drains at once.
	ShutdownDelay time.Duration

	StoreDriver string
	StoreDSN    string
	// StoreEncryptionKey seals the tokens of OAuth installs at rest: 32
	// bytes in base64 or hex.
	StoreEncryptionKey string

	Discord DiscordConfig
	Slack   SlackConfig
	Daily   DailyConfig

	LogLevel  string
	LogFormat string
}

// DiscordConfig holds the discord.* keys.
type DiscordConfig struct {
	Token         string
	ApplicationID string
	PublicKey     string
	Mode          string // gateway | http
	GuildID       string
	ShardID       int
	ShardCount    int
	APIURL        string
}

// On reports whether Discord has the credentials of its mode.
func (d DiscordConfig) On() bool { return d.Token != "" || d.PublicKey != "" }

// SlackConfig holds the slack.* keys.
type SlackConfig struct {
	BotToken      string
	AppToken      string
	SigningSecret string
	Mode          string // socket | http
	APIURL        string
	Admins        []string
	// ClientID, ClientSecret and PublicURL install the app to many
	// workspaces through OAuth v2.
	ClientID     string
	ClientSecret string
	PublicURL    string
}

// On reports whether Slack has credentials.
func (s SlackConfig) On() bool {
	return s.BotToken != "" || s.AppToken != "" || s.SigningSecret != "" || s.ClientID != ""
}

// OAuth reports whether the app installs to many workspaces through OAuth.
func (s SlackConfig) OAuth() bool { return s.ClientID != "" }

// DailyConfig holds the daily.* keys.
type DailyConfig struct {
	Time     string
	Timezone string
	Days     bot.Days // the default days of the week
	CatchUp  time.Duration
	Channels []DailyChannel
	Lease    time.Duration // advanced: how long a claim holds before other replicas take it over
	Tick     time.Duration // advanced: how often the schedule is checked
}

// DailyChannel is one entry of daily.channels.
type DailyChannel struct {
	Platform string `json:"platform"`
	Channel  string `json:"channel"`
	Time     string `json:"time,omitempty"`
	Timezone string `json:"timezone,omitempty"`
	Days     string `json:"days,omitempty"`    // as bot.ParseDays reads them; default daily.days
	Thread   bool   `json:"thread,omitempty"`  // open a thread on each post
	Mention  string `json:"mention,omitempty"` // a Discord role id or Slack user group id

	days bot.Days // Days, read
}

// setting is one configuration key: its default, and the flag that sets it
// where a flag makes sense.
type setting struct {
	key   string
	def   any
	flag  string
	usage string
}

// settings lists every key. Their names are a public interface: renaming
// one breaks deployments.
var settings = []setting{
	{"catalog.path", "", "catalog", "catalog file to use instead of the built-in one"},
	{"http.addr", "127.0.0.1:8080", "addr", "address the HTTP server listens on"},
	{"http.shutdown_delay", "5s", "", ""},
	{"store.driver", "sqlite", "store-driver", "where state is kept: sqlite, postgres or memory"},
	{"store.dsn", "industrybot.db", "store-dsn", "SQLite file or postgres:// URL"},
	{"store.encryption_key", "", "", ""},
	{"discord.token", "", "", ""},
	{"discord.application_id", "", "", ""},
	{"discord.public_key", "", "", ""},
	{"discord.mode", "gateway", "", ""},
	{"discord.guild_id", "", "", ""},
	{"discord.shard_id", 0, "", ""},
	{"discord.shard_count", 1, "", ""},
	{"discord.api_url", "", "", ""},
	{"slack.bot_token", "", "", ""},
	{"slack.app_token", "", "", ""},
	{"slack.signing_secret", "", "", ""},
	{"slack.mode", "socket", "", ""},
	{"slack.api_url", "", "", ""},
	{"slack.admins", []string{}, "", ""},
	{"slack.client_id", "", "", ""},
	{"slack.client_secret", "", "", ""},
	{"slack.public_url", "", "", ""},
	{"daily.time", "09:00", "", ""},
	{"daily.timezone", "Europe/London", "", ""},
	{"daily.days", "every day", "", ""},
	{"daily.catch_up", "2h", "", ""},
	{"daily.channels", []any{}, "", ""},
	{"daily.lease", "2m", "", ""},
	{"daily.tick", "30s", "", ""},
	{"log.level", "info", "log-level", "debug, info, warn or error"},
	{"log.format", "text", "log-format", "text or json"},
}

// envName is the environment variable that sets a key:
// slack.signing_secret → INDUSTRYBOT_SLACK_SIGNING_SECRET.
func envName(key string) string {
	return "INDUSTRYBOT_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// ConfigError names the key at fault and how to set it.
type ConfigError struct {
	Key     string
	Problem string
}

func (e *ConfigError) Error() string {
	if secretKey(e.Key) {
		// Tokens stay out of files that get committed and shared.
		return fmt.Sprintf("config: %s %s: set %s (keep it out of config.yaml)", e.Key, e.Problem, envName(e.Key))
	}
	return fmt.Sprintf("config: %s %s: set %s in config.yaml or %s", e.Key, e.Problem, e.Key, envName(e.Key))
}

// secretKey reports whether key holds a credential, which belongs in the
// environment, not in config.yaml.
func secretKey(key string) bool {
	switch key {
	case "discord.token", "slack.bot_token", "slack.app_token", "slack.signing_secret", "slack.client_secret", "store.encryption_key":
		return true
	}
	return false
}

// addFlags declares the flags that set keys.
func addFlags(fs *pflag.FlagSet) {
	fs.String("config", "", "configuration file (default: ./config.yaml when it exists; env INDUSTRYBOT_CONFIG)")
	for _, s := range settings {
		if s.flag != "" {
			fs.String(s.flag, fmt.Sprint(s.def), s.usage+" ("+s.key+", env "+envName(s.key)+")")
		}
	}
}

// loadConfig reads the configuration: defaults, then the file, then the
// environment, then flags that were set.
func loadConfig(fs *pflag.FlagSet) (*Config, error) { return loadConfigFor(fs, true) }

// loadConfigFor is loadConfig; without platforms, the platforms' keys are
// not checked.
func loadConfigFor(fs *pflag.FlagSet, platforms bool) (*Config, error) {
	v := viper.New()
	v.SetConfigType("yaml")
	for _, s := range settings {
		v.SetDefault(s.key, s.def)
		// Bound one by one: AutomaticEnv alone does not reach nested keys.
		if err := v.BindEnv(s.key, envName(s.key)); err != nil {
			return nil, err
		}
		if s.flag != "" {
			if f := fs.Lookup(s.flag); f != nil {
				if err := v.BindPFlag(s.key, f); err != nil {
					return nil, err
				}
			}
		}
	}
	path, explicit := "", false
	if f := fs.Lookup("config"); f != nil && f.Value.String() != "" {
		path, explicit = f.Value.String(), true
	} else if p := os.Getenv("INDUSTRYBOT_CONFIG"); p != "" {
		path, explicit = p, true
	} else if _, err := os.Stat("config.yaml"); err == nil {
		path = "config.yaml"
	}
	if path != "" {
		if _, err := os.Stat(path); err != nil && !explicit {
			path = ""
		} else if err := checkFile(path); err != nil {
			return nil, err
		}
	}
	if path != "" {
		v.SetConfigFile(path)
		if err := v.ReadInConfig(); err != nil {
			// YAML's errors run over several lines ("unmarshal
			// errors:\n  line 3: …"): the start stops with one.
			return nil, fmt.Errorf("config: reading %s: %w", path, oneLine{err})
		}
	}
	r := reader{v: v}
	c := &Config{
		CatalogPath:        r.str("catalog.path"),
		HTTPAddr:           r.str("http.addr"),
		ShutdownDelay:      r.duration("http.shutdown_delay"),
		StoreDriver:        r.oneOf("store.driver", "sqlite", "postgres", "memory"),
		StoreDSN:           r.str("store.dsn"),
		StoreEncryptionKey: r.str("store.encryption_key"),
		Discord: DiscordConfig{
			Token:         r.str("discord.token"),
			ApplicationID: r.str("discord.application_id"),
			PublicKey:     r.str("discord.public_key"),
			Mode:          r.oneOf("discord.mode", "gateway", "http"),
			GuildID:       r.str("discord.guild_id"),
			ShardID:       r.integer("discord.shard_id", 0),
			ShardCount:    r.integer("discord.shard_count", 1),
			APIURL:        r.url("discord.api_url"),
		},
		Slack: SlackConfig{
			BotToken:      r.str("slack.bot_token"),
			AppToken:      r.str("slack.app_token"),
			SigningSecret: r.str("slack.signing_secret"),
			Mode:          r.oneOf("slack.mode", "socket", "http"),
			APIURL:        r.url("slack.api_url"),
			Admins:        r.list("slack.admins"),
			ClientID:      r.str("slack.client_id"),
			ClientSecret:  r.str("slack.client_secret"),
			PublicURL:     r.url("slack.public_url"),
		},
		Daily: DailyConfig{
			Time:     r.clock("daily.time"),
			Timezone: r.zone("daily.timezone"),
			Days:     r.days("daily.days"),
			CatchUp:  r.duration("daily.catch_up"),
			Channels: r.channels("daily.channels"),
			Lease:    r.positive("daily.lease"),
			Tick:     r.positive("daily.tick"),
		},
		LogLevel:  r.oneOf("log.level", "debug", "info", "warn", "error"),
		LogFormat: r.oneOf("log.format", "text", "json"),
	}
	if r.err != nil {
		return nil, r.err
	}
	return c, c.validate(platforms)
}

// oneLine is an error whose text is that of err on one line.
type oneLine struct{ err error }

func (e oneLine) Error() string { return strings.Join(strings.Fields(e.err.Error()), " ") }
func (e oneLine) Unwrap() error { return e.err }

// validate checks what single keys cannot: combinations; with platforms,
// the platforms' keys too.
func (c *Config) validate(platforms bool) error {
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		return &ConfigError{"http.addr", fmt.Sprintf("%q is not host:port", c.HTTPAddr)}
	}
	if c.StoreDSN == "" && c.StoreDriver != "memory" {
		return &ConfigError{"store.dsn", "is empty"}
	}
	if !platforms {
		return nil
	}
	return c.validatePlatforms()
}

// validatePlatforms checks the platforms' keys, for the commands that use
// them: ask, the console and catalog check need none, and run whatever
// half-set credentials the environment holds.
func (c *Config) validatePlatforms() error {
	d := c.Discord
	if d.ShardID >= d.ShardCount {
		return &ConfigError{"discord.shard_id", fmt.Sprintf("is %d but discord.shard_count is %d: shard ids run from 0 to shard_count-1", d.ShardID, d.ShardCount)}
	}
	if d.On() {
		switch {
		case d.Mode == "gateway" && d.Token == "":
			return &ConfigError{"discord.token", "is empty but discord.mode is gateway (or set discord.mode to http)"}
		case d.Mode == "http" && d.PublicKey == "":
			return &ConfigError{"discord.public_key", "is empty but discord.mode is http"}
		}
	}
	if d.PublicKey != "" {
		if k, err := hexKey(d.PublicKey); err != nil || len(k) != 32 {
			return &ConfigError{"discord.public_key", "is not a 64-digit hex Ed25519 key (copy it from the Developer Portal's General Information page)"}
		}
	}
	s := c.Slack
	if s.On() {
		switch {
		case s.Mode == "socket" && s.AppToken == "":
			return &ConfigError{"slack.app_token", "is empty but slack.mode is socket (or set slack.mode to http)"}
		case s.Mode == "socket" && s.BotToken == "":
			return &ConfigError{"slack.bot_token", "is empty but slack.mode is socket"}
		case s.Mode == "http" && s.SigningSecret == "":
			return &ConfigError{"slack.signing_secret", "is empty but slack.mode is http"}
		}
	}
	if s.AppToken != "" && !strings.HasPrefix(s.AppToken, "xapp-") {
		return &ConfigError{"slack.app_token", "does not start with xapp-: use the app-level token with connections:write"}
	}
	if s.BotToken != "" && !strings.HasPrefix(s.BotToken, "xoxb-") {
		return &ConfigError{"slack.bot_token", "does not start with xoxb-: use the bot user OAuth token"}
	}
	if err := c.validateOAuth(); err != nil {
		return err
	}
	return nil
}

// validateOAuth checks the settings of installs to many Slack workspaces,
// whose tokens are stored sealed with store.encryption_key.
func (c *Config) validateOAuth() error {
	s := c.Slack
	if c.StoreEncryptionKey != "" {
		if _, err := seal.ParseKey(c.StoreEncryptionKey); err != nil {
			return &ConfigError{"store.encryption_key", "is not 32 bytes in base64 or hex: make one with openssl rand -base64 32"}
		}
	}
	if !s.OAuth() {
		if s.ClientSecret != "" {
			return &ConfigError{"slack.client_id", "is empty but slack.client_secret is set: installs through OAuth need both"}
		}
		return nil
	}
	switch {
	case s.Mode != "http":
		return &ConfigError{"slack.mode", "is socket but slack.client_id is set: installs to many workspaces take http"}
	case s.ClientSecret == "":
		return &ConfigError{"slack.client_secret", "is empty but slack.client_id is set (Basic Information → App Credentials)"}
	case s.PublicURL == "":
		return &ConfigError{"slack.public_url", "is empty but slack.client_id is set: it is the https base URL Slack redirects installs to (…/slack/oauth/callback)"}
	case c.StoreEncryptionKey == "":
		return &ConfigError{"store.encryption_key", "is empty but slack.client_id is set: each workspace's token is stored encrypted with it; make one with openssl rand -base64 32"}
	}
	if u, _ := url.Parse(s.PublicURL); u.Scheme != "https" && !loopback(u.Hostname()) {
		return &ConfigError{"slack.public_url", fmt.Sprintf("is %q: Slack redirects installs only to https (http only for localhost)", s.PublicURL)}
	}
	return nil
}

// loopback reports whether host is this machine, where plain http is fine
// for trying installs out.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func hexKey(s string) ([]byte, error) {
	b := make([]byte, len(s)/2)
	for i := range b {
		n, err := strconv.ParseUint(s[2*i:2*i+2], 16, 8)
		if err != nil {
			return nil, err
		}
		b[i] = byte(n)
	}
	if len(s)%2 != 0 {
		return nil, errors.New("odd length")
	}
	return b, nil
}

// reader reads keys, keeping the first error.
type reader struct {
	v   *viper.Viper
	err error
}

func (r *reader) fail(key, format string, args ...any) {
	if r.err == nil {
		r.err = &ConfigError{Key: key, Problem: fmt.Sprintf(format, args...)}
	}
}

func (r *reader) str(key string) string {
	switch x := r.v.Get(key).(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(x)
	case int, int64, float64, bool:
		return fmt.Sprint(x)
	default:
		r.fail(key, "must be a string, not %T", x)
		return ""
	}
}

func (r *reader) oneOf(key string, allowed ...string) string {
	s := strings.ToLower(r.str(key))
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	r.fail(key, "is %q: it must be %s or %s", s, strings.Join(allowed[:len(allowed)-1], ", "), allowed[len(allowed)-1])
	return allowed[0]
}

func (r *reader) integer(key string, minimum int) int {
	s := r.str(key)
	n, err := strconv.Atoi(s)
	if err != nil {
		r.fail(key, "is %q, not a whole number", s)
		return minimum
	}
	if n < minimum {
		r.fail(key, "is %d: it must be at least %d", n, minimum)
		return minimum
	}
	return n
}

func (r *reader) url(key string) string {
	s := r.str(key)
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.fail(key, "is %q, not an http(s) URL", s)
	}
	return strings.TrimRight(s, "/")
}

func (r *reader) duration(key string) time.Duration {
	s := r.str(key)
	if s == "0" {
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		r.fail(key, "is %q, not a duration such as 2h or 30m (0 turns it off)", s)
	}
	return d
}

func (r *reader) positive(key string) time.Duration {
	d := r.duration(key)
	if d <= 0 && r.err == nil {
		r.fail(key, "must be more than 0")
	}
	return d
}

func (r *reader) clock(key string) string {
	s := r.str(key)
	m, err := bot.ParseClock(s)
	if err != nil {
		r.fail(key, "is %q, not a time of day such as 09:00", s)
	}
	return bot.FormatClock(m)
}

func (r *reader) zone(key string) string {
	s := r.str(key)
	if _, err := bot.LoadZone(s); err != nil {
		r.fail(key, "is %q, not an IANA time zone such as Europe/London", s)
	}
	return s
}

// days reads days of the week: "every day", "weekdays", "fri", "mon,wed,fri".
func (r *reader) days(key string) bot.Days {
	s := strings.TrimSpace(r.v.GetString(key))
	d, err := bot.ParseDays(s)
	if err != nil {
		r.fail(key, "is %q: %v", s, err)
	}
	return d
}

// list reads a YAML list, or from the environment a comma- or space-
// separated string.
func (r *reader) list(key string) []string {
	switch x := r.v.Get(key).(type) {
	case nil:
		return nil
	case string:
		return strings.FieldsFunc(x, func(c rune) bool { return c == ',' || c == ' ' })
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, strings.TrimSpace(fmt.Sprint(e)))
		}
		return out
	default:
		r.fail(key, "must be a list, not %T", x)
		return nil
	}
}

// channels reads daily.channels: a YAML list of maps, or from the
// environment a JSON array.
func (r *reader) channels(key string) []DailyChannel {
	raw := r.v.Get(key)
	var data []byte
	switch x := raw.(type) {
	case nil:
		return nil
	case string:
		if strings.TrimSpace(x) == "" {
			return nil
		}
		data = []byte(x)
	default:
		var err error
		if data, err = json.Marshal(normalizeYAML(x)); err != nil {
			r.fail(key, "cannot be read: %v", err)
			return nil
		}
	}
	var entries []json.RawMessage
	if err := json.Unmarshal(data, &entries); err != nil {
		r.fail(key, "must be a list of {platform, channel, time, timezone, days, thread, mention}%s", jsonProblem(err))
		return nil
	}
	out := make([]DailyChannel, len(entries))
	for i, e := range entries {
		dec := json.NewDecoder(strings.NewReader(string(e)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&out[i]); err != nil {
			r.fail(key, "[%d] must be a map of platform, channel, time, timezone, days, thread and mention%s", i, jsonProblem(err))
			return nil
		}
	}
	for i := range out {
		ch := &out[i]
		ch.Platform = strings.ToLower(strings.TrimSpace(ch.Platform))
		switch {
		case ch.Platform != "discord" && ch.Platform != "slack":
			r.fail(key, "[%d]: platform %q must be discord or slack", i, ch.Platform)
		case strings.TrimSpace(ch.Channel) == "":
			r.fail(key, "[%d]: channel is empty", i)
		}
		if ch.Time != "" {
			m, err := bot.ParseClock(ch.Time)
			if err != nil {
				r.fail(key, "[%d]: time %q is not a time of day such as 09:00", i, ch.Time)
			}
			ch.Time = bot.FormatClock(m)
		}
		if ch.Timezone != "" {
			if _, err := bot.LoadZone(ch.Timezone); err != nil {
				r.fail(key, "[%d]: timezone %q is not an IANA time zone", i, ch.Timezone)
			}
		}
		if ch.Days != "" {
			d, err := bot.ParseDays(ch.Days)
			if err != nil {
				r.fail(key, "[%d]: days %q: %v", i, ch.Days, err)
			}
			ch.days = d
		}
	}
	return out
}

// jsonProblem says what is wrong with a value of daily.channels in the
// words of its keys, not of the JSON it goes through on its way from
// config.yaml: ": thread must be true or false".
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te) && te.Field != "":
		want := map[string]string{"bool": "true or false", "string": "text"}[te.Type.Kind().String()]
		if want == "" {
			want = te.Type.String()
		}
		return fmt.Sprintf(": %s must be %s, not %s", te.Field, want, article(te.Value))
	case errors.As(err, &te):
		return fmt.Sprintf(", not %s", article(te.Value))
	case errors.As(err, &se):
		return fmt.Sprintf(": it is not valid JSON at character %d", se.Offset)
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if f, ok := strings.CutPrefix(msg, "unknown field "); ok {
		f = strings.Trim(f, `"`)
		msg = "unknown key " + f
		if s := closest(f, channelKeys); s != "" {
			msg += ": did you mean " + s + "?"
		}
	}
	return ": " + msg
}

// article puts "a" or "an" before a noun.
func article(noun string) string {
	if noun != "" && strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}

// normalizeYAML turns map[any]any, which some YAML decoders produce, into
// map[string]any for JSON.
func normalizeYAML(x any) any {
	switch v := x.(type) {
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[fmt.Sprint(k)] = normalizeYAML(e)
		}
		return m
	case map[string]any:
		for k, e := range v {
			v[k] = normalizeYAML(e)
		}
		return v
	case []any:
		for i, e := range v {
			v[i] = normalizeYAML(e)
		}
		return v
	}
	return x
}

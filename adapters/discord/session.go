package discord

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
)

// SessionConfig says how to reach Discord.
type SessionConfig struct {
	// Token is the bot token. It may be empty in HTTP interactions mode:
	// answering and following up interactions needs no token.
	Token string
	// APIURL, when set, replaces https://discord.com for every REST call
	// (and so for the gateway address lookup): a proxy, or a fake in tests.
	APIURL string
	// ShardID and ShardCount shard the gateway connection (count 0 means 1).
	ShardID, ShardCount int
	// Timeout bounds one REST call (default 20s, discordgo's).
	Timeout time.Duration
}

// NewSession returns a discordgo session configured for the bot: the token
// sent as "Bot …", REST calls sent to APIURL when set, shard id and count for
// the gateway, reconnects on, no state cache and no gateway intents (slash
// commands and buttons arrive whatever the intents).
func NewSession(c SessionConfig) (*discordgo.Session, error) {
	routeDiscordgoLogs()
	token := strings.TrimSpace(c.Token)
	if token != "" && !strings.HasPrefix(token, "Bot ") {
		token = "Bot " + token
	}
	s, err := discordgo.New(token)
	if err != nil {
		return nil, fmt.Errorf("discord: creating the session: %w", err)
	}
	if c.Timeout > 0 {
		s.Client.Timeout = c.Timeout
	}
	if c.APIURL != "" {
		rt, err := newRewriter(c.APIURL, nil)
		if err != nil {
			return nil, err
		}
		s.Client.Transport = rt
	}
	count := max(c.ShardCount, 1)
	if c.ShardID < 0 || c.ShardID >= count {
		return nil, fmt.Errorf("discord: shard id %d is outside 0…%d: set discord.shard_id below discord.shard_count", c.ShardID, count-1)
	}
	s.ShardID, s.ShardCount = c.ShardID, count
	s.ShouldReconnectOnError = true
	s.StateEnabled = false
	s.Identify.Intents = discordgo.IntentsNone
	return s, nil
}

// discordgo logs through a package variable, not through a session.
// NewSession points it, once and before any session exists to read it, at
// discordgoLog, which each Adapter sets to its logger as it runs: so
// discordgo's lines go through slog, and through the redacting logger
// serve sets up. Before any adapter runs they are dropped.
var (
	routeLogs    sync.Once
	discordgoLog atomic.Pointer[slog.Logger]
)

func routeDiscordgoLogs() {
	routeLogs.Do(func() {
		discordgo.Logger = func(level, _ int, format string, args ...any) {
			l := discordgoLog.Load()
			if l == nil {
				return
			}
			lv := slog.LevelDebug
			switch level {
			case discordgo.LogError:
				lv = slog.LevelWarn // its "errors" are mostly reconnects it recovers from
			case discordgo.LogWarning:
				lv = slog.LevelInfo
			}
			msg := fmt.Sprintf(format, args...)
			if strings.HasPrefix(msg, "error unmarshalling INTERACTION_CREATE") {
				// The gateway reads interactions itself (decodeInteraction),
				// whatever discordgo cannot decode of them.
				lv = slog.LevelDebug
			}
			l.Log(context.Background(), lv, "discordgo: "+msg)
		}
	})
}

// rewriter sends requests for discord.com to another base URL. discordgo
// builds every REST URL from package-level endpoint variables; rewriting in
// the transport leaves them alone, so sessions with different bases can live
// in one process.
type rewriter struct {
	base *url.URL
	next http.RoundTripper
}

func newRewriter(base string, next http.RoundTripper) (*rewriter, error) {
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("discord: api url %q is not an http(s) URL: set discord.api_url to a base such as http://127.0.0.1:8090", base)
	}
	if next == nil {
		next = http.DefaultTransport
	}
	return &rewriter{base: u, next: next}, nil
}

func (r *rewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != "discord.com" {
		return r.next.RoundTrip(req)
	}
	out := req.Clone(req.Context())
	u := *req.URL
	u.Scheme = r.base.Scheme
	u.Host = r.base.Host
	u.Path = r.base.Path + req.URL.Path
	if req.URL.RawPath != "" {
		u.RawPath = r.base.Path + req.URL.RawPath
	}
	out.URL = &u
	out.Host = ""
	return r.next.RoundTrip(out)
}

// Package discordtest is a fake Discord served on 127.0.0.1: the REST API
// (gateway lookup, interaction callbacks and webhooks, command registration,
// channel messages, threads started on them) and the gateway websocket
// (HELLO, IDENTIFY, READY, RESUME, heartbeats, INTERACTION_CREATE
// dispatches), speaking Discord's wire protocol so that the real discordgo
// client can be tested against it. Point a session at it with
// discord.api_url (Server.URL); the gateway address it hands out is its own.
//
// Its interactions are a server install's or, with Caller.UserInstall, a
// user install's: authorizing_integration_owners {"1": the user}, a user
// instead of a member outside guilds, context PRIVATE_CHANNEL in a group
// DM (Caller.GroupDM), and the channel object beside channel_id
// (Payload). Where the bot is no member (a group DM, a server only the
// user installed the app in) it refuses the bot's own posts, as Discord
// does, while interaction callbacks and webhooks work. Role options
// resolve to the roles AddRole made. Command registration is held to
// what Discord's docs say: no null arrays, no global-only fields in a
// guild.
//
// It records what the bot sent (callbacks, edits, follow-ups, channel
// messages with their allowed_mentions, threads, registered commands), can
// fail a channel's posts, the threads started on its messages and the posts
// to those threads the way Discord does (404, 403, 429 with Retry-After,
// 500), honours a message's nonce with enforce_nonce as Discord does, can
// lose its answer to a post it took (a reset, an answer after the client's
// timeout), and dispatches interactions to the gateway sessions whose shard
// owns the guild. It is safe for concurrent use, so several bots (replicas,
// shards) can share one.
package discordtest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/industrybot/industrybot/internal/holdgate"
)

// Options configure a Server.
type Options struct {
	// Token is the bot token the fake accepts, without "Bot ". Empty
	// accepts any.
	Token string
	// ApplicationID is the bot's application (and user) id. Default
	// DefaultApplicationID.
	ApplicationID string
	// HeartbeatInterval is what HELLO asks of clients. Default 41.25s, as
	// Discord.
	HeartbeatInterval time.Duration
	// NonceWindow is how long a message's nonce is enforced: another
	// message to the channel with the same nonce and enforce_nonce within
	// it is answered with the first, and not created. Default 5 minutes,
	// Discord's "few".
	NonceWindow time.Duration
}

// DefaultApplicationID is the application id of a Server whose Options name
// none.
const DefaultApplicationID = "700000000000000001"

// Server is a fake Discord.
type Server struct {
	// URL is the base URL of the REST API: set discord.api_url to it.
	URL string
	// GatewayURL is the websocket address /gateway hands out.
	GatewayURL string

	opts Options
	http *httptest.Server
	wg   sync.WaitGroup // gateway connections

	mu           sync.Mutex
	changed      chan struct{} // closed and replaced on every change
	closed       bool
	nextID       uint64
	conns        map[*conn]*session // open connections, and their session once identified
	identifies   []Identify
	heartbeats   int
	resumes      int
	sessions     map[string]*session
	interactions map[string]*record
	byID         map[string]string         // interaction id → token
	channels     map[string]partialChannel // the channel object of each interaction built, by its id
	outsiders    map[string]bool           // channels the bot is not a member of
	roles        map[string]*discordgo.Role
	messages     map[string][]Message
	attempts     map[string]int
	failures     map[string]*Failure
	threads      threads                    // started on messages, and how they fail
	losses       map[string][]holdgate.Loss // answers to lose, per channel, in order
	nonces       map[string]map[string]nonced
	dropped      map[string]int
	commands     map[string][]*discordgo.ApplicationCommand
	commandJSON  map[string]json.RawMessage // the body of the last overwrite, by guild
	overwrites   map[string]int
	requests     []Request
	gate         holdgate.Gate // channel posts wait here while held
	answers      holdgate.Gate // answers to channel posts wait here while held
}

// nonced is a message with an enforced nonce.
type nonced struct {
	msg Message
	at  time.Time
}

// Request is one REST request the fake served.
type Request struct {
	Method string
	Path   string // without the /api/vN prefix
	// Authorized is whether it carried the accepted bot token.
	Authorized bool
	// Authorization is whether it carried any Authorization header.
	Authorization bool
	Status        int
}

// NewServer starts a fake Discord on 127.0.0.1. Close stops it.
func NewServer(opts Options) *Server {
	if opts.ApplicationID == "" {
		opts.ApplicationID = DefaultApplicationID
	}
	if opts.HeartbeatInterval <= 0 {
		opts.HeartbeatInterval = 41250 * time.Millisecond
	}
	if opts.NonceWindow <= 0 {
		opts.NonceWindow = 5 * time.Minute
	}
	s := &Server{
		opts:         opts,
		changed:      make(chan struct{}),
		nextID:       1_100_000_000_000_000_000,
		conns:        map[*conn]*session{},
		sessions:     map[string]*session{},
		interactions: map[string]*record{},
		byID:         map[string]string{},
		channels:     map[string]partialChannel{},
		outsiders:    map[string]bool{},
		roles:        map[string]*discordgo.Role{},
		messages:     map[string][]Message{},
		attempts:     map[string]int{},
		failures:     map[string]*Failure{},
		threads:      newThreads(),
		losses:       map[string][]holdgate.Loss{},
		nonces:       map[string]map[string]nonced{},
		dropped:      map[string]int{},
		commands:     map[string][]*discordgo.ApplicationCommand{},
		commandJSON:  map[string]json.RawMessage{},
		overwrites:   map[string]int{},
	}
	for _, g := range []*holdgate.Gate{&s.gate, &s.answers} {
		g.OnChange(func() {
			s.mu.Lock()
			s.change()
			s.mu.Unlock()
		})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ws/", s.serveGateway)
	mux.HandleFunc("/api/", s.serveREST)
	s.http = httptest.NewServer(mux)
	s.URL = s.http.URL
	s.GatewayURL = "ws" + strings.TrimPrefix(s.http.URL, "http") + "/ws"
	return s
}

// Start starts a fake Discord for a test and stops it when the test ends.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := NewServer(opts)
	tb.Cleanup(s.Close)
	return s
}

// ApplicationID is the bot's application id.
func (s *Server) ApplicationID() string { return s.opts.ApplicationID }

// Close closes every gateway connection and stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.ws.Close()
	}
	s.wg.Wait()
	s.http.Close()
}

// change wakes everyone waiting. s.mu must be held.
func (s *Server) change() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Wait waits until cond, which may call the Server's methods, holds, or ctx
// ends. cond is checked after every change the fake sees.
func (s *Server) Wait(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// id returns a fresh snowflake. s.mu must be held.
func (s *Server) id() string {
	s.nextID++
	return strconv.FormatUint(s.nextID, 10)
}

// Requests returns the REST requests served so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Commands returns the commands last registered in a guild ("" for the
// global ones).
func (s *Server) Commands(guildID string) []*discordgo.ApplicationCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands[guildID])
}

// CommandsJSON returns the body of the last bulk overwrite of a guild's
// commands ("" for the global ones), as the bot sent it.
func (s *Server) CommandsJSON(guildID string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commandJSON[guildID]
}

// Overwrites counts the bulk overwrites of a guild's commands ("" global).
func (s *Server) Overwrites(guildID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.overwrites[guildID]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// apiError writes one of Discord's JSON errors.
func apiError(w http.ResponseWriter, status, code int, message string) {
	writeJSON(w, status, map[string]any{"code": code, "message": message})
}

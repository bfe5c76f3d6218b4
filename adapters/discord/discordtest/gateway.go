package discordtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Gateway opcodes.
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opResume         = 6
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatAck   = 11
)

// Identify is one IDENTIFY a client sent.
type Identify struct {
	Shard   [2]int // [id, count]; [0, 1] when the client sent none
	Intents int
	// Accepted is whether the token was right (a wrong one is closed with
	// 4004).
	Accepted bool
	Session  string // the session id READY gave it
}

// GatewaySession is an identified gateway connection.
type GatewaySession struct {
	ID    string
	Shard [2]int
}

type conn struct {
	ws      *websocket.Conn
	mu      sync.Mutex // writes
	seq     int64
	session string // set by IDENTIFY or RESUME
	shard   [2]int
}

func (c *conn) send(op int, t string, d any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := map[string]any{"op": op, "d": d}
	if op == opDispatch {
		c.seq++
		p["s"], p["t"] = c.seq, t
	}
	c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(p)
}

func (c *conn) close(code int, text string) {
	c.mu.Lock()
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
	c.mu.Unlock()
	c.ws.Close()
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "closed", http.StatusServiceUnavailable)
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &conn{ws: ws}
	s.mu.Lock()
	s.conns[c] = true
	closed := s.closed
	s.mu.Unlock()
	defer func() {
		ws.Close()
		s.mu.Lock()
		delete(s.conns, c)
		s.change()
		s.mu.Unlock()
	}()
	if closed {
		return
	}
	if err := c.send(opHello, "", map[string]any{"heartbeat_interval": s.opts.HeartbeatInterval.Milliseconds()}); err != nil {
		return
	}
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var p struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if json.Unmarshal(data, &p) != nil {
			c.close(4002, "Error while decoding payload.")
			return
		}
		switch p.Op {
		case opHeartbeat:
			s.mu.Lock()
			s.heartbeats++
			s.change()
			s.mu.Unlock()
			if c.send(opHeartbeatAck, "", nil) != nil {
				return
			}
		case opIdentify:
			if !s.identify(c, p.D) {
				return
			}
		case opResume:
			if !s.resume(c, p.D) {
				return
			}
		}
	}
}

func (s *Server) tokenOK(token string) bool {
	token = strings.TrimPrefix(token, "Bot ")
	return token != "" && (s.opts.Token == "" || token == s.opts.Token)
}

func (s *Server) identify(c *conn, d json.RawMessage) bool {
	var id struct {
		Token   string  `json:"token"`
		Shard   *[2]int `json:"shard"`
		Intents int     `json:"intents"`
	}
	if json.Unmarshal(d, &id) != nil {
		c.close(4002, "Error while decoding payload.")
		return false
	}
	rec := Identify{Shard: [2]int{0, 1}, Intents: id.Intents, Accepted: s.tokenOK(id.Token)}
	if id.Shard != nil {
		rec.Shard = *id.Shard
	}
	s.mu.Lock()
	if rec.Accepted {
		rec.Session = "session-" + s.id()
		c.session, c.shard = rec.Session, rec.Shard
		s.sessions[rec.Session] = rec.Shard
	}
	s.identifies = append(s.identifies, rec)
	s.change()
	s.mu.Unlock()
	if !rec.Accepted {
		c.close(4004, "Authentication failed.")
		return false
	}
	if rec.Shard[1] < 1 || rec.Shard[0] < 0 || rec.Shard[0] >= rec.Shard[1] {
		c.close(4010, "Invalid shard.")
		return false
	}
	ready := map[string]any{
		"v":                  9,
		"session_id":         rec.Session,
		"resume_gateway_url": s.GatewayURL,
		"shard":              rec.Shard,
		"user":               map[string]any{"id": s.opts.ApplicationID, "username": "industrybot", "bot": true},
		"application":        map[string]any{"id": s.opts.ApplicationID, "flags": 0},
		"guilds":             []any{},
		"private_channels":   []any{},
	}
	return c.send(opDispatch, "READY", ready) == nil
}

func (s *Server) resume(c *conn, d json.RawMessage) bool {
	var r struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
	}
	json.Unmarshal(d, &r)
	s.mu.Lock()
	shard, ok := s.sessions[r.SessionID]
	ok = ok && s.tokenOK(r.Token)
	if ok {
		c.session, c.shard = r.SessionID, shard
		s.resumes++
		s.change()
	}
	s.mu.Unlock()
	if !ok {
		return c.send(opInvalidSession, "", false) == nil
	}
	return c.send(opDispatch, "RESUMED", map[string]any{}) == nil
}

// Sessions returns the gateway connections that are identified (or
// resumed) and open.
func (s *Server) Sessions() []GatewaySession {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []GatewaySession
	for c := range s.conns {
		if c.session != "" {
			out = append(out, GatewaySession{ID: c.session, Shard: c.shard})
		}
	}
	return out
}

// Identifies returns every IDENTIFY received, in order.
func (s *Server) Identifies() []Identify {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Identify(nil), s.identifies...)
}

// Heartbeats counts the heartbeats received (each was acknowledged).
func (s *Server) Heartbeats() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.heartbeats
}

// Resumes counts the sessions resumed after a dropped connection.
func (s *Server) Resumes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.resumes
}

// DropConnections cuts every gateway connection without a close frame, as
// a network failure would, and returns how many it cut.
func (s *Server) DropConnections() int {
	s.mu.Lock()
	var conns []*conn
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.ws.NetConn().Close()
	}
	return len(conns)
}

// ShardOf returns the shard that receives a guild's events: (guild_id >>
// 22) % shards, as Discord computes it. Direct messages go to shard 0.
func ShardOf(guildID string, shards int) int {
	if guildID == "" || shards <= 1 {
		return 0
	}
	id, err := strconv.ParseUint(guildID, 10, 64)
	if err != nil {
		return 0
	}
	return int((id >> 22) % uint64(shards))
}

// ErrNoSession is returned by Dispatch when no gateway session owns the
// interaction's shard.
var ErrNoSession = errors.New("discordtest: no gateway session owns this interaction's shard")

// Dispatch sends an INTERACTION_CREATE for i to every open session whose
// shard owns i's guild, and returns how many it reached. i must come from
// one of the Server's builders (Command, Button, Autocomplete) or Track.
func (s *Server) Dispatch(i *discordgo.Interaction) (int, error) {
	s.Track(i)
	s.mu.Lock()
	var to []*conn
	for c := range s.conns {
		if c.session != "" && ShardOf(i.GuildID, c.shard[1]) == c.shard[0] {
			to = append(to, c)
		}
	}
	s.mu.Unlock()
	if len(to) == 0 {
		return 0, ErrNoSession
	}
	n := 0
	var errs []error
	for _, c := range to {
		if err := c.send(opDispatch, "INTERACTION_CREATE", i); err != nil {
			errs = append(errs, fmt.Errorf("discordtest: dispatching to %s: %w", c.session, err))
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

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

// GatewaySession is an identified gateway session with an open connection.
type GatewaySession struct {
	ID    string
	Shard [2]int
}

// session is a gateway session: it outlives its connections, keeps its
// sequence, and replays what a connection missed when the client resumes,
// as Discord does.
type session struct {
	id    string
	shard [2]int

	mu     sync.Mutex // orders seq, events and writes
	seq    int64
	events []event
	conn   *conn // the open connection, nil between connections
}

type event struct {
	seq int64
	t   string
	d   json.RawMessage
}

// maxReplay bounds the events a session keeps for resuming.
const maxReplay = 1000

// dispatch assigns the next sequence number to an event, keeps it for
// replay, and sends it on the open connection, if any.
func (ss *session) dispatch(t string, d any) error {
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.seq++
	ev := event{ss.seq, t, b}
	ss.events = append(ss.events, ev)
	if len(ss.events) > maxReplay {
		ss.events = ss.events[len(ss.events)-maxReplay:]
	}
	if ss.conn == nil {
		return nil // replayed on resume
	}
	return ss.conn.write(ev)
}

type conn struct {
	ws *websocket.Conn
	mu sync.Mutex // writes
}

func (c *conn) send(op int, d any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(map[string]any{"op": op, "d": d})
}

func (c *conn) write(ev event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(map[string]any{"op": opDispatch, "s": ev.seq, "t": ev.t, "d": ev.d})
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
	s.conns[c] = nil
	closed := s.closed
	s.mu.Unlock()
	defer func() {
		ws.Close()
		s.mu.Lock()
		if ss := s.conns[c]; ss != nil {
			ss.mu.Lock()
			if ss.conn == c {
				ss.conn = nil
			}
			ss.mu.Unlock()
		}
		delete(s.conns, c)
		s.change()
		s.mu.Unlock()
	}()
	if closed {
		return
	}
	if err := c.send(opHello, map[string]any{"heartbeat_interval": s.opts.HeartbeatInterval.Milliseconds()}); err != nil {
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
			if c.send(opHeartbeatAck, nil) != nil {
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
	validShard := rec.Shard[1] >= 1 && rec.Shard[0] >= 0 && rec.Shard[0] < rec.Shard[1]
	var ss *session
	s.mu.Lock()
	if rec.Accepted && validShard {
		rec.Session = "session-" + s.id()
		ss = &session{id: rec.Session, shard: rec.Shard, conn: c}
		s.sessions[ss.id] = ss
		s.conns[c] = ss
	}
	s.identifies = append(s.identifies, rec)
	s.change()
	s.mu.Unlock()
	switch {
	case !rec.Accepted:
		c.close(4004, "Authentication failed.")
		return false
	case !validShard:
		c.close(4010, "Invalid shard.")
		return false
	}
	ready := map[string]any{
		"v":                  9,
		"session_id":         ss.id,
		"resume_gateway_url": s.GatewayURL,
		"shard":              rec.Shard,
		"user":               map[string]any{"id": s.opts.ApplicationID, "username": "industrybot", "bot": true},
		"application":        map[string]any{"id": s.opts.ApplicationID, "flags": 0},
		"guilds":             []any{},
		"private_channels":   []any{},
	}
	return ss.dispatch("READY", ready) == nil
}

// resume attaches the connection to its session, replays the events after
// the client's sequence, then confirms with RESUMED.
func (s *Server) resume(c *conn, d json.RawMessage) bool {
	var r struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	json.Unmarshal(d, &r)
	s.mu.Lock()
	ss := s.sessions[r.SessionID]
	ok := ss != nil && s.tokenOK(r.Token)
	if ok {
		s.conns[c] = ss
	}
	s.mu.Unlock()
	if !ok {
		return c.send(opInvalidSession, false) == nil
	}
	ss.mu.Lock()
	ss.conn = c
	var err error
	for _, ev := range ss.events {
		if ev.seq > r.Seq && err == nil {
			err = c.write(ev)
		}
	}
	ss.mu.Unlock()
	if err != nil {
		return false
	}
	if err := ss.dispatch("RESUMED", map[string]any{}); err != nil {
		return false
	}
	s.mu.Lock()
	s.resumes++
	s.change()
	s.mu.Unlock()
	return true
}

// Sessions returns the gateway sessions that have an open connection.
func (s *Server) Sessions() []GatewaySession {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []GatewaySession
	for _, ss := range s.sessions {
		ss.mu.Lock()
		open := ss.conn != nil
		ss.mu.Unlock()
		if open {
			out = append(out, GatewaySession{ID: ss.id, Shard: ss.shard})
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
// a network failure would, and returns how many it cut. Clients may
// resume their sessions.
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

// ErrNoSession is returned by Dispatch when no connected gateway session
// owns the interaction's shard.
var ErrNoSession = errors.New("discordtest: no connected gateway session owns this interaction's shard")

// Dispatch sends an INTERACTION_CREATE for i, as Payload writes it, to
// every session with an open connection whose shard owns i's guild, and
// returns how many it reached. An event a connection loses as it drops is
// replayed when the client resumes. i should come from one of the
// Server's builders (Command, Button, Autocomplete), so that the fake
// accepts its answer.
func (s *Server) Dispatch(i *discordgo.Interaction) (int, error) {
	s.Track(i)
	return s.dispatch(i.GuildID, s.Payload(i))
}

// DispatchJSON sends an INTERACTION_CREATE whose data is payload, as it
// is, however little of it discordgo can decode: a sample from Discord's
// docs, say. The fake accepts the answers to it, by its id and token.
func (s *Server) DispatchJSON(payload []byte) (int, error) {
	var head struct {
		ID      string                    `json:"id"`
		AppID   string                    `json:"application_id"`
		Type    discordgo.InteractionType `json:"type"`
		GuildID string                    `json:"guild_id"`
		Token   string                    `json:"token"`
	}
	if err := json.Unmarshal(payload, &head); err != nil {
		return 0, fmt.Errorf("discordtest: not an interaction: %w", err)
	}
	s.Track(&discordgo.Interaction{ID: head.ID, AppID: head.AppID, Type: head.Type, GuildID: head.GuildID, Token: head.Token})
	return s.dispatch(head.GuildID, json.RawMessage(payload))
}

func (s *Server) dispatch(guildID string, payload json.RawMessage) (int, error) {
	s.mu.Lock()
	var to []*session
	for _, ss := range s.sessions {
		ss.mu.Lock()
		open := ss.conn != nil
		ss.mu.Unlock()
		if open && ShardOf(guildID, ss.shard[1]) == ss.shard[0] {
			to = append(to, ss)
		}
	}
	s.mu.Unlock()
	if len(to) == 0 {
		return 0, ErrNoSession
	}
	for _, ss := range to {
		// A write that fails means the connection is going: the event is
		// kept, and replayed when the client resumes.
		if err := ss.dispatch("INTERACTION_CREATE", payload); err != nil && !isWriteErr(err) {
			return 0, fmt.Errorf("discordtest: dispatching to %s: %w", ss.id, err)
		}
	}
	return len(to), nil
}

// isWriteErr tells a failed write from a payload that cannot be encoded.
func isWriteErr(err error) bool {
	var je *json.UnsupportedTypeError
	var jv *json.UnsupportedValueError
	var jm *json.MarshalerError
	return !errors.As(err, &je) && !errors.As(err, &jv) && !errors.As(err, &jm)
}

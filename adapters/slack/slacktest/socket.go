package slacktest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	slackapi "github.com/slack-go/slack"
)

// conn is one Socket Mode client.
type conn struct {
	ws   *websocket.Conn
	wmu  sync.Mutex // gorilla/websocket takes one writer at a time
	done chan struct{}
	// leaving is set, under Server.mu, once the client was asked to
	// reconnect: it may still acknowledge what it has, but no envelope is
	// sent to it any more, as the client is closing it.
	leaving bool
}

func (c *conn) write(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.ws.WriteJSON(v)
}

// serveSocket accepts a Socket Mode client: hello, then pings, envelopes
// on demand, and acknowledgements read back.
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &conn{ws: ws, done: make(chan struct{})}
	s.mu.Lock()
	n := len(s.conns) + 1
	s.mu.Unlock()
	hello := map[string]any{
		"type": "hello", "num_connections": n,
		"debug_info":      map[string]any{"host": "slacktest", "build_number": 1, "approximate_connection_time": 18060},
		"connection_info": map[string]any{"app_id": AppID},
	}
	if err := c.write(hello); err != nil {
		ws.Close()
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ws.Close()
		return
	}
	s.conns = append(s.conns, c)
	s.opened++
	s.wg.Add(2)
	s.changedLocked()
	s.mu.Unlock()
	go s.ping(c)
	go s.read(c)
}

// ping pings a client at once and then every pingEvery, as Slack does.
func (s *Server) ping(c *conn) {
	defer s.wg.Done()
	t := time.NewTicker(s.pingEvery)
	defer t.Stop()
	for {
		if err := c.ws.WriteControl(websocket.PingMessage, []byte("slacktest"), time.Now().Add(5*time.Second)); err != nil {
			return
		}
		select {
		case <-c.done:
			return
		case <-t.C:
		}
	}
}

// read takes a client's acknowledgements until it goes away.
func (s *Server) read(c *conn) {
	defer s.wg.Done()
	defer func() {
		c.ws.Close()
		close(c.done)
		s.mu.Lock()
		s.conns = slices.DeleteFunc(s.conns, func(x *conn) bool { return x == c })
		s.changedLocked()
		s.mu.Unlock()
	}()
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		var a struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal(data, &a); err != nil || a.EnvelopeID == "" {
			continue
		}
		ack := Ack{EnvelopeID: a.EnvelopeID, Payload: a.Payload}
		s.mu.Lock()
		s.acked = append(s.acked, ack)
		if ch, ok := s.acks[a.EnvelopeID]; ok {
			ch <- ack
			delete(s.acks, a.EnvelopeID)
		}
		s.changedLocked()
		s.mu.Unlock()
	}
}

// Ack is a client's acknowledgement of an envelope.
type Ack struct {
	EnvelopeID string
	Payload    json.RawMessage // absent when acknowledged without one
}

// Answer decodes the payload of a slash command's acknowledgement: the
// answer, as it would have been posted to the response URL. ok is false
// when the acknowledgement carries no answer.
func (a Ack) Answer() (r Response, ok bool, err error) {
	if len(a.Payload) == 0 || string(a.Payload) == "null" {
		return Response{}, false, nil
	}
	var body struct {
		ResponseType string          `json:"response_type"`
		Text         string          `json:"text"`
		Blocks       slackapi.Blocks `json:"blocks"`
	}
	if err := json.Unmarshal(a.Payload, &body); err != nil {
		return Response{}, false, fmt.Errorf("slacktest: acknowledgement payload: %w", err)
	}
	return Response{ResponseType: body.ResponseType, Text: body.Text, Blocks: body.Blocks}, true, nil
}

// Acks returns every acknowledgement received, in order.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.acked)
}

// Connections is how many Socket Mode connections were opened, closed ones
// included.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opened
}

// WaitConnected waits until at least n Socket Mode connections were opened
// and one is open and not asked to reconnect.
func (s *Server) WaitConnected(ctx context.Context, n int) error {
	return s.waitFor(ctx, fmt.Sprintf("%d socket mode connections", n), func() bool {
		return s.opened >= n && len(s.liveLocked()) > 0
	})
}

// liveLocked is the connections envelopes may be sent to: open, and not
// asked to reconnect. s.mu must be held.
func (s *Server) liveLocked() []*conn {
	var live []*conn
	for _, c := range s.conns {
		if !c.leaving {
			live = append(live, c)
		}
	}
	return live
}

// SendSlashCommand sends a slash_commands envelope to a connected client
// (the next one in turn when several are) and waits for its
// acknowledgement. Fields left empty get Slack-like values; a new
// ResponseURL among them.
func (s *Server) SendSlashCommand(ctx context.Context, c slackapi.SlashCommand) (Ack, error) {
	s.fillCommand(&c)
	return s.send(ctx, "slash_commands", c, true)
}

// SendInteraction sends an interactive envelope with payload (such as
// BlockActionsPayload) and waits for its acknowledgement.
func (s *Server) SendInteraction(ctx context.Context, payload json.RawMessage) (Ack, error) {
	return s.send(ctx, "interactive", payload, false)
}

// PressButton sends the block_actions envelope of a button press and waits
// for its acknowledgement. An empty ResponseURL gets a new one.
func (s *Server) PressButton(ctx context.Context, p Press) (Ack, error) {
	if p.ResponseURL == "" {
		p.ResponseURL = s.ResponseURL()
	}
	return s.SendInteraction(ctx, BlockActionsPayload(p))
}

// Disconnect asks every connected client to reconnect, as Slack does
// before it recycles a connection. From then on envelopes go only to the
// connections the clients open next: a client closes the old one as soon as
// it reads the request, so an envelope sent there would be lost.
func (s *Server) Disconnect() error {
	s.mu.Lock()
	conns := s.liveLocked()
	for _, c := range conns {
		c.leaving = true
	}
	s.changedLocked()
	s.mu.Unlock()
	var errs []error
	for _, c := range conns {
		errs = append(errs, c.write(map[string]any{"type": "disconnect", "reason": "refresh_requested", "debug_info": map[string]any{"host": "slacktest"}}))
	}
	return errors.Join(errs...)
}

func (s *Server) fillCommand(c *slackapi.SlashCommand) {
	if c.TeamID == "" {
		c.TeamID, c.TeamDomain = TeamID, "slacktest"
	}
	if c.APIAppID == "" {
		c.APIAppID = AppID
	}
	if c.ResponseURL == "" {
		c.ResponseURL = s.ResponseURL()
	}
	if c.TriggerID == "" {
		c.TriggerID = "trigger-" + strconv.FormatInt(time.Now().UnixNano(), 10)
	}
}

// send writes an envelope to the next connected client and waits for the
// acknowledgement with its id.
func (s *Server) send(ctx context.Context, typ string, payload any, acceptsResponse bool) (Ack, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return Ack{}, fmt.Errorf("slacktest: encoding the %s payload: %w", typ, err)
	}
	for {
		if err := s.WaitConnected(ctx, 1); err != nil {
			return Ack{}, err
		}
		s.mu.Lock()
		live := s.liveLocked()
		if len(live) == 0 {
			s.mu.Unlock()
			continue
		}
		c := live[s.next%len(live)]
		s.next++
		s.seq++
		id := "env-" + strconv.Itoa(s.seq)
		ch := make(chan Ack, 1)
		s.acks[id] = ch
		s.mu.Unlock()
		env := map[string]any{
			"type": typ, "envelope_id": id, "payload": json.RawMessage(body),
			"accepts_response_payload": acceptsResponse, "retry_attempt": 0, "retry_reason": "",
		}
		if err := c.write(env); err != nil {
			s.forget(id)
			return Ack{}, fmt.Errorf("slacktest: sending %s envelope %s: %w", typ, id, err)
		}
		select {
		case a := <-ch:
			return a, nil
		case <-ctx.Done():
			s.forget(id)
			return Ack{}, fmt.Errorf("slacktest: no acknowledgement of %s envelope %s: %w", typ, id, ctx.Err())
		}
	}
}

func (s *Server) forget(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.acks, id)
}

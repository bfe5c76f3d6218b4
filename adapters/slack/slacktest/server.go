// Package slacktest is a fake Slack on 127.0.0.1 for tests: the Web API
// methods industrybot calls (auth.test, chat.postMessage with message
// metadata and replies in threads, conversations.history, users.info,
// views.publish, apps.connections.open), OAuth v2 installs of an app to
// many workspaces (the authorize step and oauth.v2.access, with token
// rotation on request), response URLs, a Socket Mode WebSocket that sends
// slash commands and button presses and checks their acknowledgements,
// and the Events API, which it delivers signed to the app's request URL.
// Each workspace has tokens of its own, and every call is answered as the
// workspace of its token. It records what it receives, per channel, fails
// on demand and loses its answers to posts on demand, so real slack-go
// clients can be driven against it.
package slacktest

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/industrybot/industrybot/internal/holdgate"
)

// The tokens the fake accepts unless told otherwise.
const (
	BotToken = "xoxb-1-slacktest-bot-token"
	AppToken = "xapp-1-A0TEST-1-slacktest-app-token"
)

// Identities the fake answers with.
const (
	TeamID    = "T0TEST"
	AppID     = "A0TEST"
	BotUserID = "U0BOT"
)

// Methods, as counted by Calls and failed by Fail.
const (
	MethodAuthTest        = "auth.test"
	MethodPostMessage     = "chat.postMessage"
	MethodHistory         = "conversations.history"
	MethodUsersInfo       = "users.info"
	MethodConnectionsOpen = "apps.connections.open"
	MethodOAuthAccess     = "oauth.v2.access"
	MethodViewsPublish    = "views.publish"
	MethodResponseURL     = "response_url" // posts to a response URL
)

// Server is a fake Slack. It is safe for concurrent use.
type Server struct {
	srv       *httptest.Server
	botToken  string
	appToken  string
	pingEvery time.Duration
	now       func() time.Time // stamps messages

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced on every change
	seq       int
	messages  []Message
	responses []Response
	calls     map[string]int
	byTeam    map[callKey]int // calls per method and workspace, by token
	attempts  map[string]int  // chat.postMessage per channel, failed ones too
	failures  map[failKey][]*Failure
	losses    map[string][]holdgate.Loss // answers to lose, per channel, in order
	users     map[string]User
	conns     []*conn
	opened    int
	next      int                 // round-robin among conns
	acks      map[string]chan Ack // by envelope id, while awaited
	acked     []Ack
	closed    bool
	wg        sync.WaitGroup
	gate      holdgate.Gate // chat.postMessage waits here while held
	answers   holdgate.Gate // answers to chat.postMessage wait here while held

	tokens     map[string]*grant // bot tokens → the workspace they act in
	workspaces map[string]Workspace
	oauth      oauthApp
	views      map[homeKey][]View // published Home tabs, in order
	app        App                // where events and interactions go
	events     int                // event ids given
}

// Option configures a Server.
type Option func(*Server)

// WithTokens sets the bot and app-level tokens the fake accepts.
func WithTokens(bot, app string) Option {
	return func(s *Server) { s.botToken, s.appToken = bot, app }
}

// WithPingInterval sets how often the Socket Mode endpoint pings its
// clients (default 5s; slack-go reconnects after 30s without a ping).
func WithPingInterval(d time.Duration) Option {
	return func(s *Server) { s.pingEvery = d }
}

// WithClock sets the clock that stamps messages (their ts), which
// conversations.history's oldest and latest compare with; default
// time.Now. Tests whose bot runs on a moved clock give it the same one.
func WithClock(now func() time.Time) Option {
	return func(s *Server) { s.now = now }
}

// New starts a fake Slack on 127.0.0.1 and stops it when tb ends.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := Start(opts...)
	tb.Cleanup(s.Close)
	return s
}

// Start starts a fake Slack on 127.0.0.1; Close stops it.
func Start(opts ...Option) *Server {
	s := &Server{
		botToken: BotToken, appToken: AppToken, pingEvery: 5 * time.Second, now: time.Now,
		changed:  make(chan struct{}),
		calls:    map[string]int{},
		byTeam:   map[callKey]int{},
		attempts: map[string]int{},
		failures: map[failKey][]*Failure{},
		losses:   map[string][]holdgate.Loss{},
		users:    map[string]User{},
		acks:     map[string]chan Ack{},
		tokens:   map[string]*grant{},
		workspaces: map[string]Workspace{
			TeamID: {ID: TeamID, Name: "slacktest"},
		},
		oauth: oauthApp{clientID: ClientID, secret: ClientSecret, codes: map[string]*code{}, refresh: map[string]string{}},
		views: map[homeKey][]View{},
	}
	for _, o := range opts {
		o(s)
	}
	s.tokens[s.botToken] = &grant{team: TeamID}
	for _, g := range []*holdgate.Gate{&s.gate, &s.answers} {
		g.OnChange(func() {
			s.mu.Lock()
			s.changedLocked()
			s.mu.Unlock()
		})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/{method}", s.serveAPI)
	mux.HandleFunc("POST /respond/{id}", s.serveResponse)
	mux.HandleFunc("GET /socket", s.serveSocket)
	s.srv = httptest.NewServer(mux)
	return s
}

// Close disconnects every Socket Mode client and stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	conns := slices.Clone(s.conns)
	s.mu.Unlock()
	for _, c := range conns {
		c.ws.Close()
	}
	s.srv.CloseClientConnections()
	s.srv.Close()
	s.wg.Wait()
}

// URL is the base URL of the fake, such as http://127.0.0.1:41234.
func (s *Server) URL() string { return s.srv.URL }

// APIURL is the base URL of the Web API, for slack.OptionAPIURL and the
// slack.api_url setting: URL() + "/api/".
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// ResponseURL returns a new response URL, as Slack gives with every
// command and button press; what is posted to it is recorded as a Response
// whose ID is the last segment of the URL.
func (s *Server) ResponseURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return s.srv.URL + "/respond/R" + strconv.Itoa(s.seq)
}

// User is a workspace member, as users.info answers about them.
type User struct {
	ID   string
	Name string
	Team string // the workspace; default TeamID

	IsAdmin        bool
	IsOwner        bool
	IsPrimaryOwner bool
}

// AddUser makes users.info know a user.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
}

// Failure makes calls of a method fail.
type Failure struct {
	// Error is a Slack error code answered with HTTP 200 and "ok": false,
	// such as channel_not_found, not_in_channel or missing_scope.
	Error string
	// Needed goes with missing_scope: the scope the call needed.
	Needed string
	// Status, when set, answers with this HTTP status instead, such as 500
	// or 429.
	Status int
	// RetryAfter goes with 429: the Retry-After header, in whole seconds.
	RetryAfter time.Duration
	// Times is how many calls fail; 0 fails every call until ClearFailures.
	Times int
}

// Common failures.
var (
	ChannelNotFound = Failure{Error: "channel_not_found"}
	NotInChannel    = Failure{Error: "not_in_channel"}
	IsArchived      = Failure{Error: "is_archived"}
	InvalidAuth     = Failure{Error: "invalid_auth"}
	ServerError     = Failure{Status: http.StatusInternalServerError}
)

// RateLimited is a 429 with a Retry-After.
func RateLimited(retryAfter time.Duration) Failure {
	return Failure{Status: http.StatusTooManyRequests, Error: "ratelimited", RetryAfter: retryAfter}
}

type failKey struct{ method, channel string }

// Fail makes calls of method fail; for a method that names a channel
// (chat.postMessage, conversations.history), only those to channel unless
// channel is "". Failures of one method and channel are
// used in the order they were added.
func (s *Server) Fail(method, channel string, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := failKey{method, channel}
	s.failures[k] = append(s.failures[k], &f)
}

// FailPosts makes chat.postMessage to channel fail.
func (s *Server) FailPosts(channel string, f Failure) { s.Fail(MethodPostMessage, channel, f) }

// replyMethod names the failures of chat.postMessage replies in a thread
// (with thread_ts), which FailReplies adds.
const replyMethod = MethodPostMessage + " thread_ts"

// FailReplies makes chat.postMessage replies in a thread (with thread_ts)
// in channel fail, before any failure FailPosts added: the messages they
// reply to still go out.
func (s *Server) FailReplies(channel string, f Failure) { s.Fail(replyMethod, channel, f) }

// ClearFailures removes the failures of chat.postMessage to channel,
// replies in threads included, or of every method and channel when
// channel is "".
func (s *Server) ClearFailures(channel string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if channel == "" {
		clear(s.failures)
		return
	}
	delete(s.failures, failKey{MethodPostMessage, channel})
	delete(s.failures, failKey{replyMethod, channel})
}

// failure returns the failure for a call, using up one of its Times.
func (s *Server) failure(method, channel string) *Failure {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range []failKey{{method, channel}, {method, ""}} {
		fs := s.failures[k]
		if len(fs) == 0 {
			continue
		}
		f := *fs[0]
		if fs[0].Times > 0 {
			fs[0].Times--
			if fs[0].Times == 0 {
				s.failures[k] = fs[1:]
			}
		}
		return &f
	}
	return nil
}

// Calls counts the calls of a Web API method (MethodPostMessage …),
// failed ones included, or the posts to response URLs (MethodResponseURL).
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

type callKey struct{ method, team string }

// CallsIn counts the calls of a Web API method made with a token of the
// workspace team, failed ones included.
func (s *Server) CallsIn(team, method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byTeam[callKey{method, team}]
}

// Attempts counts the chat.postMessage calls to channel, failed ones
// included.
func (s *Server) Attempts(channel string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts[channel]
}

// changedLocked wakes whoever waits for a change. s.mu must be held.
func (s *Server) changedLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitFor calls cond under the lock until it is true or ctx ends.
func (s *Server) waitFor(ctx context.Context, what string, cond func() bool) error {
	for {
		s.mu.Lock()
		ok := cond()
		ch := s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("slacktest: waiting for %s: %w", what, ctx.Err())
		}
	}
}

// serveAPI answers the Web API methods.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := r.PathValue("method")
	var body []byte
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			apiError(w, "invalid_json")
			return
		}
	} else if err := r.ParseForm(); err != nil {
		apiError(w, "invalid_form_data")
		return
	}
	token := r.PostForm.Get("token")
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		token = bearer
	}
	channel := r.PostForm.Get("channel")
	if method == MethodOAuthAccess { // authenticated by the app's client id and secret
		s.mu.Lock()
		s.calls[method]++
		s.changedLocked()
		s.mu.Unlock()
		if f := s.failure(method, ""); f != nil {
			writeFailure(w, f)
			return
		}
		s.oauthAccess(w, r)
		return
	}
	s.mu.Lock()
	s.calls[method]++
	if method == MethodPostMessage {
		s.attempts[channel]++
	}
	s.changedLocked()
	s.mu.Unlock()

	var team string
	switch {
	case token == "":
		apiError(w, "not_authed")
		return
	case method == MethodConnectionsOpen:
		if token != s.appToken {
			apiError(w, "invalid_auth")
			return
		}
	default:
		var problem string
		if team, problem = s.workspaceOf(token); problem != "" {
			apiError(w, problem)
			return
		}
	}
	s.mu.Lock()
	s.byTeam[callKey{method, team}]++
	s.mu.Unlock()
	if method == MethodPostMessage && r.PostForm.Get("thread_ts") != "" {
		if f := s.failure(replyMethod, channel); f != nil {
			writeFailure(w, f)
			return
		}
	}
	if f := s.failure(method, channel); f != nil {
		writeFailure(w, f)
		return
	}
	switch method {
	case MethodAuthTest:
		s.mu.Lock()
		ws := s.workspaces[team]
		s.mu.Unlock()
		writeJSON(w, map[string]any{"ok": true, "url": "https://" + ws.Name + ".slack.com/", "team": ws.Name, "team_id": team, "user": "industrybot", "user_id": BotUserID, "bot_id": "B0BOT"})
	case MethodPostMessage:
		if s.gate.Pass(r) {
			s.postMessage(w, r, team)
		}
	case MethodViewsPublish:
		s.publishView(w, body, team)
	case MethodHistory:
		s.history(w, r.PostForm)
	case MethodUsersInfo:
		s.mu.Lock()
		u, ok := s.users[r.PostForm.Get("user")]
		s.mu.Unlock()
		if !ok || cmp.Or(u.Team, TeamID) != team {
			apiError(w, "user_not_found")
			return
		}
		writeJSON(w, map[string]any{"ok": true, "user": map[string]any{
			"id": u.ID, "name": u.Name, "team_id": team,
			"is_admin": u.IsAdmin, "is_owner": u.IsOwner, "is_primary_owner": u.IsPrimaryOwner,
		}})
	case MethodConnectionsOpen:
		s.mu.Lock()
		s.seq++
		ticket := s.seq
		s.mu.Unlock()
		ws := "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/socket?ticket=" + strconv.Itoa(ticket)
		writeJSON(w, map[string]any{"ok": true, "url": ws})
	default:
		apiError(w, "unknown_method")
	}
}

// Hold makes chat.postMessage wait, before it delivers anything, until
// release is called. A call whose client has gone by then (its process
// died) delivers nothing, like a request that never arrived.
func (s *Server) Hold() (release func()) { return s.gate.Hold() }

// Held counts the posts waiting at a Hold.
func (s *Server) Held() int { return s.gate.Held() }

// WaitHeld waits until n posts wait at a Hold.
func (s *Server) WaitHeld(ctx context.Context, n int) error {
	return s.waitFor(ctx, fmt.Sprintf("%d held posts", n), func() bool { return s.gate.Held() == n })
}

// HoldAnswers makes chat.postMessage post its message, then wait before
// answering until release is called. Tests of crashes use it to kill a
// process while Slack has its posts and it has not heard so: an answer
// whose client has gone by then goes nowhere.
func (s *Server) HoldAnswers() (release func()) { return s.answers.Hold() }

// HeldAnswers counts the answers waiting at a HoldAnswers.
func (s *Server) HeldAnswers() int { return s.answers.Held() }

// Loss is how the fake loses its answer to a message it posted.
type Loss = holdgate.Loss

// The ways to lose an answer.
const (
	// LoseReset resets the connection instead of answering.
	LoseReset = holdgate.Reset
	// LoseLate answers once the client has given up waiting: after its
	// timeout, so the answer goes nowhere.
	LoseLate = holdgate.Late
)

// LoseAnswers makes the next n chat.postMessage calls to channel post
// their message and lose the answer as l says.
func (s *Server) LoseAnswers(channel string, l Loss, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.losses[channel] = append(s.losses[channel], l)
	}
}

// Message is a message posted with chat.postMessage.
type Message struct {
	Team    string // the workspace of the token it was posted with
	Channel string
	TS      string
	// ThreadTS is the ts of the message this one replies to in its
	// thread, as sent (thread_ts); empty for a message in the channel.
	ThreadTS string
	Text     string // the plain-text fallback
	Blocks   slackapi.Blocks
	Metadata slackapi.SlackMetadata
}

// PlainText is every word the message's blocks show, in order, with mrkdwn
// markup removed.
func (m Message) PlainText() string { return PlainText(m.Blocks) }

// Buttons are the message's buttons, in order.
func (m Message) Buttons() []Button { return Buttons(m.Blocks) }

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request, team string) {
	form := r.PostForm
	m := Message{Team: team, Channel: form.Get("channel"), ThreadTS: form.Get("thread_ts"), Text: form.Get("text")}
	if m.Channel == "" {
		apiError(w, "channel_not_found")
		return
	}
	if raw := form.Get("blocks"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &m.Blocks); err != nil {
			apiError(w, "invalid_blocks_format")
			return
		}
	}
	if raw := form.Get("metadata"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &m.Metadata); err != nil || m.Metadata.EventType == "" {
			apiError(w, "invalid_metadata_format")
			return
		}
	}
	if m.Text == "" && len(m.Blocks.BlockSet) == 0 {
		apiError(w, "no_text")
		return
	}
	s.mu.Lock()
	s.seq++
	m.TS = fmt.Sprintf("%d.%06d", s.now().Unix(), s.seq%1_000_000)
	s.messages = append(s.messages, m)
	var loss holdgate.Loss
	if l := s.losses[m.Channel]; len(l) > 0 {
		loss, s.losses[m.Channel] = l[0], l[1:]
	}
	s.changedLocked()
	s.mu.Unlock()
	if loss != 0 {
		holdgate.Lose(w, r, loss)
		if loss == holdgate.Reset {
			return
		}
	}
	s.answers.Pass(r)
	writeJSON(w, map[string]any{"ok": true, "channel": m.Channel, "ts": m.TS, "message": map[string]any{"type": "message", "text": m.Text, "ts": m.TS, "bot_id": "B0BOT"}})
}

// history answers conversations.history: the channel's messages newest
// first, not the replies in their threads (as Slack, which answers those
// with conversations.replies), between oldest and latest (exclusive unless inclusive), limit a
// page (default 100), with their metadata when include_all_metadata is
// set.
func (s *Server) history(w http.ResponseWriter, form url.Values) {
	channel := form.Get("channel")
	if channel == "" {
		apiError(w, "channel_not_found")
		return
	}
	stamp := func(name string) (float64, bool) {
		v, err := strconv.ParseFloat(form.Get(name), 64)
		return v, err == nil && form.Get(name) != ""
	}
	oldest, hasOldest := stamp("oldest")
	latest, hasLatest := stamp("latest")
	inclusive := form.Get("inclusive") == "1" || form.Get("inclusive") == "true"
	limit, err := strconv.Atoi(form.Get("limit"))
	if err != nil || limit <= 0 {
		limit = 100
	}
	limit = min(limit, 999)
	offset, _ := strconv.Atoi(form.Get("cursor"))
	withMetadata := form.Get("include_all_metadata") == "1" || form.Get("include_all_metadata") == "true"
	s.mu.Lock()
	var in []Message
	for i := len(s.messages) - 1; i >= 0; i-- {
		m := s.messages[i]
		ts, _ := strconv.ParseFloat(m.TS, 64)
		switch {
		case m.Channel != channel:
		case m.ThreadTS != "" && m.ThreadTS != m.TS:
		case hasOldest && (ts < oldest || ts == oldest && !inclusive):
		case hasLatest && (ts > latest || ts == latest && !inclusive):
		default:
			in = append(in, m)
		}
	}
	s.mu.Unlock()
	page := in[min(offset, len(in)):min(offset+limit, len(in))]
	out := make([]map[string]any, 0, len(page))
	for _, m := range page {
		msg := map[string]any{"type": "message", "ts": m.TS, "text": m.Text, "bot_id": "B0BOT", "app_id": AppID}
		if withMetadata && m.Metadata.EventType != "" {
			msg["metadata"] = m.Metadata
		}
		out = append(out, msg)
	}
	next := ""
	if offset+limit < len(in) {
		next = strconv.Itoa(offset + limit)
	}
	writeJSON(w, map[string]any{"ok": true, "messages": out, "has_more": next != "", "pin_count": 0,
		"response_metadata": map[string]any{"next_cursor": next}})
}

// Messages returns the messages posted to channel, in order; all of them
// when channel is "".
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked(channel)
}

func (s *Server) messagesLocked(channel string) []Message {
	var out []Message
	for _, m := range s.messages {
		if channel == "" || m.Channel == channel {
			out = append(out, m)
		}
	}
	return out
}

// Replies returns the replies in the thread of the message of channel
// whose ts is ts, in order.
func (s *Server) Replies(channel, ts string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.Channel == channel && m.ThreadTS == ts && m.TS != ts {
			out = append(out, m)
		}
	}
	return out
}

// Count is how many messages were posted to channel, replies in threads
// included.
func (s *Server) Count(channel string) int { return len(s.Messages(channel)) }

// Counts is how many messages were posted, per channel.
func (s *Server) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for _, m := range s.messages {
		out[m.Channel]++
	}
	return out
}

// WaitMessages waits until at least n messages were posted to channel (to
// any channel when channel is "") and returns them.
func (s *Server) WaitMessages(ctx context.Context, channel string, n int) ([]Message, error) {
	var out []Message
	err := s.waitFor(ctx, fmt.Sprintf("%d messages in %q", n, channel), func() bool {
		out = s.messagesLocked(channel)
		return len(out) >= n
	})
	return out, err
}

// Response is what was posted to a response URL.
type Response struct {
	ID              string // the last segment of the response URL
	ResponseType    string // in_channel or ephemeral
	ReplaceOriginal bool
	DeleteOriginal  bool
	Text            string
	Blocks          slackapi.Blocks
	Raw             []byte // the body as posted
}

// PlainText is every word the response's blocks show, in order.
func (r Response) PlainText() string { return PlainText(r.Blocks) }

// Buttons are the response's buttons, in order.
func (r Response) Buttons() []Button { return Buttons(r.Blocks) }

func (s *Server) serveResponse(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls[MethodResponseURL]++
	s.changedLocked()
	s.mu.Unlock()
	if f := s.failure(MethodResponseURL, ""); f != nil {
		writeFailure(w, f)
		return
	}
	var body struct {
		ResponseType    string          `json:"response_type"`
		ReplaceOriginal bool            `json:"replace_original"`
		DeleteOriginal  bool            `json:"delete_original"`
		Text            string          `json:"text"`
		Blocks          slackapi.Blocks `json:"blocks"`
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil || json.Unmarshal(raw, &body) != nil {
		apiError(w, "invalid_payload")
		return
	}
	resp := Response{ID: r.PathValue("id"), ResponseType: body.ResponseType, ReplaceOriginal: body.ReplaceOriginal,
		DeleteOriginal: body.DeleteOriginal, Text: body.Text, Blocks: body.Blocks, Raw: raw}
	s.mu.Lock()
	s.responses = append(s.responses, resp)
	s.changedLocked()
	s.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true})
}

// Responses returns what was posted to response URLs, in order.
func (s *Server) Responses() []Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.responses)
}

// WaitResponses waits until at least n posts to response URLs were
// received and returns them.
func (s *Server) WaitResponses(ctx context.Context, n int) ([]Response, error) {
	var out []Response
	err := s.waitFor(ctx, fmt.Sprintf("%d responses", n), func() bool {
		out = slices.Clone(s.responses)
		return len(out) >= n
	})
	return out, err
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, code string) {
	writeJSON(w, map[string]any{"ok": false, "error": code})
}

func writeFailure(w http.ResponseWriter, f *Failure) {
	if f.Status == 0 {
		body := map[string]any{"ok": false, "error": f.Error}
		if f.Needed != "" {
			body["needed"] = f.Needed
			body["provided"] = "commands,chat:write"
		}
		writeJSON(w, body)
		return
	}
	if f.Status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", strconv.Itoa(int(f.RetryAfter/time.Second)))
	}
	if f.Error != "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(f.Status)
		json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": f.Error})
		return
	}
	http.Error(w, http.StatusText(f.Status), f.Status)
}

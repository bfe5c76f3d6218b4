package discordtest

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/industrybot/industrybot/internal/holdgate"
)

var apiPrefix = regexp.MustCompile(`^/api/v[0-9]+`)

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) serveREST(w http.ResponseWriter, r *http.Request) {
	path := apiPrefix.ReplaceAllString(r.URL.Path, "")
	auth := r.Header.Get("Authorization")
	authorized := strings.HasPrefix(auth, "Bot ") && s.tokenOK(auth)
	sw := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		apiError(sw, http.StatusBadRequest, 0, "unreadable body")
	} else {
		s.route(sw, r, path, body, authorized)
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: path, Authorized: authorized, Authorization: auth != "", Status: sw.status})
	s.change()
	s.mu.Unlock()
}

func (s *Server) route(w http.ResponseWriter, r *http.Request, path string, body []byte, authorized bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	needAuth := func() bool {
		if !authorized {
			apiError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		}
		return authorized
	}
	m := r.Method
	switch {
	case m == "GET" && path == "/gateway":
		writeJSON(w, 200, map[string]any{"url": s.GatewayURL})
	case m == "GET" && path == "/gateway/bot":
		if needAuth() {
			writeJSON(w, 200, map[string]any{"url": s.GatewayURL, "shards": 1,
				"session_start_limit": map[string]any{"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}})
		}
	case m == "GET" && path == "/oauth2/applications/@me":
		if needAuth() {
			writeJSON(w, 200, map[string]any{"id": s.opts.ApplicationID, "name": "industrybot", "bot_public": true})
		}
	case len(parts) == 4 && parts[0] == "interactions" && parts[3] == "callback" && m == "POST":
		s.callback(w, parts[1], parts[2], body)
	case len(parts) >= 3 && parts[0] == "webhooks":
		s.webhook(w, r, parts[1:], body)
	case len(parts) == 3 && parts[0] == "channels" && parts[2] == "messages" && m == "POST":
		if needAuth() && s.gate.Pass(r) {
			s.postMessage(w, r, parts[1], body)
		}
	case len(parts) == 5 && parts[0] == "channels" && parts[2] == "messages" && parts[4] == "threads" && m == "POST":
		if needAuth() {
			s.startThread(w, parts[1], parts[3], body)
		}
	case len(parts) >= 3 && parts[0] == "applications" && parts[len(parts)-1] == "commands":
		if !needAuth() {
			return
		}
		guild := ""
		if len(parts) == 5 && parts[2] == "guilds" {
			guild = parts[3]
		} else if len(parts) != 3 {
			apiError(w, 404, 0, "404: Not Found")
			return
		}
		if parts[1] != s.opts.ApplicationID {
			apiError(w, http.StatusForbidden, 50001, "Missing Access")
			return
		}
		s.commandsRoute(w, m, guild, body)
	default:
		apiError(w, http.StatusNotFound, 0, "404: Not Found")
	}
}

func (s *Server) commandsRoute(w http.ResponseWriter, method, guild string, body []byte) {
	switch method {
	case "GET":
		s.mu.Lock()
		cmds := s.commands[guild]
		s.mu.Unlock()
		if cmds == nil {
			cmds = []*discordgo.ApplicationCommand{}
		}
		writeJSON(w, 200, cmds)
	case "PUT":
		var cmds []*discordgo.ApplicationCommand
		if err := json.Unmarshal(body, &cmds); err != nil {
			apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body: "+err.Error())
			return
		}
		msg := checkCommands(cmds)
		if msg == "" {
			msg = checkCommandFields(body, guild != "")
		}
		if msg != "" {
			apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body: "+msg)
			return
		}
		s.mu.Lock()
		for _, c := range cmds {
			c.ID, c.ApplicationID, c.GuildID, c.Version = s.id(), s.opts.ApplicationID, guild, s.id()
		}
		s.commands[guild] = cmds
		s.commandJSON[guild] = json.RawMessage(body)
		s.overwrites[guild]++
		s.change()
		s.mu.Unlock()
		writeJSON(w, 200, cmds)
	default:
		apiError(w, http.StatusMethodNotAllowed, 0, "405: Method Not Allowed")
	}
}

var commandName = regexp.MustCompile(`^[-_\p{L}\p{N}]{1,32}$`)

// checkCommands applies the limits Discord checks on a bulk overwrite.
func checkCommands(cmds []*discordgo.ApplicationCommand) string {
	if len(cmds) > 100 {
		return "more than 100 commands"
	}
	var check func(where string, opts []*discordgo.ApplicationCommandOption) string
	check = func(where string, opts []*discordgo.ApplicationCommandOption) string {
		if len(opts) > 25 {
			return where + ": more than 25 options"
		}
		for _, o := range opts {
			w := where + "." + o.Name
			switch {
			case !commandName.MatchString(o.Name) || strings.ToLower(o.Name) != o.Name:
				return w + ": invalid name"
			case o.Description == "" || len([]rune(o.Description)) > 100:
				return w + ": description must be 1-100 characters"
			case o.Autocomplete && len(o.Choices) > 0:
				return w + ": autocomplete and choices are exclusive"
			case len(o.Choices) > 25:
				return w + ": more than 25 choices"
			}
			if msg := check(w, o.Options); msg != "" {
				return msg
			}
		}
		return ""
	}
	for _, c := range cmds {
		switch {
		case !commandName.MatchString(c.Name) || strings.ToLower(c.Name) != c.Name:
			return c.Name + ": invalid name"
		case c.Description == "" || len([]rune(c.Description)) > 100:
			return c.Name + ": description must be 1-100 characters"
		}
		if msg := check(c.Name, c.Options); msg != "" {
			return msg
		}
	}
	return ""
}

// checkCommandFields applies what Discord's docs say of the fields of a
// command, which discordgo's types cannot tell apart: options, choices and
// channel_types are arrays when present, never null; contexts,
// integration_types and the deprecated dm_permission are "only for
// globally-scoped commands"; PRIVATE_CHANNEL (2) is a context only with
// USER_INSTALL (1) among the integration types.
func checkCommandFields(body []byte, guild bool) string {
	var cmds []map[string]json.RawMessage
	if err := json.Unmarshal(body, &cmds); err != nil {
		return err.Error()
	}
	var nulls func(where string, opts json.RawMessage) string
	nulls = func(where string, raw json.RawMessage) string {
		var opts []map[string]json.RawMessage
		json.Unmarshal(raw, &opts)
		for _, o := range opts {
			var name string
			json.Unmarshal(o["name"], &name)
			w := where + "." + name
			for _, f := range []string{"options", "choices", "channel_types"} {
				if v, ok := o[f]; ok && string(v) == "null" {
					return w + "." + f + ": must be an array, not null"
				}
			}
			if msg := nulls(w, o["options"]); msg != "" {
				return msg
			}
		}
		return ""
	}
	for _, c := range cmds {
		var name string
		json.Unmarshal(c["name"], &name)
		if v, ok := c["options"]; ok && string(v) == "null" {
			return name + ".options: must be an array, not null"
		}
		if msg := nulls(name, c["options"]); msg != "" {
			return msg
		}
		for _, f := range []string{"contexts", "integration_types", "dm_permission"} {
			if _, ok := c[f]; ok && guild {
				return name + "." + f + ": only for globally-scoped commands"
			}
		}
		var contexts, types []int
		json.Unmarshal(c["contexts"], &contexts)
		json.Unmarshal(c["integration_types"], &types)
		if slices.Contains(contexts, int(discordgo.InteractionContextPrivateChannel)) && len(types) > 0 && !slices.Contains(types, int(discordgo.ApplicationIntegrationUserInstall)) {
			return name + ".contexts: PRIVATE_CHANNEL needs USER_INSTALL in integration_types"
		}
	}
	return ""
}

// Failure is how the fake fails a channel's posts.
type Failure struct {
	Status  int    // HTTP status
	Code    int    // Discord's JSON error code
	Message string // Discord's JSON error message
	// RetryAfter, for a 429, goes into the Retry-After header (whole
	// seconds, rounded up) and the body's retry_after (seconds, exact).
	RetryAfter time.Duration
	// Global, for a 429, says the limit is the bot's global one, not the
	// channel's route: "global": true and X-RateLimit-Global.
	Global bool
	// Times is how many posts fail before the channel works again; 0
	// fails every post until ClearFailure.
	Times int
}

// UnknownChannel is Discord's answer for a channel that does not exist.
func UnknownChannel() Failure {
	return Failure{Status: http.StatusNotFound, Code: 10003, Message: "Unknown Channel"}
}

// MissingAccess is Discord's answer when the bot cannot see the channel.
func MissingAccess() Failure {
	return Failure{Status: http.StatusForbidden, Code: 50001, Message: "Missing Access"}
}

// MissingPermissions is Discord's answer when the bot may not post there.
func MissingPermissions() Failure {
	return Failure{Status: http.StatusForbidden, Code: 50013, Message: "Missing Permissions"}
}

// RateLimited is Discord's 429 asking to wait d.
func RateLimited(d time.Duration) Failure {
	return Failure{Status: http.StatusTooManyRequests, Message: "You are being rate limited.", RetryAfter: d}
}

// GlobalRateLimited is Discord's 429 for the bot's global limit.
func GlobalRateLimited(d time.Duration) Failure {
	f := RateLimited(d)
	f.Global = true
	return f
}

// ServerError is a Discord outage.
func ServerError() Failure {
	return Failure{Status: http.StatusInternalServerError, Message: "500: Internal Server Error"}
}

// FailChannel makes posts to a channel fail with f.
func (s *Server) FailChannel(channelID string, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[channelID] = &f
}

// ClearFailure makes posts to a channel work again.
func (s *Server) ClearFailure(channelID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.failures, channelID)
}

// Message is a message the bot posted to a channel.
type Message struct {
	ID        string
	ChannelID string
	Nonce     string // as sent, a JSON string or number
	Content   string
	Embeds    []*discordgo.MessageEmbed
	Buttons   []Button // every button, row by row
	Flags     discordgo.MessageFlags
	// AllowedMentions is the message's allowed_mentions as sent: whom it
	// may ping. nil when the message sent none, which lets Discord ping
	// everyone its content mentions.
	AllowedMentions *discordgo.MessageAllowedMentions
	// JSON is the body the bot sent.
	JSON json.RawMessage
}

// Button is a button of a message.
type Button struct {
	Label    string `json:"label"`
	CustomID string `json:"custom_id"`
	Style    int    `json:"style"`
	URL      string `json:"url"`
}

// wireMessage is what the fake reads of a message body.
type wireMessage struct {
	Nonce        json.RawMessage           `json:"nonce"`
	EnforceNonce bool                      `json:"enforce_nonce"`
	Content      string                    `json:"content"`
	Embeds       []*discordgo.MessageEmbed `json:"embeds"`
	Flags        discordgo.MessageFlags    `json:"flags"`
	// AllowedMentions is a pointer so that a body without it reads as nil.
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	Components      []struct {
		Type       int      `json:"type"`
		Components []Button `json:"components"`
	} `json:"components"`
}

func parseMessage(body []byte) (Message, error) {
	var wm wireMessage
	if err := json.Unmarshal(body, &wm); err != nil {
		return Message{}, err
	}
	m := Message{Content: wm.Content, Embeds: wm.Embeds, Flags: wm.Flags, AllowedMentions: wm.AllowedMentions, JSON: json.RawMessage(body)}
	if len(wm.Nonce) > 0 && string(wm.Nonce) != "null" {
		var text string
		if json.Unmarshal(wm.Nonce, &text) != nil {
			text = string(wm.Nonce) // a number
		}
		m.Nonce = text
	}
	for _, row := range wm.Components {
		m.Buttons = append(m.Buttons, row.Components...)
	}
	return m, nil
}

// enforcesNonce reports whether a message body asks for its nonce to be
// enforced.
func enforcesNonce(body []byte) bool {
	var wm wireMessage
	return json.Unmarshal(body, &wm) == nil && wm.EnforceNonce
}

// Hold makes channel-message posts wait, before they deliver anything,
// until release is called. A post whose client has gone by then (its
// process died) delivers nothing, like a request that never arrived.
func (s *Server) Hold() (release func()) { return s.gate.Hold() }

// Held counts the posts waiting at a Hold.
func (s *Server) Held() int { return s.gate.Held() }

// HoldAnswers makes channel-message posts create their message, then wait
// before answering until release is called. Tests of crashes use it to
// kill a process while Discord has its posts and it has not heard so: an
// answer whose client has gone by then goes nowhere.
func (s *Server) HoldAnswers() (release func()) { return s.answers.Hold() }

// HeldAnswers counts the answers waiting at a HoldAnswers.
func (s *Server) HeldAnswers() int { return s.answers.Held() }

// Loss is how the fake loses its answer to a message it created.
type Loss = holdgate.Loss

// The ways to lose an answer.
const (
	// LoseReset resets the connection instead of answering.
	LoseReset = holdgate.Reset
	// LoseLate answers once the client has given up waiting: after its
	// timeout, so the answer goes nowhere.
	LoseLate = holdgate.Late
)

// LoseAnswers makes the next n posts to a channel create their message
// and lose the answer as l says.
func (s *Server) LoseAnswers(channelID string, l Loss, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.losses[channelID] = append(s.losses[channelID], l)
	}
}

// Dropped counts the posts to a channel answered with an earlier message
// of the same nonce instead of being created (enforce_nonce).
func (s *Server) Dropped(channelID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped[channelID]
}

// messageJSON is the message object Discord answers a post with.
func messageJSON(m Message, appID string) map[string]any {
	out := map[string]any{
		"id": m.ID, "channel_id": m.ChannelID, "content": m.Content, "embeds": m.Embeds, "flags": m.Flags,
		"type": 0, "timestamp": time.Now().UTC().Format(time.RFC3339),
		"author": map[string]any{"id": appID, "username": "industrybot", "bot": true},
	}
	if m.Nonce != "" {
		out["nonce"] = m.Nonce
	}
	return out
}

// postMessage creates a message, as Discord does: a nonce with
// enforce_nonce that the channel saw from the bot within the nonce window
// answers with that message instead.
func (s *Server) postMessage(w http.ResponseWriter, r *http.Request, channel string, body []byte) {
	s.mu.Lock()
	s.attempts[channel]++
	fail, failed := take(s.failures, channel)
	if t, ok := s.threads.byID[channel]; ok && !failed {
		fail, failed = take(s.threads.postFailures, t.ParentID)
	}
	if s.outsiders[channel] {
		fail, failed = MissingAccess(), true
	}
	s.change()
	s.mu.Unlock()
	if failed {
		writeFailure(w, fail)
		return
	}
	m, err := parseMessage(body)
	enforce := enforcesNonce(body)
	if err != nil {
		apiError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	if m.Content == "" && len(m.Embeds) == 0 {
		apiError(w, http.StatusBadRequest, 50006, "Cannot send an empty message")
		return
	}
	if len(m.Nonce) > 25 {
		apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body: nonce: Must be 25 or fewer in length.")
		return
	}
	now := time.Now()
	s.mu.Lock()
	if prev, ok := s.nonces[channel][m.Nonce]; ok && enforce && m.Nonce != "" && now.Sub(prev.at) < s.opts.NonceWindow {
		m = prev.msg
		s.dropped[channel]++
	} else {
		m.ID, m.ChannelID = s.id(), channel
		s.messages[channel] = append(s.messages[channel], m)
		if enforce && m.Nonce != "" {
			if s.nonces[channel] == nil {
				s.nonces[channel] = map[string]nonced{}
			}
			s.nonces[channel][m.Nonce] = nonced{m, now}
		}
	}
	var loss holdgate.Loss
	if l := s.losses[channel]; len(l) > 0 {
		loss, s.losses[channel] = l[0], l[1:]
	}
	s.change()
	s.mu.Unlock()
	if loss != 0 {
		holdgate.Lose(w, r, loss)
		if loss == holdgate.Reset {
			return
		}
	}
	s.answers.Pass(r)
	writeJSON(w, 200, messageJSON(m, s.opts.ApplicationID))
}

// Messages returns the messages posted to a channel, in order.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages[channelID]...)
}

// MessageCount counts the messages posted to a channel.
func (s *Server) MessageCount(channelID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.messages[channelID])
}

// MessageCounts counts the messages posted, by channel.
func (s *Server) MessageCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.messages))
	for ch, ms := range s.messages {
		out[ch] = len(ms)
	}
	return out
}

// Attempts counts the posts to a channel, failed ones included.
func (s *Server) Attempts(channelID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts[channelID]
}

func (s *Server) String() string { return fmt.Sprintf("discordtest.Server(%s)", s.URL) }

// take returns the failure waiting for key in fs, using up one of its
// Times. s.mu must be held.
func take(fs map[string]*Failure, key string) (Failure, bool) {
	f := fs[key]
	if f == nil {
		return Failure{}, false
	}
	fail := *f
	if f.Times > 0 {
		if f.Times--; f.Times == 0 {
			delete(fs, key)
		}
	}
	return fail, true
}

// writeFailure answers as Discord does with f: a 429 with its Retry-After
// and scope, anything else as a JSON error.
func writeFailure(w http.ResponseWriter, f Failure) {
	if f.Status == http.StatusTooManyRequests {
		secs := f.RetryAfter.Seconds()
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
		if f.Global {
			w.Header().Set("X-RateLimit-Global", "true")
			w.Header().Set("X-RateLimit-Scope", "global")
		} else {
			w.Header().Set("X-RateLimit-Scope", "user")
		}
		writeJSON(w, f.Status, map[string]any{"message": f.Message, "retry_after": secs, "global": f.Global})
		return
	}
	apiError(w, f.Status, f.Code, f.Message)
}

package slack

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	slackapi "github.com/slack-go/slack"
)

// Commands returns the handler of slash commands sent over HTTP
// (POST /slack/commands). Every request must be signed with the signing
// secret (401 with no detail otherwise); a body over MaxBody gets 413 and
// a signed body that is not a slash command 400. The answer is the
// response itself when it is ready within the ack budget, else an empty
// 200 followed by a post to the response_url.
func (a *Adapter) Commands() http.Handler {
	return a.signed(func(w http.ResponseWriter, r *http.Request, form url.Values) {
		if form.Get("ssl_check") == "1" { // Slack checking the certificate
			w.WriteHeader(http.StatusOK)
			return
		}
		c := commandFromForm(form)
		if c.Command == "" || c.ChannelID == "" || c.UserID == "" {
			http.Error(w, "not a slash command: command, channel_id and user_id are required", http.StatusBadRequest)
			return
		}
		msg, deferred := a.answerCommand(r.Context(), c, func() { ackEmpty(w) })
		if !deferred {
			writeJSON(w, msg)
		}
	})
}

// Interactions returns the handler of button presses sent over HTTP
// (POST /slack/interactions), checked like Commands. A press is
// acknowledged at once with an empty 200; its answer goes to the
// response_url.
func (a *Adapter) Interactions() http.Handler {
	return a.signed(func(w http.ResponseWriter, r *http.Request, form url.Values) {
		payload := form.Get("payload")
		if payload == "" {
			http.Error(w, "no payload", http.StatusBadRequest)
			return
		}
		var ic slackapi.InteractionCallback
		if err := json.Unmarshal([]byte(payload), &ic); err != nil {
			http.Error(w, "payload is not an interaction", http.StatusBadRequest)
			return
		}
		a.answerPress(r.Context(), ic) // counted by Drain before Slack hears back
		w.WriteHeader(http.StatusOK)
	})
}

// signed reads a request's body within the size limit, checks its
// signature and parses it as a form before calling next.
func (a *Adapter) signed(next func(http.ResponseWriter, *http.Request, url.Values)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.maxBody))
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "cannot read the request body", http.StatusBadRequest)
			return
		}
		if err := Verify(r.Header, body, a.secret, a.now()); err != nil {
			a.log.Info("slack: refused a request", "path", r.URL.Path, "remote", r.RemoteAddr, "reason", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			http.Error(w, "the body is not a form", http.StatusBadRequest)
			return
		}
		next(w, r, form)
	})
}

func commandFromForm(f url.Values) slackapi.SlashCommand {
	return slackapi.SlashCommand{
		TeamID:      f.Get("team_id"),
		TeamDomain:  f.Get("team_domain"),
		ChannelID:   f.Get("channel_id"),
		ChannelName: f.Get("channel_name"),
		UserID:      f.Get("user_id"),
		UserName:    f.Get("user_name"),
		Command:     f.Get("command"),
		Text:        f.Get("text"),
		ResponseURL: f.Get("response_url"),
		TriggerID:   f.Get("trigger_id"),
		APIAppID:    f.Get("api_app_id"),
	}
}

// ackEmpty acknowledges a command at once with an empty 200, complete
// (its length said, and flushed), while the handler goes on to answer at
// the response_url. It closes the connection: net/http reads no next
// request on it until the handler returns, and a client that reused it
// would wait for this command.
func ackEmpty(w http.ResponseWriter) {
	w.Header().Set("Content-Length", "0")
	w.Header().Set("Connection", "close")
	w.WriteHeader(http.StatusOK)
	_ = http.NewResponseController(w).Flush() // a client gone is no matter: the answer goes to the response_url
}

func writeJSON(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "cannot encode the answer", http.StatusInternalServerError)
		return
	}
	// With its length known, net/http sends the answer in one piece
	// instead of chunked, which costs both ends a write and a read more.
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

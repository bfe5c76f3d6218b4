package slack

import (
	"encoding/json"
	"errors"
	"net/http"

	slackapi "github.com/slack-go/slack"

	"github.com/industrybot/industrybot/internal/httpbody"
)

// RoutePrefix holds the HTTP routes of ModeHTTP: CommandsPath,
// InteractionsPath, EventsPath, and with Installs InstallPath and
// OAuthCallbackPath.
const RoutePrefix = "/slack/"

// Handler serves the HTTP routes of ModeHTTP, under RoutePrefix: slash
// commands (POST CommandsPath), button presses (POST InteractionsPath),
// the Events API (POST EventsPath) and, with Installs, "Add to Slack"
// (GET InstallPath) and the redirect back from Slack (GET
// OAuthCallbackPath). It is nil in Socket Mode.
func (a *Adapter) Handler() http.Handler { return a.web }

// routes returns the handler of the HTTP routes.
func (a *Adapter) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST "+CommandsPath, a.commands())
	mux.Handle("POST "+InteractionsPath, a.interactions())
	mux.Handle("POST "+EventsPath, a.events())
	if a.inst != nil {
		mux.HandleFunc("GET "+InstallPath, a.inst.serveInstall)
		mux.HandleFunc("GET "+OAuthCallbackPath, a.inst.serveCallback)
	}
	return mux
}

// commands returns the handler of slash commands sent over HTTP
// (POST /slack/commands). Every request must be signed with the signing
// secret (401 with no detail otherwise); a body over MaxCommandBody gets
// 413 and a signed body that is not a slash command 400. The answer is the
// response itself when it is ready within the ack budget, else an empty
// 200 followed by a post to the response_url.
func (a *Adapter) commands() http.Handler {
	return a.signed(MaxCommandBody, func(w http.ResponseWriter, r *http.Request, form form) {
		if form.Get("ssl_check") == "1" { // Slack checking the certificate
			w.WriteHeader(http.StatusOK)
			return
		}
		c := commandFromForm(form)
		if c.Command == "" || c.ChannelID == "" || c.UserID == "" {
			http.Error(w, "not a slash command: command, channel_id and user_id are required", http.StatusBadRequest)
			return
		}
		_, body, deferred, err := a.answerCommand(r.Context(), c, func() {
			_ = httpbody.Ack(w) // a client gone is no matter: the answer goes to the response_url
		})
		switch {
		case err != nil:
			a.log.Error("slack: answering a command failed", "command", c.Command, "err", err)
			http.Error(w, "internal error: cannot encode the answer", http.StatusInternalServerError)
		case !deferred:
			_ = httpbody.WriteEncoded(w, body, false)
		}
	})
}

// interactions returns the handler of button presses sent over HTTP
// (POST /slack/interactions), checked like commands. A press is
// acknowledged at once with an empty 200; its answer goes to the
// response_url.
func (a *Adapter) interactions() http.Handler {
	return a.signed(MaxInteractionBody, func(w http.ResponseWriter, r *http.Request, form form) {
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

// Body limits of the routes, sized to what Slack sends. A slash command
// is a form of a dozen short fields and the text typed after the command
// (a kilobyte or two; 64 KiB leaves room for a long paste, which the core
// then refuses with a reason). A button press carries the whole message
// the button is on, and one of the bot's messages holds up to 50 blocks of
// 3,000 characters.
const (
	MaxCommandBody     = 64 << 10
	MaxInteractionBody = 256 << 10
)

// signed checks a request's signature headers, then reads its body within
// limit and checks the signature over it, and parses the body as a form
// before calling next. Nothing of the body is read for a request whose
// headers are missing, malformed or stale: those get 401 at once, like a
// bad signature.
func (a *Adapter) signed(limit int64, next func(http.ResponseWriter, *http.Request, form)) http.Handler {
	return a.signedBody(limit, func(w http.ResponseWriter, r *http.Request, body []byte) {
		form, err := parseForm(string(body))
		if err != nil {
			http.Error(w, "the body is not a form", http.StatusBadRequest)
			return
		}
		next(w, r, form)
	})
}

// signedBody checks a request's signature as signed does, and calls next
// with its body.
func (a *Adapter) signedBody(limit int64, next func(http.ResponseWriter, *http.Request, []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sig, err := signature(r.Header, a.now())
		if err != nil {
			a.refuse(w, r, err)
			return
		}
		body, err := a.bodies.Read(w, r, limit, signedPrefix(r.Header), func(signed []byte) error {
			return a.mac.check(sig, signed)
		})
		switch {
		case errors.Is(err, errBadSignature):
			a.refuse(w, r, err)
			return
		case err != nil:
			httpbody.Error(w, err)
			return
		}
		next(w, r, body)
	})
}

// refuse answers a request that is not signed as Slack signs: 401, no
// detail. The reason is logged at debug level only: anyone can send such
// requests, as fast as they like, and industrybot_http_requests_total
// counts them by route and code.
func (a *Adapter) refuse(w http.ResponseWriter, r *http.Request, why error) {
	a.log.Debug("slack: refused a request", "path", r.URL.Path, "remote", r.RemoteAddr, "reason", why)
	w.WriteHeader(http.StatusUnauthorized)
}

func commandFromForm(f form) slackapi.SlashCommand {
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

		EnterpriseID:        f.Get("enterprise_id"),
		EnterpriseName:      f.Get("enterprise_name"),
		IsEnterpriseInstall: f.Get("is_enterprise_install") == "true",
	}
}

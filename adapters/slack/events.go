package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// EventsPath is the Events API request URL of HTTP mode.
const EventsPath = "/slack/events"

// MaxEventBody bounds an event's body: app_home_opened carries the Home
// tab last published, up to 100 blocks.
const MaxEventBody = 512 << 10

// The events the app subscribes to (the manifest's bot_events):
// uninstalls, and the Home tab being opened.
const (
	eventAppUninstalled = "app_uninstalled"
	eventTokensRevoked  = "tokens_revoked"
	eventAppHomeOpened  = "app_home_opened"
)

// botEvents are the manifest's bot_events.
var botEvents = []string{eventAppHomeOpened, eventAppUninstalled, eventTokensRevoked}

// envelope is what the Events API POSTs, as Slack documents it; slack-go's
// slackevents refuses an envelope whose inner event it does not know and
// answers url_verification with a field Slack does not read.
type envelope struct {
	Type           string          `json:"type"` // url_verification, event_callback, app_rate_limited
	Challenge      string          `json:"challenge"`
	TeamID         string          `json:"team_id"`
	EnterpriseID   string          `json:"enterprise_id"`
	EventID        string          `json:"event_id"`
	Event          json.RawMessage `json:"event"`
	Authorizations []struct {
		TeamID              string `json:"team_id"`
		EnterpriseID        string `json:"enterprise_id"`
		IsEnterpriseInstall bool   `json:"is_enterprise_install"`
	} `json:"authorizations"`
}

// tenant is the installation an event is for, as Slack's SDKs read it: the
// organisation's for an org-wide install, else the workspace's.
func (e envelope) tenant() (team, enterprise string, orgWide bool) {
	team, enterprise = e.TeamID, e.EnterpriseID
	if len(e.Authorizations) > 0 {
		au := e.Authorizations[0]
		team, enterprise, orgWide = cmpOr(au.TeamID, team), cmpOr(au.EnterpriseID, enterprise), au.IsEnterpriseInstall
	}
	return team, enterprise, orgWide
}

// event is an inner event, the fields of those the app handles.
type event struct {
	Type    string `json:"type"`
	User    string `json:"user"`
	Channel string `json:"channel"`
	Tab     string `json:"tab"`
	Tokens  struct {
		OAuth []string `json:"oauth"`
		Bot   []string `json:"bot"`
	} `json:"tokens"`
}

// events returns the handler of the Events API (POST EventsPath), signed
// like the other routes. url_verification is answered with its challenge.
// An event is handled once: Slack sends an event again
// (X-Slack-Retry-Num) when it did not hear back within 3 seconds, and an
// event already received is only acknowledged, with an empty 200. An
// uninstall is done before the answer, being a few writes to the store,
// so that Slack hears back once the token is gone; the Home tab is
// published after it. An event the app does not handle is acknowledged
// all the same, never refused: a refusal would be retried.
func (a *Adapter) events() http.Handler {
	return a.signedBody(MaxEventBody, func(w http.ResponseWriter, r *http.Request, body []byte) {
		var env envelope
		if err := json.Unmarshal(body, &env); err != nil {
			http.Error(w, "not an Events API payload", http.StatusBadRequest)
			return
		}
		switch env.Type {
		case "url_verification":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Write([]byte(env.Challenge))
			return
		case "event_callback":
		case "app_rate_limited":
			a.log.Warn("slack: Slack is holding back events: more than 30,000 an hour for a workspace", "team", env.TeamID)
			w.WriteHeader(http.StatusOK)
			return
		default:
			w.WriteHeader(http.StatusOK)
			return
		}
		var ev event
		if json.Unmarshal(env.Event, &ev) != nil {
			w.WriteHeader(http.StatusOK)
			return
		}
		if !a.seen.first(env.EventID, a.now()) {
			a.log.Debug("slack: an event received before; acknowledged only", "event", ev.Type, "event_id", env.EventID, "retry", r.Header.Get("X-Slack-Retry-Num"))
			w.WriteHeader(http.StatusOK)
			return
		}
		if ev.Type == eventAppUninstalled || ev.Type == eventTokensRevoked {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), followUpTimeout)
			defer cancel()
			a.event(ctx, env, ev)
		} else {
			a.later(func() {
				ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), followUpTimeout)
				defer cancel()
				a.event(ctx, env, ev)
			})
		}
		w.WriteHeader(http.StatusOK)
	})
}

// event handles one event after it was acknowledged.
func (a *Adapter) event(ctx context.Context, env envelope, ev event) {
	team, enterprise, orgWide := env.tenant()
	tenant := team
	if orgWide && enterprise != "" {
		tenant = enterprise
	}
	switch ev.Type {
	case eventAppUninstalled, eventTokensRevoked:
		if ev.Type == eventTokensRevoked && len(ev.Tokens.Bot) == 0 {
			return // user tokens only: the app keeps none
		}
		if a.inst == nil {
			a.log.Warn("slack: the app was uninstalled from the workspace, or its bot token revoked: slack.bot_token no longer works", "team", team, "event", ev.Type)
			return
		}
		if _, err := a.inst.uninstall(ctx, tenant); err != nil {
			a.log.Error("slack: forgetting a workspace that uninstalled the app failed", "tenant", tenant, "event", ev.Type, "err", err)
		}
	case eventAppHomeOpened:
		if ev.Tab != "" && ev.Tab != "home" {
			return
		}
		ws, err := a.workspace(ctx, team, enterprise, orgWide)
		if err != nil {
			a.log.Warn("slack: the Home tab of a workspace the app cannot act in", "team", team, "err", err)
			return
		}
		a.publishHome(ctx, ws, ev.User, nil)
	}
}

// eventLog remembers the ids of the events received lately, so that
// Slack's retries of one are not handled again.
type eventLog struct {
	mu  sync.Mutex
	ids map[string]time.Time
}

// Slack retries an event three times within about six minutes.
const (
	eventMemory = time.Hour
	maxEvents   = 100_000
)

func newEventLog() *eventLog { return &eventLog{ids: map[string]time.Time{}} }

// first reports whether id is new, recording it. An event with no id is
// always new.
func (l *eventLog) first(id string, now time.Time) bool {
	if id == "" {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if at, ok := l.ids[id]; ok && now.Sub(at) < eventMemory {
		return false
	}
	if len(l.ids) >= maxEvents {
		for k, at := range l.ids {
			if now.Sub(at) >= eventMemory {
				delete(l.ids, k)
			}
		}
		if len(l.ids) >= maxEvents {
			clear(l.ids)
		}
	}
	l.ids[id] = now
	return true
}

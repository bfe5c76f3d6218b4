package slacktest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	slackapi "github.com/slack-go/slack"
)

// App is where the fake sends what Slack sends an app over HTTP: events
// and, for presses in a Home tab, interactions; each signed with
// SigningSecret at the fake's clock.
type App struct {
	EventsURL       string // the Events API request URL, such as …/slack/events
	InteractionsURL string // the interactivity request URL, such as …/slack/interactions
	SigningSecret   string
}

// SetApp tells the fake where the app's request URLs are.
func (s *Server) SetApp(a App) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.app = a
}

// Delivery is one event the fake sent, and the app's answer: send it
// again with Retry, as Slack retries an event it deems unanswered.
type Delivery struct {
	EventID string
	Body    []byte // the envelope, as sent
	Status  int    // the app's answer
	Answer  []byte
	Header  http.Header
}

// SendEvent delivers an event_callback of workspace team to the app's
// EventsURL: event is the inner event ({"type": "app_uninstalled"} …),
// wrapped as Slack wraps it, with a new event_id and the authorizations
// of the app's bot in the workspace.
func (s *Server) SendEvent(ctx context.Context, team string, event map[string]any) (Delivery, error) {
	s.mu.Lock()
	s.events++
	id := "Ev" + strconv.Itoa(s.events) + "SLACKTEST"
	ws := s.workspaces[team]
	now := s.now()
	s.mu.Unlock()
	if _, ok := event["event_ts"]; !ok {
		event["event_ts"] = fmt.Sprintf("%d.%06d", now.Unix(), s.events)
	}
	auth := map[string]any{"enterprise_id": nilIfEmpty(ws.Enterprise), "team_id": team, "user_id": BotUserID, "is_bot": true, "is_enterprise_install": false}
	envelope := map[string]any{
		"token": "verification-token-unused", "team_id": team, "api_app_id": AppID, "event": event,
		"type": "event_callback", "event_id": id, "event_time": now.Unix(),
		"authorizations": []any{auth}, "is_ext_shared_channel": false,
	}
	if ws.Enterprise != "" {
		envelope["enterprise_id"] = ws.Enterprise
	}
	body, err := json.Marshal(envelope)
	if err != nil {
		return Delivery{}, err
	}
	return s.deliver(ctx, Delivery{EventID: id, Body: body}, 0)
}

// SendRawEvent delivers body, any envelope, to the app's EventsURL as
// Slack would: for url_verification, and for payloads published by Slack.
func (s *Server) SendRawEvent(ctx context.Context, body []byte) (Delivery, error) {
	return s.deliver(ctx, Delivery{Body: body}, 0)
}

// Retry sends a delivery again as Slack's retry number n (1 to 3), with
// X-Slack-Retry-Num and X-Slack-Retry-Reason.
func (s *Server) Retry(ctx context.Context, d Delivery, n int) (Delivery, error) {
	return s.deliver(ctx, Delivery{EventID: d.EventID, Body: d.Body}, n)
}

func (s *Server) deliver(ctx context.Context, d Delivery, retry int) (Delivery, error) {
	s.mu.Lock()
	app, now := s.app, s.now()
	s.mu.Unlock()
	if app.EventsURL == "" {
		return d, errors.New("slacktest: no EventsURL: SetApp first")
	}
	req, err := SignedRequest(ctx, app.EventsURL, app.SigningSecret, now, d.Body)
	if err != nil {
		return d, err
	}
	req.Header.Set("Content-Type", "application/json")
	if retry > 0 {
		req.Header.Set("X-Slack-Retry-Num", strconv.Itoa(retry))
		req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return d, err
	}
	defer resp.Body.Close()
	d.Status, d.Header = resp.StatusCode, resp.Header
	d.Answer, err = io.ReadAll(resp.Body)
	return d, err
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Uninstall uninstalls the app from workspace team, as Slack does: its
// tokens are revoked, then tokens_revoked and app_uninstalled are
// delivered. It fails unless the app answers both with a 2xx.
func (s *Server) Uninstall(ctx context.Context, team string) error {
	s.Revoke(team)
	for _, ev := range []map[string]any{
		{"type": "tokens_revoked", "tokens": map[string]any{"bot": []string{BotUserID}}},
		{"type": "app_uninstalled"},
	} {
		d, err := s.SendEvent(ctx, team, ev)
		if err != nil {
			return err
		}
		if d.Status/100 != 2 {
			return fmt.Errorf("slacktest: %s answered %d: %s", ev["type"], d.Status, d.Answer)
		}
	}
	return nil
}

// homeKey names a user's Home tab in a workspace.
type homeKey struct{ team, user string }

// View is a Home tab published with views.publish.
type View struct {
	ID              string
	Hash            string
	Blocks          slackapi.Blocks
	PrivateMetadata string
	CallbackID      string
}

// PlainText is every word the view's blocks show, in order.
func (v View) PlainText() string { return PlainText(v.Blocks) }

// Buttons are the view's buttons, in order.
func (v View) Buttons() []Button { return Buttons(v.Blocks) }

// OpenHome is user opening the app's Home tab in workspace team: an
// app_home_opened event, with the view last published for them if any.
func (s *Server) OpenHome(ctx context.Context, team, user string) (Delivery, error) {
	ev := map[string]any{"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home"}
	if v, ok := s.Home(team, user); ok {
		ev["view"] = map[string]any{"id": v.ID, "team_id": team, "type": "home", "blocks": v.Blocks, "private_metadata": v.PrivateMetadata,
			"callback_id": v.CallbackID, "hash": v.Hash, "app_id": AppID, "app_installed_team_id": team, "bot_id": "B0BOT"}
	}
	return s.SendEvent(ctx, team, ev)
}

// Home returns the Home tab last published for user in workspace team.
func (s *Server) Home(team, user string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	vs := s.views[homeKey{team, user}]
	if len(vs) == 0 {
		return View{}, false
	}
	return vs[len(vs)-1], true
}

// WaitHome waits until n Home tabs were published for user in workspace
// team and returns the last.
func (s *Server) WaitHome(ctx context.Context, team, user string, n int) (View, error) {
	var v View
	err := s.waitFor(ctx, fmt.Sprintf("%d Home tabs of %s in %s", n, user, team), func() bool {
		vs := s.views[homeKey{team, user}]
		if len(vs) < n {
			return false
		}
		v = vs[len(vs)-1]
		return true
	})
	return v, err
}

// publishView answers views.publish: a Home tab for a user, at most 100
// blocks, replacing the one before unless hash names another.
func (s *Server) publishView(w http.ResponseWriter, body []byte, team string) {
	var req struct {
		UserID string          `json:"user_id"`
		Hash   string          `json:"hash"`
		View   json.RawMessage `json:"view"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.UserID == "" || len(req.View) == 0 {
		apiError(w, "invalid_arguments")
		return
	}
	var view struct {
		Type            string          `json:"type"`
		Blocks          json.RawMessage `json:"blocks"`
		PrivateMetadata string          `json:"private_metadata"`
		CallbackID      string          `json:"callback_id"`
	}
	if err := json.Unmarshal(req.View, &view); err != nil || view.Type != "home" {
		apiError(w, "invalid_arguments")
		return
	}
	var blocks slackapi.Blocks
	if bytes.Equal(bytes.TrimSpace(view.Blocks), []byte("null")) || json.Unmarshal(view.Blocks, &blocks) != nil ||
		len(blocks.BlockSet) == 0 || len(blocks.BlockSet) > 100 {
		apiError(w, "invalid_blocks")
		return
	}
	if len(view.PrivateMetadata) > 3000 {
		apiError(w, "invalid_arguments")
		return
	}
	s.mu.Lock()
	k := homeKey{team, req.UserID}
	prev := s.views[k]
	if req.Hash != "" && len(prev) > 0 && prev[len(prev)-1].Hash != req.Hash {
		s.mu.Unlock()
		apiError(w, "hash_conflict")
		return
	}
	s.seq++
	v := View{ID: cmp.Or(viewID(prev), "V"+strconv.Itoa(s.seq)), Hash: fmt.Sprintf("%d.%d", s.now().Unix(), s.seq),
		Blocks: blocks, PrivateMetadata: view.PrivateMetadata, CallbackID: view.CallbackID}
	s.views[k] = append(prev, v)
	s.changedLocked()
	s.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "view": map[string]any{"id": v.ID, "team_id": team, "type": "home", "hash": v.Hash,
		"blocks": v.Blocks, "private_metadata": v.PrivateMetadata, "callback_id": v.CallbackID, "app_id": AppID, "bot_id": "B0BOT"}})
}

// viewID is the id of a user's Home tab, which stays across publishes.
func viewID(prev []View) string {
	if len(prev) == 0 {
		return ""
	}
	return prev[0].ID
}

// PressHome is user pressing the button labelled label in their Home tab
// in workspace team: a block_actions payload from a view, which carries
// no channel, message or response_url, sent to the app's
// InteractionsURL. It returns the app's status.
func (s *Server) PressHome(ctx context.Context, team, user, label string) (int, error) {
	v, ok := s.Home(team, user)
	if !ok {
		return 0, fmt.Errorf("slacktest: no Home tab published for %s in %s", user, team)
	}
	var btn *Button
	for _, b := range v.Buttons() {
		if b.Label == label {
			btn = &b
			break
		}
	}
	if btn == nil {
		return 0, fmt.Errorf("slacktest: no %q button in the Home tab of %s among %+v", label, user, v.Buttons())
	}
	s.mu.Lock()
	ws, app, now := s.workspaces[team], s.app, s.now()
	s.seq++
	n := s.seq
	s.mu.Unlock()
	teamObj := map[string]any{"id": team, "domain": ws.Name}
	payload := map[string]any{
		"type": "block_actions", "team": teamObj, "api_app_id": AppID, "token": "verification-token-unused",
		"user":       map[string]any{"id": user, "username": user, "name": user, "team_id": team},
		"container":  map[string]any{"type": "view", "view_id": v.ID},
		"trigger_id": "trigger-home-" + strconv.Itoa(n),
		"view": map[string]any{"id": v.ID, "team_id": team, "type": "home", "blocks": v.Blocks, "private_metadata": v.PrivateMetadata,
			"callback_id": v.CallbackID, "hash": v.Hash, "state": map[string]any{"values": map[string]any{}},
			"app_id": AppID, "app_installed_team_id": team, "bot_id": "B0BOT"},
		"actions": []any{map[string]any{
			"type": "button", "action_id": btn.ActionID, "block_id": btn.BlockID, "value": btn.Value,
			"text":      map[string]any{"type": "plain_text", "text": btn.Label, "emoji": true},
			"action_ts": fmt.Sprintf("%d.%06d", now.Unix(), n),
		}},
		"state": map[string]any{"values": map[string]any{}}, "is_enterprise_install": false, "enterprise": nil,
	}
	if ws.Enterprise != "" {
		teamObj["enterprise_id"] = ws.Enterprise
		payload["enterprise"] = map[string]any{"id": ws.Enterprise, "name": "Enterprise " + ws.Enterprise}
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return 0, err
	}
	req, err := SignedRequest(ctx, app.InteractionsURL, app.SigningSecret, now, []byte(InteractionForm(raw).Encode()))
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

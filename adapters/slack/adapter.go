// Package slack connects the bot to Slack: slash commands and buttons over
// Socket Mode or signed HTTP requests, answered with Block Kit; in HTTP
// mode the Events API, an App Home tab and OAuth v2 installs to many
// workspaces, each with its own token; a poster for scheduled messages;
// and the app manifest.
package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/internal/httpbody"
	"github.com/industrybot/industrybot/internal/inflight"
	"github.com/industrybot/industrybot/internal/rendered"
	"github.com/industrybot/industrybot/internal/slowpath"
)

// Modes: how Slack reaches the bot.
const (
	ModeSocket = "socket" // Socket Mode: the bot dials out, no public URL
	ModeHTTP   = "http"   // Slack POSTs signed requests to a public URL
)

// Defaults of Config.
const (
	// defaultAckWithin is how long a command may take to be answered in the
	// acknowledgement itself; a slower answer is acknowledged empty and sent
	// to the response_url when ready. Slack allows 3 seconds.
	defaultAckWithin = 2 * time.Second
	// DefaultAdminTTL is how long a users.info answer about a user being an
	// admin is trusted.
	DefaultAdminTTL = 5 * time.Minute
	// followUpTimeout bounds the work on one answer sent to a response_url.
	followUpTimeout = 30 * time.Second
	// maxRetries is how often a follow-up or a users.info lookup is retried
	// after a 429.
	maxRetries = 2
	// maxRetryWait is the longest Retry-After a follow-up waits for.
	maxRetryWait = 10 * time.Second
)

// Config is what an Adapter needs. Handler is required; the tokens and the
// signing secret are those of the mode.
type Config struct {
	Handler bot.Handler
	Logger  *slog.Logger // default: discard

	Mode          string   // ModeSocket (default) or ModeHTTP
	BotToken      string   // xoxb-…: users.info for /daily admins; required in Socket Mode
	AppToken      string   // xapp-… with connections:write: Socket Mode
	SigningSecret string   // HTTP mode: checks every request
	APIURL        string   // base URL of the Web API; default https://slack.com/api/
	Admins        []string // user ids that may manage /daily besides workspace admins and owners

	// Installs, in HTTP mode, serves installs to many workspaces through
	// OAuth v2 (InstallPath, OAuthCallbackPath) and gives each request
	// its workspace's token; the core knows the channels of those
	// workspaces as ChannelKey(tenant, channel). BotToken, when set too,
	// serves the requests of workspaces with no installation, their
	// channels keyed by their bare ids as without Installs.
	Installs *Installs
	// Daily, when set, gives the App Home what it shows of the daily
	// picks.
	Daily Daily

	HTTPClient *http.Client     // default: a client with a 30s timeout
	Now        func() time.Time // default: time.Now
	AckWithin  time.Duration    // default: 2s, within Slack's 3
	AdminTTL   time.Duration    // default: DefaultAdminTTL
	// Bodies reads the bodies of HTTP requests, a bounded number at a
	// time; share one between every route of a server. Default: an
	// httpbody.Reader of the adapter's own.
	Bodies *httpbody.Reader
}

// Adapter answers Slack's slash commands and button presses with the bot.
// One Adapter serves one mode: Run keeps its Socket Mode connection, or
// Handler serves the HTTP routes.
type Adapter struct {
	h      bot.Handler
	log    *slog.Logger
	mode   string
	secret string
	apiURL string
	appTok string
	botTok string
	client *http.Client
	api    *slackapi.Client // the Web API with the bot token; nil without one
	opts   []slackapi.Option
	inst   *Installs
	daily  Daily
	seen   *eventLog
	admins []string
	cache  *adminCache
	now    func() time.Time
	ack    time.Duration
	bodies *httpbody.Reader
	mac    *mac         // ModeHTTP: checks the signatures
	web    http.Handler // ModeHTTP: the routes
	// answers keeps the encoded answers of replies with a Key, for the
	// next command answered with the same reply.
	answers *rendered.Cache

	// sleep waits before a retry; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error

	connected atomic.Bool
	pending   inflight.Counter // answers being sent in the background
}

// New returns an Adapter, or an error naming what the configuration lacks.
func New(c Config) (*Adapter, error) {
	if c.Handler == nil {
		return nil, errors.New("slack: no handler")
	}
	a := &Adapter{
		h: c.Handler, log: c.Logger, mode: c.Mode, secret: c.SigningSecret,
		appTok: c.AppToken, botTok: c.BotToken, client: c.HTTPClient,
		admins: slices.Clone(c.Admins), now: c.Now, ack: c.AckWithin, bodies: c.Bodies,
		apiURL: APIURL(c.APIURL), sleep: sleepCtx, inst: c.Installs, daily: c.Daily, seen: newEventLog(),
		answers: rendered.New(0),
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.mode == "" {
		a.mode = ModeSocket
	}
	if a.client == nil {
		a.client = &http.Client{Timeout: 30 * time.Second}
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.ack <= 0 {
		a.ack = defaultAckWithin
	}
	if a.bodies == nil {
		a.bodies = httpbody.New(0)
	}
	ttl := c.AdminTTL
	if ttl <= 0 {
		ttl = DefaultAdminTTL
	}
	a.cache = newAdminCache(ttl)
	switch a.mode {
	case ModeSocket:
		if a.inst != nil {
			return nil, errors.New("slack: installs to many workspaces (slack.client_id) take HTTP mode: set slack.mode to http")
		}
		if a.appTok == "" {
			return nil, errors.New("slack: Socket Mode needs an app-level token (slack.app_token, xapp-…)")
		}
		if a.botTok == "" {
			return nil, errors.New("slack: Socket Mode needs a bot token (slack.bot_token, xoxb-…)")
		}
	case ModeHTTP:
		if a.secret == "" {
			return nil, errors.New("slack: HTTP mode needs the signing secret (slack.signing_secret)")
		}
		a.mac = newMAC(a.secret)
		a.web = a.routes()
	default:
		return nil, fmt.Errorf("slack: mode %q is neither %s nor %s", a.mode, ModeSocket, ModeHTTP)
	}
	a.opts = []slackapi.Option{
		slackapi.OptionAPIURL(a.apiURL),
		slackapi.OptionHTTPClient(a.client),
		slackapi.OptionLog(slog.NewLogLogger(a.log.Handler(), slog.LevelDebug)),
	}
	if a.botTok != "" {
		a.api = slackapi.New(a.botTok, a.opts...)
	}
	return a, nil
}

// APIURL returns the base URL of the Web API as slack-go wants it, with a
// trailing slash: Slack's own for "".
func APIURL(base string) string {
	if base == "" {
		return slackapi.APIURL
	}
	return strings.TrimRight(base, "/") + "/"
}

// Run keeps the adapter working until ctx ends. In Socket Mode it holds the
// connection to Slack, reconnecting as Slack asks; in HTTP mode the routes
// do the work and Run only checks the bot token. Either way it then waits
// (up to inflight.DrainTime) for answers still being sent. It returns an
// error only when Slack refuses a token: retrying cannot help until it is
// replaced.
func (a *Adapter) Run(ctx context.Context) error {
	if err := a.checkBotToken(ctx); err != nil {
		return err
	}
	var err error
	if a.mode == ModeSocket {
		err = a.runSocket(ctx)
	} else {
		<-ctx.Done()
	}
	if derr := a.pending.Drain(ctx); derr != nil {
		a.log.Warn("slack: answers still being sent at shutdown were abandoned", "err", derr)
	}
	return err
}

// Ready reports whether the adapter can take commands: in Socket Mode,
// whether the connection is up.
func (a *Adapter) Ready(context.Context) error {
	if a.mode == ModeSocket && !a.connected.Load() {
		return errors.New("slack socket mode is not connected")
	}
	return nil
}

// Drain waits until every answer being sent to a response_url is sent, or
// ctx ends. Run drains as it returns; a server that serves Handler without
// Run calls it.
func (a *Adapter) Drain(ctx context.Context) error { return a.pending.Wait(ctx) }

// checkBotToken asks auth.test whether the bot token works, so that a wrong
// one stops the start with a message instead of failing every /daily.
// Slack being unreachable is only logged.
func (a *Adapter) checkBotToken(ctx context.Context) error {
	if a.api == nil {
		return nil
	}
	_, err := a.api.AuthTestContext(ctx)
	if err == nil || ctx.Err() != nil {
		return nil
	}
	if isAuthError(err) {
		return fmt.Errorf("slack.bot_token was refused by Slack (%v): copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page, reinstalling the app if it was revoked", scrub(err, a.botTok, a.appTok))
	}
	a.log.Warn("slack: could not check the bot token; going on", "err", scrub(err, a.botTok, a.appTok))
	return nil
}

func isAuthError(err error) bool {
	var se slackapi.SlackErrorResponse
	if !errors.As(err, &se) {
		return false
	}
	switch se.Err {
	case "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "not_allowed_token_type":
		return true
	}
	return false
}

// command answers a slash command. The text after the command goes to the
// core as it was typed, for it to read, and to answer what it cannot read
// (a command it does not know, a kind that is neither film nor tv) as it
// does everywhere.
func (a *Adapter) command(ctx context.Context, c slackapi.SlashCommand) bot.Reply {
	name := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(c.Command), "/"))
	ws, err := a.workspace(ctx, c.TeamID, c.EnterpriseID, c.IsEnterpriseInstall)
	if err != nil {
		return a.unserved(err, c.TeamID)
	}
	req := bot.Request{
		Platform: bot.Slack,
		Channel:  ws.channel(c.ChannelID),
		User:     bot.User{ID: c.UserID, Name: c.UserName},
		Command:  name,
		Text:     c.Text,
	}
	if name == bot.CmdDaily {
		req.User.Admin = a.isAdmin(ctx, ws, c.UserID)
	}
	if a.log.Enabled(ctx, slog.LevelDebug) { // the arguments alone would cost every command three allocations
		a.log.Debug("slack: command", "command", name, "channel", req.Channel, "user", c.UserID)
	}
	return a.h.Handle(ctx, req)
}

// press answers a button. It returns ok false for a press that is not one
// of the bot's buttons, and replace true when the answer should take the
// place of the message the button is on ("Another" on an answer) rather
// than follow it. A daily post stays: it belongs to the whole channel.
func (a *Adapter) press(ctx context.Context, ic slackapi.InteractionCallback) (reply bot.Reply, replace, ok bool) {
	if ic.Type != slackapi.InteractionTypeBlockActions {
		return bot.Reply{}, false, false
	}
	for _, act := range ic.ActionCallback.BlockActions {
		req, err := bot.ParseAction(act.Value)
		if err != nil {
			continue
		}
		team, enterprise, orgWide := pressTeam(ic)
		ws, err := a.workspace(ctx, team, enterprise, orgWide)
		if err != nil {
			return a.unserved(err, ic.Team.ID), false, true
		}
		channel := ic.Channel.ID
		if channel == "" {
			channel = ic.Container.ChannelID
		}
		req.Platform, req.Channel, req.User = bot.Slack, ws.channel(channel), bot.User{ID: ic.User.ID, Name: userName(ic.User)}
		a.log.Debug("slack: button", "command", req.Command, "channel", req.Channel, "user", ic.User.ID)
		r := a.h.Handle(ctx, req)
		return r, r.Replace, true
	}
	return bot.Reply{}, false, false
}

func userName(u slackapi.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Profile.DisplayName
}

// pressTeam is the workspace and organisation of a button press, as
// Slack's SDKs read them: the team's, else the user's; the enterprise's,
// else the team's.
func pressTeam(ic slackapi.InteractionCallback) (team, enterprise string, orgWide bool) {
	team = ic.Team.ID
	if team == "" {
		team = ic.View.AppInstalledTeamID
	}
	if team == "" {
		team = ic.User.TeamID
	}
	enterprise = ic.Enterprise.ID
	if enterprise == "" {
		enterprise = ic.Team.EnterpriseID
	}
	return team, enterprise, ic.IsEnterpriseInstall
}

// answerCommand runs a command on this goroutine. An answer ready within
// the ack budget is returned with its encoding for the acknowledgement to
// carry: the encoding kept for the reply's Key when there is one. A slower one
// is acknowledged empty at the budget, by ack on a timer's goroutine, and
// sent to the command's response_url when it is ready; so is an answer
// whose request went away meanwhile, and one too long for one message,
// whose parts then follow each other in order. Either way deferred is true
// and the caller has nothing more to send.
func (a *Adapter) answerCommand(ctx context.Context, c slackapi.SlashCommand, ack func()) (r bot.Reply, body []byte, deferred bool, err error) {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), followUpTimeout)
	defer cancel()
	r, slow := slowpath.Run(a.ack, func() bot.Reply { return a.command(wctx, c) }, ack)
	now := !slow && ctx.Err() == nil
	if body, ok := a.answers.Get(r.Key); now && ok {
		return r, body, false, nil
	}
	msgs := Messages(r)
	if now && len(msgs) == 1 {
		body, err := json.Marshal(msgs[0])
		if err != nil {
			return r, nil, false, fmt.Errorf("encoding the answer: %w", err)
		}
		a.answers.Put(r.Key, body)
		return r, body, false, nil
	}
	switch {
	case slow:
		a.log.Info("slack: answer not ready in time; it goes to the response_url", "command", c.Command, "within", a.ack)
	case ctx.Err() != nil:
		a.log.Info("slack: the command's request went away; the answer goes to the response_url", "command", c.Command)
	default:
		ack()
	}
	if wctx.Err() != nil {
		a.log.Warn("slack: a command ran past its time", "command", c.Command, "timeout", followUpTimeout)
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), followUpTimeout)
	defer cancel()
	for _, m := range msgs {
		if !a.respond(rctx, c.ResponseURL, m, false) {
			break
		}
	}
	return r, nil, true, nil
}

// answerPress handles a button press after it has been acknowledged: the
// answer goes to the response_url.
func (a *Adapter) answerPress(ctx context.Context, ic slackapi.InteractionCallback) {
	a.later(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), followUpTimeout)
		defer cancel()
		if onHome(ic) {
			a.pressHome(ctx, ic)
			return
		}
		r, replace, ok := a.press(ctx, ic)
		if !ok {
			a.log.Debug("slack: ignored an interaction that is not one of the bot's buttons", "type", ic.Type)
			return
		}
		// A long answer's first part takes the place of the message, and
		// the rest follow it.
		for i, m := range Messages(r) {
			if !a.respond(ctx, ic.ResponseURL, m, replace && i == 0) {
				break
			}
		}
	})
}

// later runs f in the background, counted by Drain.
func (a *Adapter) later(f func()) { a.pending.Go(f) }

// respond sends msg to a response_url: as a new message, or in place of the
// one the button was on when replace is set. A 429 is retried after its
// Retry-After. It reports whether the message was sent.
func (a *Adapter) respond(ctx context.Context, responseURL string, msg Message, replace bool) bool {
	if responseURL == "" {
		a.log.Warn("slack: an answer has no response_url to go to; dropped")
		return false
	}
	body, err := json.Marshal(responseBody{
		Text: msg.Text, Blocks: msg.Blocks, ResponseType: msg.ResponseType, ReplaceOriginal: replace,
	})
	if err == nil {
		err = a.retry(ctx, func() error { return a.postResponse(ctx, responseURL, body) })
	}
	if err != nil {
		a.log.Warn("slack: sending an answer to its response_url failed", "err", scrub(err, a.botTok, a.appTok, responseURL))
		return false
	}
	return true
}

// responseBody is what a response_url takes, as Slack documents it: text,
// blocks, response_type, replace_original and delete_original. slack-go's
// own adds "metadata":{"event_type":"","event_payload":null}, which is no
// message metadata Slack knows, and "blocks":null without blocks.
type responseBody struct {
	Text            string           `json:"text"`
	Blocks          []slackapi.Block `json:"blocks,omitempty"`
	ResponseType    string           `json:"response_type,omitempty"`
	ReplaceOriginal bool             `json:"replace_original"`
	DeleteOriginal  bool             `json:"delete_original"`
}

// postResponse posts body to a response_url, as slack-go would: a 429 is
// a *slackapi.RateLimitedError, another status a slackapi.StatusCodeError,
// and an answer of {"ok":false} a slackapi.SlackErrorResponse.
func (a *Adapter) postResponse(ctx context.Context, responseURL string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := a.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return &slackapi.RateLimitedError{RetryAfter: time.Duration(wait) * time.Second}
	case resp.StatusCode != http.StatusOK:
		return slackapi.StatusCodeError{Code: resp.StatusCode, Status: resp.Status}
	}
	var r struct {
		OK    *bool  `json:"ok"`
		Error string `json:"error"`
	}
	if json.Unmarshal(answer, &r) == nil && r.OK != nil && !*r.OK {
		return slackapi.SlackErrorResponse{Err: r.Error}
	}
	return nil
}

// retry calls f, and again after the Retry-After of a 429, up to maxRetries
// times, while the wait is short enough to be worth it.
func (a *Adapter) retry(ctx context.Context, f func() error) error {
	for attempt := 0; ; attempt++ {
		err := f()
		var rl *slackapi.RateLimitedError
		if err == nil || attempt == maxRetries || !errors.As(err, &rl) || rl.RetryAfter > maxRetryWait {
			return err
		}
		a.log.Info("slack: rate limited; retrying", "retry_after", rl.RetryAfter)
		if err := a.sleep(ctx, rl.RetryAfter); err != nil {
			return err
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

package slack

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/internal/seal"
)

// The routes of OAuth v2 installs, served in HTTP mode when the adapter
// has Installs.
const (
	InstallPath       = "/slack/install"
	OAuthCallbackPath = "/slack/oauth/callback"
)

// AuthorizeURL is Slack's authorize step, where "Add to Slack" sends the
// installing user.
const AuthorizeURL = "https://slack.com/oauth/v2/authorize"

// Defaults of InstallsConfig.
const (
	// defaultStateTTL is how long an install started at InstallPath may
	// take to come back to OAuthCallbackPath; Slack's own SDKs allow 10
	// minutes.
	defaultStateTTL = 10 * time.Minute
	// refreshBefore is how long before a rotating token expires it is
	// refreshed, as Slack's SDKs do.
	refreshBefore = 2 * time.Hour
)

// stateCookie binds an install's state to the browser that started it.
const stateCookie = "industrybot_slack_install"

// reasonUninstalled is why the daily picks of a workspace that uninstalled
// the app are paused; installing it again resumes them.
const reasonUninstalled = "the app was uninstalled from the Slack workspace; installing it again resumes the daily pick"

// InstallStore is what Installs keeps: the installations, and the daily
// subscriptions of their channels, which an uninstall pauses and an
// install again resumes. bot.MemoryStore and the SQLite and PostgreSQL
// stores are all one.
type InstallStore interface {
	bot.InstallationStore
	ListSubscriptions(ctx context.Context) ([]bot.Subscription, error)
	PutSubscription(ctx context.Context, s bot.Subscription) error
	PauseSubscription(ctx context.Context, ch bot.ChannelKey, reason string) error
}

// InstallsConfig is what Installs needs. Everything but the optional
// fields is required.
type InstallsConfig struct {
	ClientID     string // slack.client_id
	ClientSecret string // slack.client_secret; also signs the install's state
	// PublicURL is the base URL Slack and browsers reach the bot at
	// (slack.public_url): the redirect URL is PublicURL +
	// OAuthCallbackPath.
	PublicURL string
	Store     InstallStore
	// Key seals each workspace's tokens before they reach Store
	// (store.encryption_key).
	Key *seal.Key

	APIURL string // base URL of the Web API (oauth.v2.access); default https://slack.com/api/
	// AuthorizeURL is Slack's authorize step. Default: beside the Web
	// API, as Slack has it (https://slack.com/api/ → AuthorizeURL), so a
	// fake Slack at APIURL serves both.
	AuthorizeURL string
	Scopes       []string         // the bot scopes asked for; default the manifest's
	HTTPClient   *http.Client     // default: a client with a 30s timeout
	Logger       *slog.Logger     // default: discard
	Now          func() time.Time // default: time.Now
	StateTTL     time.Duration    // default 10 minutes
}

// Installs keeps the workspaces the app is installed to through OAuth v2:
// it serves "Add to Slack" and the redirect back from Slack, stores each
// workspace's bot token sealed with its own nonce under the configured
// key, refreshes rotating tokens before they expire, and hands each
// workspace's token out for the calls made there. Its tenants are Slack
// team ids, or the enterprise id of an org-wide install on Enterprise
// Grid; the core knows a tenant's channels by keys "tenant:channel" (see
// ChannelKey). It is safe for concurrent use.
type Installs struct {
	clientID, secret string
	publicURL        string
	redirect         string
	store            InstallStore
	key              *seal.Key
	apiURL           string
	authorize        string
	scopes           []string
	client           *http.Client
	log              *slog.Logger
	now              func() time.Time
	ttl              time.Duration
	stateKey         []byte

	locks sync.Map // tenant → *sync.Mutex: one refresh at a time
}

// NewInstalls returns Installs, or an error naming what the configuration
// lacks.
func NewInstalls(c InstallsConfig) (*Installs, error) {
	switch {
	case c.ClientID == "":
		return nil, errors.New("slack: OAuth installs need the app's client id (slack.client_id)")
	case c.ClientSecret == "":
		return nil, errors.New("slack: OAuth installs need the app's client secret (slack.client_secret)")
	case c.Store == nil:
		return nil, errors.New("slack: OAuth installs need a store for the installations")
	case c.Key == nil:
		return nil, errors.New("slack: OAuth installs need a key to seal the tokens (store.encryption_key)")
	}
	base, err := url.Parse(c.PublicURL)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("slack: OAuth installs need the public base URL Slack redirects to (slack.public_url), not %q", c.PublicURL)
	}
	i := &Installs{
		clientID: c.ClientID, secret: c.ClientSecret, publicURL: strings.TrimRight(c.PublicURL, "/"),
		store: c.Store, key: c.Key, apiURL: APIURL(c.APIURL), authorize: c.AuthorizeURL, scopes: slices.Clone(c.Scopes),
		client: c.HTTPClient, log: c.Logger, now: c.Now, ttl: c.StateTTL,
	}
	i.redirect = i.publicURL + OAuthCallbackPath
	if i.authorize == "" {
		i.authorize = authorizeBeside(i.apiURL)
	}
	if len(i.scopes) == 0 {
		i.scopes = slices.Clone(scopes)
	}
	if i.client == nil {
		i.client = &http.Client{Timeout: 30 * time.Second}
	}
	if i.log == nil {
		i.log = slog.New(slog.DiscardHandler)
	}
	if i.now == nil {
		i.now = time.Now
	}
	if i.ttl <= 0 {
		i.ttl = defaultStateTTL
	}
	mac := hmac.New(sha256.New, []byte(c.ClientSecret))
	mac.Write([]byte("industrybot slack install state v1"))
	i.stateKey = mac.Sum(nil)
	return i, nil
}

// authorizeBeside is the authorize step of the Slack whose Web API is at
// apiURL: /oauth/v2/authorize on its host, beside /api/.
func authorizeBeside(apiURL string) string {
	base := strings.TrimSuffix(strings.TrimRight(apiURL, "/"), "/api")
	if base == "https://slack.com" {
		return AuthorizeURL
	}
	return base + "/oauth/v2/authorize"
}

// InstallURL is the "Add to Slack" link to share: PublicURL + InstallPath.
func (i *Installs) InstallURL() string { return i.publicURL + InstallPath }

// RedirectURL is the redirect URL the app's manifest must list.
func (i *Installs) RedirectURL() string { return i.redirect }

// ChannelKey is the channel id the core keys a channel of tenant by:
// "tenant:channel". Slack's ids never hold a colon.
func ChannelKey(tenant, channel string) string { return tenant + ":" + channel }

// splitChannel undoes ChannelKey: a channel of the static token's
// workspace has no tenant.
func splitChannel(key string) (tenant, channel string) {
	if t, c, ok := strings.Cut(key, ":"); ok {
		return t, c
	}
	return "", key
}

// secrets are the credentials of an installation, sealed as JSON.
type secrets struct {
	BotToken     string `json:"bot_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// purpose binds a sealed secret to its tenant's record.
func purpose(tenant string) string { return "industrybot slack installation " + tenant }

func (i *Installs) sealSecrets(tenant string, s secrets) []byte {
	plain, _ := json.Marshal(s) // two strings always encode
	return i.key.Seal(plain, purpose(tenant))
}

func (i *Installs) openSecrets(in bot.Installation) (secrets, error) {
	plain, err := i.key.Open(in.Secret, purpose(in.Tenant))
	if err != nil {
		return secrets{}, fmt.Errorf("slack: the token of workspace %s: %w (was store.encryption_key changed? then install the app there again)", in.Tenant, err)
	}
	var s secrets
	if err := json.Unmarshal(plain, &s); err != nil || s.BotToken == "" {
		return secrets{}, fmt.Errorf("slack: the sealed token of workspace %s is not one this build wrote", in.Tenant)
	}
	return s, nil
}

// ErrNotInstalled is returned for a workspace the app is not installed to
// (any more). It wraps bot.ErrNotFound.
var ErrNotInstalled = fmt.Errorf("the app is not installed in this Slack workspace: %w", bot.ErrNotFound)

// lookup finds the installation that serves a request from team, on
// Enterprise Grid of enterprise: the org's for an org-wide install,
// else the workspace's, else the org's. ErrNotInstalled if none.
func (i *Installs) lookup(ctx context.Context, team, enterprise string, orgWide bool) (bot.Installation, error) {
	var tries []string
	if orgWide && enterprise != "" {
		tries = []string{enterprise}
	} else {
		tries = []string{team, enterprise}
	}
	for _, t := range tries {
		if t == "" {
			continue
		}
		in, err := i.store.GetInstallation(ctx, bot.Slack, t)
		if err == nil {
			return in, nil
		}
		if !errors.Is(err, bot.ErrNotFound) {
			return bot.Installation{}, err
		}
	}
	return bot.Installation{}, ErrNotInstalled
}

// Token returns the bot token of tenant's installation, refreshing it
// first when it rotates and expires within two hours. ErrNotInstalled if
// the app is not installed there.
func (i *Installs) Token(ctx context.Context, tenant string) (string, error) {
	in, err := i.store.GetInstallation(ctx, bot.Slack, tenant)
	if errors.Is(err, bot.ErrNotFound) {
		return "", ErrNotInstalled
	}
	if err != nil {
		return "", err
	}
	if i.fresh(in) {
		s, err := i.openSecrets(in)
		return s.BotToken, err
	}
	return i.refresh(ctx, tenant)
}

// fresh reports whether an installation's token may be used without a
// refresh.
func (i *Installs) fresh(in bot.Installation) bool {
	return in.ExpiresAt.IsZero() || i.now().Add(refreshBefore).Before(in.ExpiresAt)
}

// refresh exchanges tenant's refresh token for new tokens, one call at a
// time per tenant in this process; a replica that refreshed first wins,
// and its tokens are used. A refresh that fails while the old token is
// still valid is logged, and the old token used.
func (i *Installs) refresh(ctx context.Context, tenant string) (string, error) {
	mu, _ := i.locks.LoadOrStore(tenant, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	for range 3 {
		in, err := i.store.GetInstallation(ctx, bot.Slack, tenant)
		if errors.Is(err, bot.ErrNotFound) {
			return "", ErrNotInstalled
		}
		if err != nil {
			return "", err
		}
		old, err := i.openSecrets(in)
		if err != nil {
			return "", err
		}
		if i.fresh(in) { // refreshed meanwhile
			return old.BotToken, nil
		}
		if old.RefreshToken == "" {
			return old.BotToken, nil // expires, but cannot be refreshed: Slack will say
		}
		resp, err := slackapi.RefreshOAuthV2TokenContext(ctx, i.client, i.clientID, i.secret, old.RefreshToken, slackapi.OAuthOptionAPIURL(i.apiURL))
		if err != nil {
			err = scrub(err, old.BotToken, old.RefreshToken, i.secret)
			if again, gerr := i.store.GetInstallation(ctx, bot.Slack, tenant); gerr == nil && again.Version != in.Version {
				continue // another replica refreshed first, spending the refresh token
			}
			if i.now().Before(in.ExpiresAt) {
				i.log.Warn("slack: refreshing a workspace's token failed; using it until it expires", "tenant", tenant, "expires", in.ExpiresAt, "err", err)
				return old.BotToken, nil
			}
			return "", fmt.Errorf("slack: refreshing the token of workspace %s: %w", tenant, err)
		}
		next := secrets{BotToken: resp.AccessToken, RefreshToken: cmpOr(resp.RefreshToken, old.RefreshToken)}
		in.Secret = i.sealSecrets(tenant, next)
		in.ExpiresAt = time.Time{}
		if resp.ExpiresIn > 0 {
			in.ExpiresAt = i.now().Add(time.Duration(resp.ExpiresIn) * time.Second)
		}
		if resp.Scope != "" {
			in.Scopes = resp.Scope
		}
		_, err = i.store.UpdateInstallation(ctx, in)
		switch {
		case errors.Is(err, bot.ErrInstallationChanged):
			continue // another replica refreshed, or it was installed again
		case errors.Is(err, bot.ErrNotFound):
			return "", ErrNotInstalled // uninstalled meanwhile: never brought back
		case err != nil:
			return "", err
		}
		i.log.Info("slack: refreshed a workspace's rotating token", "tenant", tenant, "expires", in.ExpiresAt)
		return next.BotToken, nil
	}
	return "", fmt.Errorf("slack: the installation of workspace %s kept changing while its token was refreshed", tenant)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// serveInstall answers GET InstallPath: a redirect to Slack's authorize
// step with a state that is signed, expires, and is bound to this browser
// by a cookie.
func (i *Installs) serveInstall(w http.ResponseWriter, r *http.Request) {
	nonce := make([]byte, 16)
	rand.Read(nonce)
	state := i.signState(nonce, i.now().Add(i.ttl))
	http.SetCookie(w, &http.Cookie{
		Name: stateCookie, Value: base64.RawURLEncoding.EncodeToString(nonce), Path: OAuthCallbackPath,
		MaxAge: int(i.ttl / time.Second), HttpOnly: true, Secure: strings.HasPrefix(i.publicURL, "https:"), SameSite: http.SameSiteLaxMode,
	})
	q := url.Values{
		"client_id":    {i.clientID},
		"scope":        {strings.Join(i.scopes, ",")},
		"redirect_uri": {i.redirect},
		"state":        {state},
	}
	if team := r.URL.Query().Get("team"); team != "" {
		q.Set("team", team)
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, i.authorize+"?"+q.Encode(), http.StatusFound)
}

// signState makes a state: the nonce, its expiry and their HMAC, in
// base64url.
func (i *Installs) signState(nonce []byte, expires time.Time) string {
	b := make([]byte, 0, len(nonce)+8+sha256.Size)
	b = append(b, nonce...)
	b = binary.BigEndian.AppendUint64(b, uint64(expires.Unix()))
	mac := hmac.New(sha256.New, i.stateKey)
	mac.Write(b)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(b))
}

// checkState reports why a state is refused, or nil: it must be one of
// signState's, not expired, and carry the nonce of the browser's cookie.
func (i *Installs) checkState(state string, r *http.Request) error {
	b, err := base64.RawURLEncoding.DecodeString(state)
	if err != nil || len(b) != 16+8+sha256.Size {
		return errors.New("the state is not one of industrybot's")
	}
	body, sum := b[:16+8], b[16+8:]
	mac := hmac.New(sha256.New, i.stateKey)
	mac.Write(body)
	if !hmac.Equal(sum, mac.Sum(nil)) {
		return errors.New("the state is not signed by this app")
	}
	if !i.now().Before(time.Unix(int64(binary.BigEndian.Uint64(body[16:])), 0)) {
		return errors.New("the state has expired")
	}
	c, err := r.Cookie(stateCookie)
	if err != nil {
		return errors.New("the browser has no cookie of the install it started")
	}
	nonce, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || !hmac.Equal(nonce, body[:16]) {
		return errors.New("the state belongs to an install another browser started")
	}
	return nil
}

// serveCallback answers GET OAuthCallbackPath, where Slack sends the
// installing user back: the state is checked, the code exchanged with
// oauth.v2.access, and the installation stored, its token sealed.
func (i *Installs) serveCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Path: OAuthCallbackPath, MaxAge: -1, HttpOnly: true})
	w.Header().Set("Cache-Control", "no-store")
	if e := q.Get("error"); e != "" {
		i.log.Info("slack: an install was cancelled", "error", e)
		i.page(w, http.StatusOK, "Installation cancelled", "industrybot was not installed ("+e+"). To try again, open "+i.InstallURL()+".", "")
		return
	}
	if err := i.checkState(q.Get("state"), r); err != nil {
		i.log.Info("slack: refused an install's return", "reason", err)
		i.page(w, http.StatusBadRequest, "This install link has expired", "It was not started here, or more than "+i.ttl.String()+" ago: start again at "+i.InstallURL()+".", "")
		return
	}
	code := q.Get("code")
	if code == "" {
		i.page(w, http.StatusBadRequest, "Slack sent no code", "Start again at "+i.InstallURL()+".", "")
		return
	}
	in, err := i.install(r.Context(), code)
	if err != nil {
		i.log.Error("slack: an install failed", "err", err)
		i.page(w, http.StatusBadGateway, "Slack refused the installation", "industrybot could not finish installing: "+err.Error()+". Start again at "+i.InstallURL()+".", "")
		return
	}
	name := cmpOr(in.Name, in.Tenant)
	i.page(w, http.StatusOK, "industrybot is installed in "+name,
		"In any channel, type /recommend talky, /why heat or /random. Invite @industrybot to a channel (/invite @industrybot) and a workspace admin can start a daily pick there with /daily subscribe 09:00 Europe/London. The app's Home tab shows today's pick.",
		"slack://open?team="+url.QueryEscape(in.Tenant))
}

// install exchanges a code for the workspace's tokens and stores the
// installation; installed again, a workspace's daily picks paused by its
// uninstall resume.
func (i *Installs) install(ctx context.Context, code string) (bot.Installation, error) {
	resp, err := slackapi.GetOAuthV2ResponseContext(ctx, i.client, i.clientID, i.secret, code, i.redirect, slackapi.OAuthOptionAPIURL(i.apiURL))
	if err != nil {
		var se slackapi.SlackErrorResponse
		if errors.As(err, &se) {
			return bot.Installation{}, fmt.Errorf("oauth.v2.access: %s%s", se.Err, installHints[se.Err])
		}
		return bot.Installation{}, fmt.Errorf("oauth.v2.access: %w", scrub(err, i.secret, code))
	}
	if resp.AccessToken == "" || resp.TokenType != "" && resp.TokenType != "bot" && resp.TokenType != "granular_bot" {
		return bot.Installation{}, errors.New("Slack gave no bot token: the app needs a bot user and bot scopes (recreate it from `industrybot slack manifest`)")
	}
	tenant, name := resp.Team.ID, resp.Team.Name
	if resp.IsEnterpriseInstall || tenant == "" {
		tenant, name = resp.Enterprise.ID, resp.Enterprise.Name
	}
	if tenant == "" {
		return bot.Installation{}, errors.New("Slack named neither the workspace nor the organisation installed to")
	}
	now := i.now()
	in := bot.Installation{
		Platform: bot.Slack, Tenant: tenant, Enterprise: resp.Enterprise.ID, Name: name, BotUser: resp.BotUserID,
		Scopes: resp.Scope, InstalledBy: resp.AuthedUser.ID, InstalledAt: now,
		Secret: i.sealSecrets(tenant, secrets{BotToken: resp.AccessToken, RefreshToken: resp.RefreshToken}),
	}
	if resp.ExpiresIn > 0 {
		in.ExpiresAt = now.Add(time.Duration(resp.ExpiresIn) * time.Second)
	}
	if in, err = i.store.PutInstallation(ctx, in); err != nil {
		return bot.Installation{}, fmt.Errorf("storing the installation: %w", err)
	}
	i.log.Info("slack: installed", "tenant", tenant, "name", name, "by", in.InstalledBy, "rotating", !in.ExpiresAt.IsZero())
	i.resume(ctx, tenant)
	return in, nil
}

// installHints say what to do about the errors of oauth.v2.access.
var installHints = map[string]string{
	"bad_client_secret":                ": slack.client_secret is not the app's (Basic Information → App Credentials)",
	"invalid_client_id":                ": slack.client_id is not the app's (Basic Information → App Credentials)",
	"bad_redirect_uri":                 ": slack.public_url + /slack/oauth/callback must be one of the app's redirect URLs (OAuth & Permissions)",
	"invalid_code":                     ": the code was used or is too old",
	"oauth_authorization_url_mismatch": ": slack.public_url + /slack/oauth/callback must be one of the app's redirect URLs (OAuth & Permissions)",
}

// uninstall deletes a tenant's installation, its sealed tokens with it,
// and pauses its daily picks. It reports whether there was one.
func (i *Installs) uninstall(ctx context.Context, tenant string) (bool, error) {
	err := i.store.DeleteInstallation(ctx, bot.Slack, tenant)
	found := err == nil
	if err != nil && !errors.Is(err, bot.ErrNotFound) {
		return false, err
	}
	subs, err := i.subscriptions(ctx, tenant)
	if err != nil {
		return found, err
	}
	for _, s := range subs {
		if s.Paused != "" {
			continue
		}
		if err := i.store.PauseSubscription(ctx, s.Channel, reasonUninstalled); err != nil && !errors.Is(err, bot.ErrNotFound) {
			return found, err
		}
	}
	if found || len(subs) > 0 {
		i.log.Info("slack: uninstalled; the token is deleted and the daily picks paused", "tenant", tenant, "daily_picks", len(subs))
	}
	return found, nil
}

// resume resumes the daily picks an uninstall of tenant paused.
func (i *Installs) resume(ctx context.Context, tenant string) {
	subs, err := i.subscriptions(ctx, tenant)
	if err != nil {
		i.log.Warn("slack: could not resume the daily picks of a workspace installed again", "tenant", tenant, "err", err)
		return
	}
	for _, s := range subs {
		if s.Paused != reasonUninstalled {
			continue
		}
		if err := i.store.PutSubscription(ctx, s); err != nil {
			i.log.Warn("slack: could not resume a daily pick", "channel", s.Channel.String(), "err", err)
		}
	}
}

// subscriptions returns the daily subscriptions of tenant's channels.
func (i *Installs) subscriptions(ctx context.Context, tenant string) ([]bot.Subscription, error) {
	all, err := i.store.ListSubscriptions(ctx)
	if err != nil {
		return nil, err
	}
	var out []bot.Subscription
	for _, s := range all {
		if t, _ := splitChannel(s.Channel.Channel); s.Channel.Platform == bot.Slack && t == tenant {
			out = append(out, s)
		}
	}
	return out, nil
}

// page answers a browser with a short HTML page, every text in it
// escaped. It is written out rather than through html/template: a program
// that can execute a template keeps every exported method of every type it
// links, since a template may call any of them by name, and that made the
// binary 7 MB and its idle RSS 1.7 MB larger.
func (i *Installs) page(w http.ResponseWriter, status int, title, text, link string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	var b strings.Builder
	title = html.EscapeString(title)
	b.WriteString(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>`)
	b.WriteString(title)
	b.WriteString(`</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#1d1c1d}a{color:#1264a3}</style>
</head><body><h1>`)
	b.WriteString(title)
	b.WriteString(`</h1><p>`)
	b.WriteString(html.EscapeString(text))
	b.WriteString(`</p>`)
	if link != "" {
		// A slack:// deep link of this package's making, escaped for the
		// quoted attribute it is written into.
		b.WriteString(`<p><a href="`)
		b.WriteString(html.EscapeString(link))
		b.WriteString(`">Open Slack</a></p>`)
	}
	b.WriteString("</body></html>\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		i.log.Debug("slack: writing a page failed", "err", err)
	}
}

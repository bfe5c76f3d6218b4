package slacktest

import (
	"cmp"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The OAuth app the fake knows unless told otherwise (WithOAuth).
const (
	ClientID     = "1111.2222"
	ClientSecret = "slacktest-client-secret"
)

// AuthorizePath is where the fake's authorize step is, under URL(): the
// page Slack shows the installing user (https://slack.com/oauth/v2/authorize).
const AuthorizePath = "/oauth/v2/authorize"

// Workspace is a Slack workspace the app can be installed to.
type Workspace struct {
	ID         string // T…; for an OrgWide install, the organisation's E…
	Name       string
	Enterprise string // E… on Enterprise Grid
	// OrgWide installs the app to the whole Enterprise organisation:
	// oauth.v2.access names no team, and is_enterprise_install is true.
	OrgWide bool
}

// grant is what a token may do: act in a workspace until it expires (with
// token rotation) or is revoked.
type grant struct {
	team    string
	expires time.Time
	revoked bool
	issued  int // its number among the tokens given through OAuth; 0 for the static one
}

// oauthApp is the app's OAuth configuration and state at the fake.
type oauthApp struct {
	clientID, secret string
	rotate           time.Duration // token lifetime with rotation; 0: tokens last
	codes            map[string]*code
	refresh          map[string]string // workspace → its one valid refresh token
	issued           int
}

type code struct {
	team, user, redirect, scopes string
	used                         bool
	at                           time.Time
}

// codeLifetime is how long an authorization code can be exchanged; Slack
// gives ten minutes.
const codeLifetime = 10 * time.Minute

// WithOAuth sets the client id and secret of the app whose installs the
// fake grants (default ClientID and ClientSecret).
func WithOAuth(clientID, clientSecret string) Option {
	return func(s *Server) { s.oauth.clientID, s.oauth.secret = clientID, clientSecret }
}

// WithTokenRotation turns token rotation on: oauth.v2.access gives tokens
// that expire after lifetime (Slack's is 12 hours) with a refresh token,
// which grant_type=refresh_token exchanges once for new ones. An expired
// token is refused with token_expired, by the fake's clock.
func WithTokenRotation(lifetime time.Duration) Option {
	return func(s *Server) { s.oauth.rotate = lifetime }
}

// AddWorkspace makes a workspace the app can be installed to.
func (s *Server) AddWorkspace(ws Workspace) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.workspaces[ws.ID] = ws
}

// workspaceOf returns the workspace a bot token acts in, or the error code
// Slack answers a token it refuses with.
func (s *Server) workspaceOf(token string) (team, problem string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.tokens[token]
	switch {
	case !ok:
		return "", "invalid_auth"
	case g.revoked:
		return "", "token_revoked"
	case !g.expires.IsZero() && !s.now().Before(g.expires):
		return "", "token_expired"
	}
	return g.team, ""
}

// Tokens returns the bot tokens the fake gave a workspace through OAuth,
// in the order it gave them, those revoked or expired included.
func (s *Server) Tokens(team string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for tok, g := range s.tokens {
		if g.team == team && g.issued > 0 {
			out = append(out, tok)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Compare(s.tokens[a].issued, s.tokens[b].issued) })
	return out
}

// Revoke revokes every token of a workspace, as an uninstall does: calls
// with them are refused with token_revoked.
func (s *Server) Revoke(team string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.tokens {
		if g.team == team {
			g.revoked = true
		}
	}
	delete(s.oauth.refresh, team)
	s.changedLocked()
}

// Authorize is the installing user at the authorize step: authorizeURL
// is where the app sent them (URL()+AuthorizePath with client_id, scope,
// redirect_uri and state); they pick workspace team and approve as user.
// It returns the app's redirect URL with the code and the state, where
// Slack sends the browser next.
func (s *Server) Authorize(authorizeURL, team, user string) (string, error) {
	u, err := url.Parse(authorizeURL)
	if err != nil {
		return "", err
	}
	if u.Path != AuthorizePath || !strings.HasPrefix(authorizeURL, s.srv.URL) {
		return "", fmt.Errorf("slacktest: %s is not the fake's authorize URL %s", authorizeURL, s.srv.URL+AuthorizePath)
	}
	q := u.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case q.Get("client_id") != s.oauth.clientID:
		return "", fmt.Errorf("slacktest: authorize with client_id %q, want %q", q.Get("client_id"), s.oauth.clientID)
	case q.Get("scope") == "":
		return "", errors.New("slacktest: authorize without scope")
	case q.Get("state") == "":
		return "", errors.New("slacktest: authorize without state")
	case q.Get("redirect_uri") == "":
		return "", errors.New("slacktest: authorize without redirect_uri")
	}
	if _, ok := s.workspaces[team]; !ok {
		return "", fmt.Errorf("slacktest: no workspace %s: AddWorkspace first", team)
	}
	s.seq++
	c := "code-" + team + "-" + strconv.Itoa(s.seq)
	s.oauth.codes[c] = &code{team: team, user: user, redirect: q.Get("redirect_uri"), scopes: q.Get("scope"), at: s.now()}
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		return "", err
	}
	bq := back.Query()
	bq.Set("code", c)
	bq.Set("state", q.Get("state"))
	back.RawQuery = bq.Encode()
	return back.String(), nil
}

// Install installs the app to workspace team as user, as a browser does:
// it opens installURL (the app's "Add to Slack" link, such as
// …/slack/install), follows its redirect to the authorize step, approves
// there, and opens the app's redirect URL with the code, keeping the
// cookies the app sets. It returns the app's last answer, its body read.
func (s *Server) Install(ctx context.Context, installURL, team, user string) (*http.Response, string, error) {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(u string) (*http.Response, string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, "", err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		var b strings.Builder
		_, err = io.Copy(&b, resp.Body)
		return resp, b.String(), err
	}
	resp, body, err := get(installURL)
	if err != nil {
		return nil, "", err
	}
	authorize := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther || authorize == "" {
		// An "Add to Slack" page: its button links to the authorize URL.
		i := strings.Index(body, s.srv.URL+AuthorizePath)
		if i < 0 {
			return resp, body, fmt.Errorf("slacktest: %s answered %d with neither a redirect nor a link to the authorize step", installURL, resp.StatusCode)
		}
		end := strings.IndexAny(body[i:], `"' <>`)
		if end < 0 {
			end = len(body) - i
		}
		authorize = html.UnescapeString(body[i : i+end])
	}
	back, err := s.Authorize(authorize, team, user)
	if err != nil {
		return nil, "", err
	}
	return get(back)
}

// oauthAccess answers oauth.v2.access: an authorization code, or with
// grant_type=refresh_token a refresh token, exchanged for a bot token.
func (s *Server) oauthAccess(w http.ResponseWriter, r *http.Request) {
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok { // the way Slack prefers
		id, secret = u, p
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case id != s.oauth.clientID:
		apiError(w, "invalid_client_id")
		return
	case subtle.ConstantTimeCompare([]byte(secret), []byte(s.oauth.secret)) != 1:
		apiError(w, "bad_client_secret")
		return
	}
	var team, user, scopes string
	switch r.PostForm.Get("grant_type") {
	case "", "authorization_code":
		c, ok := s.oauth.codes[r.PostForm.Get("code")]
		switch {
		case !ok || c.used || s.now().Sub(c.at) > codeLifetime:
			apiError(w, "invalid_code")
			return
		case r.PostForm.Get("redirect_uri") != c.redirect:
			apiError(w, "bad_redirect_uri")
			return
		}
		c.used = true
		team, user, scopes = c.team, c.user, c.scopes
	case "refresh_token":
		if s.oauth.rotate == 0 {
			apiError(w, "invalid_refresh_token")
			return
		}
		rt := r.PostForm.Get("refresh_token")
		for t, cur := range s.oauth.refresh {
			if rt != "" && cur == rt {
				team = t
			}
		}
		if team == "" {
			apiError(w, "invalid_refresh_token")
			return
		}
		scopes = "commands,chat:write,users:read"
	default:
		apiError(w, "invalid_grant_type")
		return
	}
	ws := s.workspaces[team]
	s.oauth.issued++
	n := strconv.Itoa(s.oauth.issued)
	resp := map[string]any{
		"ok": true, "token_type": "bot", "scope": scopes, "bot_user_id": BotUserID, "app_id": AppID,
		"team": map[string]any{"id": ws.ID, "name": ws.Name}, "enterprise": nil, "is_enterprise_install": false,
	}
	if ws.Enterprise != "" {
		resp["enterprise"] = map[string]any{"id": ws.Enterprise, "name": "Enterprise " + ws.Enterprise}
	}
	if ws.OrgWide {
		resp["team"], resp["is_enterprise_install"] = nil, true
		resp["enterprise"] = map[string]any{"id": ws.ID, "name": ws.Name}
	}
	if user != "" {
		resp["authed_user"] = map[string]any{"id": user}
	}
	g := &grant{team: team, issued: s.oauth.issued}
	token := "xoxb-" + team + "-slacktest-" + n
	if s.oauth.rotate > 0 {
		token = "xoxe.xoxb-" + team + "-slacktest-" + n
		g.expires = s.now().Add(s.oauth.rotate)
		refresh := "xoxe-1-" + team + "-slacktest-refresh-" + n
		s.oauth.refresh[team] = refresh // the one used is spent
		resp["refresh_token"], resp["expires_in"] = refresh, int(s.oauth.rotate/time.Second)
	} else {
		// Without rotation a workspace keeps one bot token across installs.
		for tok, old := range s.tokens {
			if old.team == team && !old.revoked && old.issued > 0 {
				token, g = tok, old
			}
		}
	}
	s.tokens[token] = g
	resp["access_token"] = token
	s.changedLocked()
	writeJSON(w, resp)
}

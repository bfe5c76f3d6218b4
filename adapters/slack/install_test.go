package slack_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/adapters/slack/slacktest"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
	"github.com/industrybot/industrybot/bot/convtest"
	"github.com/industrybot/industrybot/internal/seal"
)

// Two workspaces the app is installed to in the OAuth tests, and an admin
// of each.
const (
	teamA, teamB   = "T0AAAA", "T0BBBB"
	adminA, adminB = "UADMINA", "UADMINB"
)

// oauthRig is an adapter in HTTP mode with Installs, its store, its daily
// picks and a fake Slack that knows two workspaces, all on one clock.
type oauthRig struct {
	fake   *slacktest.Server
	store  *bot.MemoryStore
	inst   *slack.Installs
	a      *slack.Adapter
	poster *slack.Poster
	sched  *bot.Scheduler
	srv    *httptest.Server
	clock  *bottest.Clock
	key    *seal.Key
}

func testKey(t *testing.T) *seal.Key {
	t.Helper()
	k, err := seal.NewKey(bytes.Repeat([]byte{0x5e}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newOAuthRig(t *testing.T, opts ...slacktest.Option) *oauthRig {
	t.Helper()
	r := &oauthRig{clock: bottest.NewClock(time.Date(2026, 5, 4, 7, 0, 0, 0, time.UTC)), store: bot.NewMemoryStore(), key: testKey(t)}
	r.fake = slacktest.New(t, append([]slacktest.Option{slacktest.WithClock(r.clock.Now)}, opts...)...)
	r.fake.AddWorkspace(slacktest.Workspace{ID: teamA, Name: "film-club"})
	r.fake.AddWorkspace(slacktest.Workspace{ID: teamB, Name: "trading-floor"})
	r.fake.AddUser(slacktest.User{ID: adminA, Name: "ada", Team: teamA, IsAdmin: true})
	r.fake.AddUser(slacktest.User{ID: adminB, Name: "bea", Team: teamB, IsOwner: true})
	r.fake.AddUser(slacktest.User{ID: "UMEMBERA", Name: "max", Team: teamA})

	var h http.Handler
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { h.ServeHTTP(w, req) }))
	inst, err := slack.NewInstalls(slack.InstallsConfig{
		ClientID: slacktest.ClientID, ClientSecret: slacktest.ClientSecret, PublicURL: r.srv.URL,
		Store: r.store, Key: r.key, APIURL: r.fake.APIURL(), AuthorizeURL: r.fake.URL() + slacktest.AuthorizePath, Now: r.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	r.inst = inst
	if r.poster, err = slack.NewPoster(slack.PosterConfig{Installs: inst, APIURL: r.fake.APIURL()}); err != nil {
		t.Fatal(err)
	}
	r.sched = bot.NewScheduler(bot.SchedulerConfig{Store: r.store, Catalog: bottest.Catalog(t), Posters: map[bot.Platform]bot.Poster{bot.Slack: r.poster},
		Clock: r.clock, Owner: "test", DefaultTime: "09:00", DefaultZone: "Europe/London"})
	b := bot.New(bot.Config{Engine: bottest.Engine(t), Memory: r.store, Daily: r.sched})
	r.a, err = slack.New(slack.Config{Handler: b, Mode: slack.ModeHTTP, SigningSecret: testSecret, APIURL: r.fake.APIURL(),
		Installs: inst, Daily: daily{r.store, r.sched}, Now: r.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	h = r.a.Handler()
	r.fake.SetApp(slacktest.App{EventsURL: r.srv.URL + slack.EventsPath, InteractionsURL: r.srv.URL + slack.InteractionsPath, SigningSecret: testSecret})
	t.Cleanup(func() {
		r.srv.Close()
		if err := r.a.Drain(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return r
}

// daily is the store's subscriptions with the scheduler's statuses, as cmd
// wires them for the Home tab.
type daily struct {
	*bot.MemoryStore
	*bot.Scheduler
}

// install installs the app to team as user through the OAuth flow, and
// returns the page it ends on.
func (r *oauthRig) install(t *testing.T, team, user string) string {
	t.Helper()
	resp, body, err := r.fake.Install(testCtx(t), r.srv.URL+slack.InstallPath, team, user)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("install to %s: %d %s", team, resp.StatusCode, body)
	}
	return body
}

// command sends line as user in channel of team, signed, and returns the
// answer; deferred answers are waited for at the response URL.
func (r *oauthRig) command(t *testing.T, team, channel, user, line string) slacktest.Response {
	t.Helper()
	name, text, _ := strings.Cut(line, " ")
	c := slackapi.SlashCommand{TeamID: team, ChannelID: channel, UserID: user, UserName: user, Command: name, Text: text, ResponseURL: r.fake.ResponseURL()}
	req, err := slacktest.SignedRequest(testCtx(t), r.srv.URL+slack.CommandsPath, testSecret, r.clock.Now(), []byte(slacktest.CommandForm(c).Encode()))
	if err != nil {
		t.Fatal(err)
	}
	status, body := do(t, req)
	if status != http.StatusOK {
		t.Fatalf("%s in %s: %d %s", line, team, status, body)
	}
	ans, ok, err := slacktest.Ack{Payload: body}.Answer()
	if err != nil || !ok {
		t.Fatalf("%s in %s: %v, answered %s", line, team, err, body)
	}
	return ans
}

// settle waits for the work the adapter does after answering (events,
// presses).
func (r *oauthRig) settle(t *testing.T) {
	t.Helper()
	if err := r.a.Drain(testCtx(t)); err != nil {
		t.Fatal(err)
	}
}

// TestTwoWorkspacesThroughOAuth installs the app to two workspaces through
// the OAuth flow, answers /daily in each with that workspace's token (its
// users.info tells its admins), posts each one's daily pick with its own
// token, keeps their channel memory apart though their channel ids are
// the same, then uninstalls one: its token is gone from the store, its
// daily pick paused and no longer posted, and the other goes on.
func TestTwoWorkspacesThroughOAuth(t *testing.T) {
	r := newOAuthRig(t)
	for _, ws := range []struct{ team, installer, name string }{{teamA, "UINSTALLA", "film-club"}, {teamB, "UINSTALLB", "trading-floor"}} {
		page := r.install(t, ws.team, ws.installer)
		if !strings.Contains(page, "industrybot is installed in "+ws.name) || !strings.Contains(page, "/recommend") {
			t.Errorf("the page after installing to %s says:\n%s", ws.team, page)
		}
	}
	tokA, tokB := r.fake.Tokens(teamA), r.fake.Tokens(teamB)
	if len(tokA) != 1 || len(tokB) != 1 || tokA[0] == tokB[0] {
		t.Fatalf("tokens given: %q and %q, want one of each workspace's", tokA, tokB)
	}
	// Stored sealed: neither token appears in what the store holds.
	for _, team := range []string{teamA, teamB} {
		in, err := r.store.GetInstallation(t.Context(), bot.Slack, team)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(in.Secret, []byte(tokA[0])) || bytes.Contains(in.Secret, []byte(tokB[0])) || bytes.Contains(in.Secret, []byte("xox")) {
			t.Errorf("the installation of %s holds a token in the clear", team)
		}
		if in.InstalledBy == "" || in.BotUser != slacktest.BotUserID || !strings.Contains(in.Scopes, "chat:write") {
			t.Errorf("installation of %s: %+v", team, in)
		}
	}

	// /daily subscribe in C1 of each workspace: a member of A is refused,
	// each admin is recognised by users.info with their workspace's token.
	if ans := r.command(t, teamA, "C1", "UMEMBERA", "/daily subscribe 09:00 Europe/London"); !strings.Contains(ans.PlainText(), "Only") {
		t.Errorf("a member's /daily subscribe: %q, want a refusal", ans.PlainText())
	}
	for _, ws := range []struct{ team, admin string }{{teamA, adminA}, {teamB, adminB}} {
		if ans := r.command(t, ws.team, "C1", ws.admin, "/daily subscribe 09:00 Europe/London"); !strings.Contains(ans.PlainText(), "Daily pick on") {
			t.Errorf("/daily subscribe in %s: %q", ws.team, ans.PlainText())
		}
	}
	if a, b := r.fake.CallsIn(teamA, slacktest.MethodUsersInfo), r.fake.CallsIn(teamB, slacktest.MethodUsersInfo); a != 2 || b != 1 {
		t.Errorf("users.info with workspace A's token %d times, B's %d; want 2 and 1", a, b)
	}
	// Whoever installed the app manages its daily picks, admin or not; in
	// their own workspace only.
	if ans := r.command(t, teamA, "C2", "UINSTALLA", "/daily status"); !strings.Contains(ans.PlainText(), "no daily pick") {
		t.Errorf("/daily status by A's installer: %q", ans.PlainText())
	}
	if ans := r.command(t, teamB, "C2", "UINSTALLA", "/daily status"); !strings.Contains(ans.PlainText(), "Only") {
		t.Errorf("/daily status in B by A's installer: %q, want a refusal", ans.PlainText())
	}
	subs, err := r.store.ListSubscriptions(t.Context())
	if err != nil || len(subs) != 2 || subs[0].Channel.Channel != slack.ChannelKey(teamA, "C1") || subs[1].Channel.Channel != slack.ChannelKey(teamB, "C1") {
		t.Fatalf("subscriptions %+v, %v; want C1 of each workspace", subs, err)
	}

	// Channel memory is the workspace's: C1 of B has seen nothing of A.
	r.command(t, teamA, "C1", "UMEMBERA", "/why heat")
	if ans := r.command(t, teamB, "C1", adminB, "/why"); !strings.Contains(ans.PlainText(), "Nothing has been picked in this channel yet") {
		t.Errorf("/why in B after /why heat in A: %q", ans.PlainText())
	}

	// The daily picks go out, each with its workspace's token.
	r.clock.Set(t, "2026-05-04 08:00")
	if err := r.sched.Tick(t.Context()); err != nil {
		t.Fatal(err)
	}
	teams := map[string]int{}
	for _, m := range r.fake.Messages("C1") {
		teams[m.Team]++
	}
	if teams[teamA] != 1 || teams[teamB] != 1 || len(teams) != 2 {
		t.Fatalf("daily posts by workspace: %v, want one in each", teams)
	}

	// A uninstalls: Slack revokes its token and tells the app.
	if err := r.fake.Uninstall(testCtx(t), teamA); err != nil {
		t.Fatal(err)
	}
	r.settle(t)
	if _, err := r.store.GetInstallation(t.Context(), bot.Slack, teamA); err == nil {
		t.Error("the installation of A is still stored after its uninstall")
	}
	if _, err := r.store.GetInstallation(t.Context(), bot.Slack, teamB); err != nil {
		t.Errorf("B's installation went with A's: %v", err)
	}
	sub, err := r.store.GetSubscription(t.Context(), bot.ChannelKey{Platform: bot.Slack, Channel: slack.ChannelKey(teamA, "C1")})
	if err != nil || sub.Paused == "" {
		t.Errorf("A's daily pick after the uninstall: %+v, %v; want it paused", sub, err)
	}
	// The next day B's pick is posted, A's is not even tried.
	attemptsA := r.fake.CallsIn(teamA, slacktest.MethodPostMessage)
	r.clock.Set(t, "2026-05-05 08:00")
	if err := r.sched.Tick(t.Context()); err != nil {
		t.Fatal(err)
	}
	teams = map[string]int{}
	for _, m := range r.fake.Messages("C1") {
		teams[m.Team]++
	}
	if teams[teamA] != 1 || teams[teamB] != 2 {
		t.Errorf("daily posts by workspace after A's uninstall: %v, want A's to stop and B's to go on", teams)
	}
	if got := r.fake.Calls(slacktest.MethodPostMessage); got != 3 || r.fake.CallsIn(teamA, slacktest.MethodPostMessage) != attemptsA {
		t.Errorf("%d posts tried in all, want 3: none more to A", got)
	}
	// A command from A now says how to install it again.
	if ans := r.command(t, teamA, "C1", adminA, "/random"); !strings.Contains(ans.PlainText(), "not installed") || !strings.Contains(ans.PlainText(), slack.InstallPath) {
		t.Errorf("a command from the uninstalled workspace: %q", ans.PlainText())
	}

	// Installed again, A's daily pick resumes with its new token.
	r.install(t, teamA, adminA)
	sub, err = r.store.GetSubscription(t.Context(), bot.ChannelKey{Platform: bot.Slack, Channel: slack.ChannelKey(teamA, "C1")})
	if err != nil || sub.Paused != "" {
		t.Errorf("A's daily pick after installing again: %+v, %v; want it running", sub, err)
	}
}

// TestInstallStateIsChecked: the redirect back from Slack is refused
// unless its state was signed here, is not expired, and belongs to the
// browser that started the install; a cancelled install and a code Slack
// refuses are each said so, and nothing is stored.
func TestInstallStateIsChecked(t *testing.T) {
	r := newOAuthRig(t)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	start := func(t *testing.T) (authorize string, cookie *http.Cookie) {
		t.Helper()
		resp, err := noRedirect.Get(r.srv.URL + slack.InstallPath)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, r.fake.URL()+slacktest.AuthorizePath) || len(resp.Cookies()) != 1 {
			t.Fatalf("GET %s: %d to %q with cookies %v", slack.InstallPath, resp.StatusCode, loc, resp.Cookies())
		}
		u, _ := url.Parse(loc)
		q := u.Query()
		if q.Get("client_id") != slacktest.ClientID || q.Get("redirect_uri") != r.srv.URL+slack.OAuthCallbackPath || q.Get("scope") != "commands,chat:write,users:read" {
			t.Errorf("authorize URL %s", loc)
		}
		return loc, resp.Cookies()[0]
	}
	back := func(t *testing.T, callback string, cookie *http.Cookie) (int, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(testCtx(t), http.MethodGet, callback, nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		code, body := do(t, req)
		return code, string(body)
	}
	t.Run("no cookie", func(t *testing.T) {
		authorize, _ := start(t)
		callback, err := r.fake.Authorize(authorize, teamA, adminA)
		if err != nil {
			t.Fatal(err)
		}
		if code, body := back(t, callback, nil); code != http.StatusBadRequest || !strings.Contains(body, "expired") {
			t.Errorf("%d %s", code, body)
		}
	})
	t.Run("another browser's cookie", func(t *testing.T) {
		authorize, _ := start(t)
		_, other := start(t)
		callback, _ := r.fake.Authorize(authorize, teamA, adminA)
		if code, _ := back(t, callback, other); code != http.StatusBadRequest {
			t.Errorf("%d, want 400", code)
		}
	})
	t.Run("forged state", func(t *testing.T) {
		authorize, cookie := start(t)
		callback, _ := r.fake.Authorize(authorize, teamA, adminA)
		u, _ := url.Parse(callback)
		q := u.Query()
		state := []byte(q.Get("state"))
		state[len(state)-2] ^= 1
		q.Set("state", string(state))
		u.RawQuery = q.Encode()
		if code, _ := back(t, u.String(), cookie); code != http.StatusBadRequest {
			t.Errorf("%d, want 400", code)
		}
	})
	t.Run("expired", func(t *testing.T) {
		authorize, cookie := start(t)
		callback, _ := r.fake.Authorize(authorize, teamA, adminA)
		r.clock.Sleep(t.Context(), 11*time.Minute)
		if code, _ := back(t, callback, cookie); code != http.StatusBadRequest {
			t.Errorf("%d, want 400", code)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		_, cookie := start(t)
		if code, body := back(t, r.srv.URL+slack.OAuthCallbackPath+"?error=access_denied&state=x", cookie); code != http.StatusOK || !strings.Contains(body, "cancelled") {
			t.Errorf("%d %s", code, body)
		}
	})
	t.Run("cancelled with markup", func(t *testing.T) {
		// What the query says is written into the page as text, never as
		// markup.
		_, cookie := start(t)
		hostile := `<script>alert("x")</script><a href='javascript:x'>&`
		code, body := back(t, r.srv.URL+slack.OAuthCallbackPath+"?state=x&error="+url.QueryEscape(hostile), cookie)
		if code != http.StatusOK || strings.Contains(body, "<script") || strings.Contains(body, "<a href='") ||
			!strings.Contains(body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;a href=&#39;javascript:x&#39;&gt;&amp;") {
			t.Errorf("%d %s", code, body)
		}
	})
	t.Run("code refused", func(t *testing.T) {
		authorize, cookie := start(t)
		callback, _ := r.fake.Authorize(authorize, teamA, adminA)
		r.fake.Fail(slacktest.MethodOAuthAccess, "", slacktest.Failure{Error: "invalid_code", Times: 1})
		code, body := back(t, callback, cookie)
		if code != http.StatusBadGateway || !strings.Contains(body, "invalid_code") || strings.Contains(body, slacktest.ClientSecret) {
			t.Errorf("%d %s", code, body)
		}
	})
	if list, _ := r.store.ListInstallations(t.Context(), bot.Slack); len(list) != 0 {
		t.Errorf("refused installs stored %d installations", len(list))
	}
	// The right browser with a fresh state installs.
	authorize, cookie := start(t)
	callback, _ := r.fake.Authorize(authorize, teamA, adminA)
	if code, body := back(t, callback, cookie); code != http.StatusOK || !strings.Contains(body, `<a href="slack://open?team=`+url.QueryEscape(teamA)+`">Open Slack</a>`) {
		t.Errorf("%d %s", code, body)
	}
	// A code is good once.
	if code, _ := back(t, callback, cookie); code != http.StatusBadGateway {
		t.Errorf("the same code again: %d, want 502", code)
	}
}

// TestTokenRotation: with token rotation on, a token that expires within
// two hours is refreshed before it is used, the new tokens stored sealed;
// two replicas refreshing at once on one store both end with the token
// the one that won got, and an uninstall during a refresh stays an
// uninstall.
func TestTokenRotation(t *testing.T) {
	r := newOAuthRig(t, slacktest.WithTokenRotation(12*time.Hour))
	r.install(t, teamA, adminA)
	before, err := r.store.GetInstallation(t.Context(), bot.Slack, teamA)
	if err != nil {
		t.Fatal(err)
	}
	if !before.ExpiresAt.Equal(r.clock.Now().Add(12 * time.Hour)) {
		t.Errorf("expires at %v, want 12h from the install", before.ExpiresAt)
	}
	tok, err := r.inst.Token(t.Context(), teamA)
	if err != nil || tok != r.fake.Tokens(teamA)[0] || r.fake.Calls(slacktest.MethodOAuthAccess) != 1 {
		t.Fatalf("Token while fresh: %v; %d calls of oauth.v2.access, want none after the install's", err, r.fake.Calls(slacktest.MethodOAuthAccess))
	}

	// 11 hours on, within the two hours before expiry, a second replica on
	// the same store refreshes at the same time as this one.
	r.clock.Sleep(t.Context(), 11*time.Hour)
	other, err := slack.NewInstalls(slack.InstallsConfig{ClientID: slacktest.ClientID, ClientSecret: slacktest.ClientSecret, PublicURL: r.srv.URL,
		Store: r.store, Key: r.key, APIURL: r.fake.APIURL(), Now: r.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([]string, 2)
	errs := make([]error, 2)
	for i, in := range []*slack.Installs{r.inst, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = in.Token(t.Context(), teamA)
		}()
	}
	wg.Wait()
	toks := r.fake.Tokens(teamA)
	// One refresh happens. The replica whose refresh loses the race may, if
	// the winner has not stored the new token yet, go on with the old one,
	// which stays valid until it expires; it is never an error, and at
	// least one replica has the new token.
	if errs[0] != nil || errs[1] != nil || len(toks) != 2 || got[0] != toks[1] && got[1] != toks[1] ||
		!slices.Contains(toks, got[0]) || !slices.Contains(toks, got[1]) {
		t.Fatalf("refreshing replicas: %q, %v; tokens given %q; want one refresh, and each on a token Slack gave", got, errs, toks)
	}
	if tok, err := r.inst.Token(t.Context(), teamA); err != nil || tok != toks[1] {
		t.Fatalf("after the race: %q, %v; want the new token %q", tok, err, toks[1])
	}
	after, _ := r.store.GetInstallation(t.Context(), bot.Slack, teamA)
	if after.Version == before.Version || bytes.Equal(after.Secret, before.Secret) || !after.ExpiresAt.After(before.ExpiresAt) || bytes.Contains(after.Secret, []byte(toks[1])) {
		t.Errorf("after the refresh: %+v", after)
	}
	// Past the old token's expiry, the new one works: /daily finds the
	// admin with it.
	r.clock.Sleep(t.Context(), 2*time.Hour)
	if ans := r.command(t, teamA, "C1", adminA, "/daily status"); !strings.Contains(ans.PlainText(), "no daily pick") {
		t.Errorf("/daily status after the refresh: %q", ans.PlainText())
	}

	// Uninstalled while due for a refresh: the refresh does not bring it back.
	r.clock.Sleep(t.Context(), 9*time.Hour)
	if err := r.fake.Uninstall(testCtx(t), teamA); err != nil {
		t.Fatal(err)
	}
	r.settle(t)
	if _, err := r.inst.Token(t.Context(), teamA); err == nil {
		t.Error("Token after the uninstall: no error")
	}
	if _, err := r.store.GetInstallation(t.Context(), bot.Slack, teamA); err == nil {
		t.Error("the installation is back")
	}
}

// TestOAuthConversation plays the core's script in a second workspace
// installed through OAuth, after a first: the same content as the core's
// own answers, its channel memory the workspace's.
func TestOAuthConversation(t *testing.T) {
	r := newOAuthRig(t)
	r.install(t, teamA, adminA)
	r.install(t, teamB, adminB)
	convtest.Run(t, func(t *testing.T, line string) convtest.Content {
		return content(r.command(t, teamB, "C1", "U1", line))
	})
	if recent, _ := r.store.Recent(t.Context(), bot.ChannelKey{Platform: bot.Slack, Channel: slack.ChannelKey(teamB, "C1")}, 1); len(recent) != 1 {
		t.Errorf("the conversation left no memory in B's C1: %q", recent)
	}
}

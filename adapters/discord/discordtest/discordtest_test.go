package discordtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// call sends one REST request to the fake and returns the status and
// Discord's JSON error code, if any.
func call(t *testing.T, s *Server, method, path, auth, body string) (int, int) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+"/api/v9"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e struct {
		Code int `json:"code"`
	}
	json.Unmarshal(b, &e)
	return resp.StatusCode, e.Code
}

// TestCallbackTypes: the fake takes the responses Discord takes for each
// kind of interaction, and refuses the others.
func TestCallbackTypes(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Token: "tok"})
	c := Caller{GuildID: "1", ChannelID: "2"}
	tests := []struct {
		name     string
		i        *discordgo.Interaction
		body     string
		status   int
		wantCode int
	}{
		{"a command's message", s.Command(c, "help"), `{"type":4,"data":{"content":"x"}}`, 204, 0},
		{"a command's deferral", s.Command(c, "help"), `{"type":5}`, 204, 0},
		{"a command cannot update a message", s.Command(c, "help"), `{"type":7,"data":{"content":"x"}}`, 400, 50035},
		{"a command cannot defer an update", s.Command(c, "help"), `{"type":6}`, 400, 50035},
		{"a press updates its message", s.Button(c, "ib1:random::"), `{"type":7,"data":{"content":"x"}}`, 204, 0},
		{"a press defers the update", s.Button(c, "ib1:random::"), `{"type":6}`, 204, 0},
		{"a press posts a message", s.Button(c, "ib1:why::heat"), `{"type":4,"data":{"content":"x"}}`, 204, 0},
		{"an autocomplete's choices", s.Autocomplete(c, "why", Focused("title", "he")), `{"type":8,"data":{"choices":[]}}`, 204, 0},
		{"an autocomplete cannot post", s.Autocomplete(c, "why", Focused("title", "he")), `{"type":4,"data":{"content":"x"}}`, 400, 50035},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, code := call(t, s, "POST", "/interactions/"+tc.i.ID+"/"+tc.i.Token+"/callback", "", tc.body)
			if status != tc.status || code != tc.wantCode {
				t.Errorf("got %d (code %d), want %d (code %d)", status, code, tc.status, tc.wantCode)
			}
		})
	}
}

func TestREST(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Token: "tok"})
	i := s.Command(Caller{GuildID: "1", ChannelID: "2"}, "help")
	cb := "/interactions/" + i.ID + "/" + i.Token + "/callback"
	hook := "/webhooks/" + i.AppID + "/" + i.Token
	msg := `{"content":"hi","embeds":[{"title":"T"}],"components":[{"type":1,"components":[{"type":2,"label":"Another","custom_id":"ib1:random::","style":1}]}]}`
	tests := []struct {
		name             string
		method, path     string
		auth, body       string
		status, wantCode int
	}{
		{"gateway lookup needs no token", "GET", "/gateway", "", "", 200, 0},
		{"gateway/bot needs the token", "GET", "/gateway/bot", "", "", 401, 0},
		{"gateway/bot with it", "GET", "/gateway/bot", "Bot tok", "", 200, 0},
		{"first callback", "POST", cb, "", `{"type":4,"data":{"content":"x"}}`, 204, 0},
		{"second callback", "POST", cb, "", `{"type":4,"data":{"content":"x"}}`, 400, 40060},
		{"unknown interaction", "POST", "/interactions/1/nope/callback", "", `{"type":4}`, 404, 10062},
		{"edit the original", "PATCH", hook + "/messages/@original", "", msg, 200, 0},
		{"follow up", "POST", hook + "?wait=true", "", msg, 200, 0},
		{"delete the original", "DELETE", hook + "/messages/@original", "", "", 204, 0},
		{"unknown webhook", "POST", "/webhooks/" + i.AppID + "/nope", "", msg, 404, 10015},
		{"post without the token", "POST", "/channels/9/messages", "", msg, 401, 0},
		{"post with another token", "POST", "/channels/9/messages", "Bot other", msg, 401, 0},
		{"post", "POST", "/channels/9/messages", "Bot tok", msg, 200, 0},
		{"empty post", "POST", "/channels/9/messages", "Bot tok", `{}`, 400, 50006},
		{"commands of another application", "PUT", "/applications/5/commands", "Bot tok", `[]`, 403, 50001},
		{"commands with a bad name", "PUT", "/applications/" + s.ApplicationID() + "/commands", "Bot tok", `[{"name":"Bad Name","description":"d"}]`, 400, 50035},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, code := call(t, s, tc.method, tc.path, tc.auth, tc.body)
			if status != tc.status || code != tc.wantCode {
				t.Errorf("got %d (code %d), want %d (code %d)", status, code, tc.status, tc.wantCode)
			}
		})
	}
	l := s.Interaction(i.Token)
	if len(l.Callbacks) != 2 || len(l.Edits) != 1 || len(l.Followups) != 1 || !l.Deleted || l.Authorization {
		t.Errorf("interaction log = %+v", l)
	}
	msgs := s.Messages("9")
	if len(msgs) != 1 || msgs[0].Content != "hi" || len(msgs[0].Embeds) != 1 || len(msgs[0].Buttons) != 1 || msgs[0].Buttons[0].CustomID != "ib1:random::" {
		t.Errorf("messages = %+v", msgs)
	}
	if s.Attempts("9") != 2 || s.MessageCount("9") != 1 {
		t.Errorf("%d attempts, %d messages; want 2, 1", s.Attempts("9"), s.MessageCount("9"))
	}
}

func TestFailChannel(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Token: "tok"})
	body := `{"content":"hi"}`
	s.FailChannel("1", RateLimited(1500*time.Millisecond))
	req, _ := http.NewRequest("POST", s.URL+"/api/v9/channels/1/messages", bytes.NewReader([]byte(body)))
	req.Header.Set("Authorization", "Bot tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" || !strings.Contains(string(b), `"retry_after":1.5`) {
		t.Errorf("429: %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}
	s.FailChannel("2", Failure{Status: 500, Times: 2})
	for n, want := range []int{500, 500, 200} {
		if got, _ := call(t, s, "POST", "/channels/2/messages", "Bot tok", body); got != want {
			t.Errorf("post %d: %d, want %d", n, got, want)
		}
	}
	s.FailChannel("3", MissingAccess())
	s.ClearFailure("3")
	if got, _ := call(t, s, "POST", "/channels/3/messages", "Bot tok", body); got != 200 {
		t.Errorf("after ClearFailure: %d", got)
	}
	if got := s.MessageCounts(); got["2"] != 1 || got["3"] != 1 || got["1"] != 0 {
		t.Errorf("counts = %v", got)
	}
}

func TestShardOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		guild  string
		shards int
		want   int
	}{
		{"", 4, 0},
		{"41771983423143937", 1, 0},
		{"41771983423143937", 2, 0}, // (id >> 22) is even
		{"4194304", 2, 1},           // 1 << 22
		{"8388608", 2, 0},           // 2 << 22
		{"12582912", 3, 0},          // 3 << 22
		{"not a snowflake", 2, 0},
	}
	for _, tc := range tests {
		if got := ShardOf(tc.guild, tc.shards); got != tc.want {
			t.Errorf("ShardOf(%q, %d) = %d, want %d", tc.guild, tc.shards, got, tc.want)
		}
	}
}

func TestWaitStopsWithTheContext(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Wait(ctx, func() bool { return false }); err == nil {
		t.Error("Wait returned nil for a condition that never holds")
	}
}

// TestHold: a held post delivers when released, and not at all when its
// client gave up meanwhile.
func TestHold(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Token: "tok"})
	post := func(ctx context.Context, channel string) error {
		req, _ := http.NewRequestWithContext(ctx, "POST", s.URL+"/api/v9/channels/"+channel+"/messages", strings.NewReader(`{"content":"hi"}`))
		req.Header.Set("Authorization", "Bot tok")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	release := s.Hold()
	done := make(chan error, 1)
	go func() { done <- post(context.Background(), "1") }()
	gone, cancel := context.WithCancel(context.Background())
	abandoned := make(chan error, 1)
	go func() { abandoned <- post(gone, "2") }()
	ctx, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if err := s.Wait(ctx, func() bool { return s.Held() == 2 }); err != nil {
		t.Fatal(err)
	}
	if n := s.MessageCount("1"); n != 0 {
		t.Fatalf("a held post delivered %d", n)
	}
	cancel()
	<-abandoned
	if err := s.Wait(ctx, func() bool { return s.Held() == 1 }); err != nil { // the server saw the client go
		t.Fatal(err)
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s.MessageCount("1") != 1 || s.MessageCount("2") != 0 {
		t.Errorf("delivered %v, want channel 1 only", s.MessageCounts())
	}
}

// TestNonce: a message with a nonce and enforce_nonce that the channel saw
// within the window is answered with the first, not created; without
// enforce_nonce, in another channel or after the window, it is created.
func TestNonce(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Token: "tok"})
	short := Start(t, Options{Token: "tok", NonceWindow: time.Nanosecond})
	post := func(s *Server, channel, body string) string {
		t.Helper()
		req, _ := http.NewRequest("POST", s.URL+"/api/v9/channels/"+channel+"/messages", strings.NewReader(body))
		req.Header.Set("Authorization", "Bot tok")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m struct {
			ID    string `json:"id"`
			Nonce string `json:"nonce"`
		}
		json.NewDecoder(resp.Body).Decode(&m)
		return m.ID
	}
	const enforced = `{"content":"hi","nonce":"n1","enforce_nonce":true}`
	first := post(s, "1", enforced)
	if again := post(s, "1", enforced); again != first || s.MessageCount("1") != 1 || s.Dropped("1") != 1 {
		t.Errorf("the same nonce again: id %s (first %s), %d messages, %d dropped; want the first, 1, 1", again, first, s.MessageCount("1"), s.Dropped("1"))
	}
	post(s, "1", `{"content":"hi","nonce":"n1"}`)
	post(s, "2", enforced)
	post(short, "1", enforced)
	post(short, "1", enforced)
	if s.MessageCount("1") != 2 || s.MessageCount("2") != 1 || short.MessageCount("1") != 2 {
		t.Errorf("messages %v and %v, want 2 and 1, and 2 after the window", s.MessageCounts(), short.MessageCounts())
	}
	if code, _ := call(t, s, "POST", "/channels/1/messages", "Bot tok", `{"content":"hi","nonce":"`+strings.Repeat("n", 26)+`"}`); code != http.StatusBadRequest {
		t.Errorf("a 26-character nonce: %d, want 400", code)
	}
}

// TestLoseAnswers: a post whose answer is lost is created all the same,
// and the client hears nothing: a reset, or an answer once it gave up.
func TestLoseAnswers(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Token: "tok"})
	s.LoseAnswers("1", LoseReset, 1)
	s.LoseAnswers("2", LoseLate, 1)
	wait, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	for _, channel := range []string{"1", "2"} {
		// The client gives up once the fake has the message, as a timeout
		// would.
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "POST", s.URL+"/api/v9/channels/"+channel+"/messages", strings.NewReader(`{"content":"hi"}`))
		req.Header.Set("Authorization", "Bot tok")
		done := make(chan error, 1)
		go func() {
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
			}
			done <- err
		}()
		if err := s.Wait(wait, func() bool { return s.MessageCount(channel) == 1 }); err != nil {
			t.Fatalf("channel %s: %v", channel, err)
		}
		if channel == "2" {
			cancel()
		}
		if err := <-done; err == nil {
			t.Errorf("channel %s: an answer came back", channel)
		}
		cancel()
	}
	if code, _ := call(t, s, "POST", "/channels/1/messages", "Bot tok", `{"content":"hi"}`); code != http.StatusOK {
		t.Errorf("the next post: %d, want 200", code)
	}
}

// TestThreads: a thread starts on a message of the channel, once, with a
// name Discord takes, and its id is the message's; posts to it are
// recorded as a channel's, and fail when told.
func TestThreads(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Token: "tok"})
	if status, _ := call(t, s, "POST", "/channels/9/messages", "Bot tok", `{"content":"hi","allowed_mentions":{"parse":[],"roles":["5"]}}`); status != 200 {
		t.Fatalf("post: %d", status)
	}
	m := s.Messages("9")[0]
	if a := m.AllowedMentions; a == nil || a.Parse == nil || len(a.Parse) != 0 || len(a.Roles) != 1 || a.Roles[0] != "5" {
		t.Errorf("allowed_mentions recorded as %+v", a)
	}
	threads := "/channels/9/messages/" + m.ID + "/threads"
	for _, tc := range []struct {
		name         string
		path, body   string
		status, code int
	}{
		{"without the token", threads, `{"name":"T"}`, 401, 0},
		{"an unknown message", "/channels/9/messages/1/threads", `{"name":"T"}`, 404, 10008},
		{"a message of another channel", "/channels/8/messages/" + m.ID + "/threads", `{"name":"T"}`, 404, 10008},
		{"no name", threads, `{"name":""}`, 400, 50035},
		{"a name too long", threads, `{"name":"` + strings.Repeat("n", 101) + `"}`, 400, 50035},
		{"an archive duration Discord does not offer", threads, `{"name":"T","auto_archive_duration":30}`, 400, 50035},
		{"a thread", threads, `{"name":"Thief","auto_archive_duration":1440}`, 201, 0},
		{"a second thread", threads, `{"name":"Again"}`, 400, 160004},
	} {
		t.Run(tc.name, func(t *testing.T) {
			auth := "Bot tok"
			if tc.name == "without the token" {
				auth = ""
			}
			if status, code := call(t, s, "POST", tc.path, auth, tc.body); status != tc.status || code != tc.code {
				t.Errorf("got %d (code %d), want %d (code %d)", status, code, tc.status, tc.code)
			}
		})
	}
	th := s.Threads("9")
	if len(th) != 1 || th[0].ID != m.ID || th[0].ParentID != "9" || th[0].Name != "Thief" || th[0].AutoArchiveDuration != 1440 || s.ThreadAttempts("9") != 6 {
		t.Fatalf("threads %+v after %d attempts, want the one named Thief of 6 (a request without the token is not one)", th, s.ThreadAttempts("9"))
	}
	if status, _ := call(t, s, "POST", "/channels/"+m.ID+"/messages", "Bot tok", `{"content":"in the thread"}`); status != 200 || s.MessageCount(m.ID) != 1 || s.MessageCount("9") != 1 {
		t.Errorf("post to the thread: %d; %d in it, %d in the channel", status, s.MessageCount(m.ID), s.MessageCount("9"))
	}
	s.FailThreadPosts("9", MissingPermissions())
	if status, code := call(t, s, "POST", "/channels/"+m.ID+"/messages", "Bot tok", `{"content":"again"}`); status != 403 || code != 50013 {
		t.Errorf("post to a failing thread: %d (code %d), want 403 (50013)", status, code)
	}
	s.FailThreads("9", Failure{Status: 403, Code: 50013, Message: "Missing Permissions", Times: 1})
	if status, code := call(t, s, "POST", "/channels/9/messages/1/threads", "Bot tok", `{"name":"T"}`); status != 403 || code != 50013 {
		t.Errorf("a failing thread start: %d (code %d), want 403 (50013)", status, code)
	}
	s.ClearThreadFailure("9")
	if status, _ := call(t, s, "POST", "/channels/"+m.ID+"/messages", "Bot tok", `{"content":"again"}`); status != 200 {
		t.Errorf("post to the thread after clearing: %d", status)
	}
}

// TestUserInstalls: the interactions of a user install carry what
// Discord's do (authorizing_integration_owners {"1": the user}, the
// context, a user and no member, the channel object), and the bot's own
// posts to a channel it is no member of are refused, while the
// interaction's callback and webhook work.
func TestUserInstalls(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Token: "tok"})
	type payload struct {
		Context int               `json:"context"`
		Owners  map[string]string `json:"authorizing_integration_owners"`
		Channel *struct {
			ID   string `json:"id"`
			Type int    `json:"type"`
		} `json:"channel"`
		ChannelID   string          `json:"channel_id"`
		GuildID     string          `json:"guild_id"`
		Member      json.RawMessage `json:"member"`
		User        *struct{ ID string }
		Permissions string `json:"app_permissions"`
	}
	tests := []struct {
		name    string
		c       Caller
		context int
		owners  map[string]string
		chType  int
		member  bool
		perms   string
	}{
		{"a server that installed the bot", Caller{GuildID: "1", ChannelID: "2", UserID: "3"}, 0, map[string]string{"0": "1"}, 0, true, "19456"},
		{"the bot's DM", Caller{ChannelID: "4", UserID: "3"}, 1, map[string]string{"0": "0"}, 1, true, "180224"},
		{"the bot's DM, user-installed", Caller{ChannelID: "5", UserID: "3", UserInstall: true}, 1, map[string]string{"1": "3"}, 1, true, "180224"},
		{"a group DM, user-installed", Caller{ChannelID: "6", UserID: "3", UserInstall: true, GroupDM: true}, 2, map[string]string{"1": "3"}, 3, false, "180224"},
		{"a server only the user installed the app in", Caller{GuildID: "1", ChannelID: "7", UserID: "3", UserInstall: true, AppPermissions: 1024}, 0, map[string]string{"1": "3"}, 0, false, "1024"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			i := s.Command(tc.c, "help")
			var p payload
			if err := json.Unmarshal(s.Payload(i), &p); err != nil {
				t.Fatal(err)
			}
			if p.Context != tc.context || len(p.Owners) != len(tc.owners) || p.Permissions != tc.perms {
				t.Errorf("context %d, owners %v, app_permissions %s; want %d, %v, %s", p.Context, p.Owners, p.Permissions, tc.context, tc.owners, tc.perms)
			}
			for k, v := range tc.owners {
				if p.Owners[k] != v {
					t.Errorf("owners %v, want %v", p.Owners, tc.owners)
				}
			}
			if p.Channel == nil || p.Channel.ID != tc.c.ChannelID || p.Channel.Type != tc.chType || p.ChannelID != tc.c.ChannelID {
				t.Errorf("channel %+v, channel_id %q; want %s of type %d, both", p.Channel, p.ChannelID, tc.c.ChannelID, tc.chType)
			}
			if inGuild := tc.c.GuildID != ""; (string(p.Member) != "null") != inGuild || (p.User != nil) == inGuild {
				t.Errorf("member %s, user %v: want a member in a guild, a user elsewhere", p.Member, p.User)
			}
			if s.IsMember(tc.c.ChannelID) != tc.member {
				t.Errorf("IsMember = %v, want %v", !tc.member, tc.member)
			}
			status, code := call(t, s, "POST", "/channels/"+tc.c.ChannelID+"/messages", "Bot tok", `{"content":"hi"}`)
			if want := map[bool]int{true: 200, false: 403}[tc.member]; status != want || !tc.member && code != 50001 {
				t.Errorf("a post with the bot token: %d (code %d), want %d", status, code, want)
			}
			if status, _ := call(t, s, "POST", "/interactions/"+i.ID+"/"+i.Token+"/callback", "", `{"type":4,"data":{"content":"x"}}`); status != 204 {
				t.Errorf("the callback: %d, want 204", status)
			}
			if status, _ := call(t, s, "POST", "/webhooks/"+i.AppID+"/"+i.Token+"?wait=true", "", `{"content":"more"}`); status != 200 {
				t.Errorf("a follow-up: %d, want 200", status)
			}
		})
	}
}

// TestRoles: a role option resolves, in data.resolved.roles, to the role
// AddRole made.
func TestRoles(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	r := s.AddRole("1", "film-club", true)
	i := s.Command(Caller{GuildID: "1", ChannelID: "2"}, "daily", Subcommand("subscribe", Role("mention", r.ID), Bool("thread", true)))
	d := i.ApplicationCommandData()
	if d.Resolved == nil || d.Resolved.Roles[r.ID] == nil || !d.Resolved.Roles[r.ID].Mentionable || d.Resolved.Roles[r.ID].Name != "film-club" {
		t.Errorf("resolved = %+v, want the role", d.Resolved)
	}
	if i := s.Command(Caller{GuildID: "1", ChannelID: "2"}, "why"); i.ApplicationCommandData().Resolved != nil {
		t.Errorf("a command without roles resolved %+v", i.ApplicationCommandData().Resolved)
	}
}

// TestCommandRegistration: a bulk overwrite is refused, as Discord's docs
// have it, when it sends null for an array (discordgo's own types do),
// the global-only fields to a guild, or PRIVATE_CHANNEL without
// USER_INSTALL; the body of the one taken is kept.
func TestCommandRegistration(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Token: "tok"})
	global := "/applications/" + s.ApplicationID() + "/commands"
	guild := "/applications/" + s.ApplicationID() + "/guilds/9/commands"
	nulls, err := json.Marshal([]*discordgo.ApplicationCommand{{Name: "help", Description: "Help"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, body string
		status           int
	}{
		{"discordgo's nulls", global, string(nulls), 400},
		{"a null option's choices", global, `[{"name":"x","description":"d","options":[{"type":3,"name":"o","description":"d","choices":null}]}]`, 400},
		{"contexts in a guild", guild, `[{"name":"x","description":"d","contexts":[0]}]`, 400},
		{"integration_types in a guild", guild, `[{"name":"x","description":"d","integration_types":[0]}]`, 400},
		{"dm_permission in a guild", guild, `[{"name":"x","description":"d","dm_permission":false}]`, 400},
		{"PRIVATE_CHANNEL without USER_INSTALL", global, `[{"name":"x","description":"d","contexts":[0,2],"integration_types":[0]}]`, 400},
		{"a guild's", guild, `[{"name":"x","description":"d"}]`, 200},
		{"global, for both installs", global, `[{"name":"x","description":"d","contexts":[0,1,2],"integration_types":[0,1]}]`, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if status, _ := call(t, s, "PUT", tc.path, "Bot tok", tc.body); status != tc.status {
				t.Errorf("status %d, want %d", status, tc.status)
			}
		})
	}
	if got := string(s.CommandsJSON("")); !strings.Contains(got, `"integration_types":[0,1]`) {
		t.Errorf("CommandsJSON = %s, want the last overwrite taken", got)
	}
}

// TestDispatchJSON: a payload discordgo cannot decode reaches the
// session as it is, and the fake takes the answer to it.
func TestDispatchJSON(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	if _, err := s.DispatchJSON([]byte(`{"id":"1","token":"t","type":3,"message":{"components":[{"type":1000000000}]}}`)); err != ErrNoSession {
		t.Errorf("DispatchJSON with no session = %v, want ErrNoSession", err)
	}
	if _, err := s.DispatchJSON([]byte(`[`)); err == nil {
		t.Error("DispatchJSON took what is not JSON")
	}
	if status, _ := call(t, s, "POST", "/interactions/1/t/callback", "", `{"type":4,"data":{"content":"x"}}`); status != 204 {
		t.Errorf("the answer to a dispatched payload: %d, want 204", status)
	}
}

package slack_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/adapters/slack/slacktest"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
	"github.com/industrybot/industrybot/bot/convtest"
)

// TestHTTPRequests sends the requests an endpoint on the internet gets,
// good and bad, to both routes.
func TestHTTPRequests(t *testing.T) {
	r := newHTTPRig(t, bottest.Bot(t))
	command := []byte(slacktest.CommandForm(slashCommand("/why heat")).Encode())
	press := []byte(slacktest.InteractionForm(slacktest.BlockActionsPayload(slacktest.Press{Channel: "C1", User: "U1", Button: slacktest.Button{Value: "not-ours"}})).Encode())
	ts := strconv.FormatInt(testNow.Unix(), 10)
	signed := func(secret, ts string, body []byte) http.Header {
		h := http.Header{}
		h.Set("Content-Type", "application/x-www-form-urlencoded")
		h.Set(slack.HeaderTimestamp, ts)
		h.Set(slack.HeaderSignature, slacktest.Sign(secret, ts, body))
		return h
	}
	oversized := append(bytes.Repeat([]byte("a"), slack.MaxCommandBody), '=')
	tests := []struct {
		name   string
		path   string
		header http.Header
		body   []byte // what is sent, when it is not what was signed
		signed []byte
		want   int
	}{
		{"command", slack.CommandsPath, signed(testSecret, ts, command), nil, command, http.StatusOK},
		{"press", slack.InteractionsPath, signed(testSecret, ts, press), nil, press, http.StatusOK},
		{"unsigned", slack.CommandsPath, http.Header{}, command, nil, http.StatusUnauthorized},
		{"unsigned press", slack.InteractionsPath, http.Header{}, press, nil, http.StatusUnauthorized},
		{"wrong secret", slack.CommandsPath, signed("not-the-secret-000000000000000", ts, command), nil, command, http.StatusUnauthorized},
		{"stale", slack.CommandsPath, signed(testSecret, strconv.FormatInt(testNow.Add(-6*time.Minute).Unix(), 10), command), nil, command, http.StatusUnauthorized},
		{"future", slack.CommandsPath, signed(testSecret, strconv.FormatInt(testNow.Add(6*time.Minute).Unix(), 10), command), nil, command, http.StatusUnauthorized},
		{"tampered body", slack.CommandsPath, signed(testSecret, ts, command), bytes.Replace(command, []byte("heat"), []byte("thief"), 1), command, http.StatusUnauthorized},
		{"oversized", slack.CommandsPath, signed(testSecret, ts, oversized), nil, oversized, http.StatusRequestEntityTooLarge},
		{"malformed form", slack.CommandsPath, signed(testSecret, ts, []byte("command=%zz")), nil, []byte("command=%zz"), http.StatusBadRequest},
		{"not a command", slack.CommandsPath, signed(testSecret, ts, []byte("text=heat")), nil, []byte("text=heat"), http.StatusBadRequest},
		{"press without payload", slack.InteractionsPath, signed(testSecret, ts, []byte("x=1")), nil, []byte("x=1"), http.StatusBadRequest},
		{"press with a broken payload", slack.InteractionsPath, signed(testSecret, ts, []byte("payload=%7B")), nil, []byte("payload=%7B"), http.StatusBadRequest},
		{"ssl check", slack.CommandsPath, signed(testSecret, ts, []byte("ssl_check=1&token=x")), nil, []byte("ssl_check=1&token=x"), http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			if body == nil {
				body = tc.signed
			}
			req, err := http.NewRequestWithContext(testCtx(t), http.MethodPost, r.srv.URL+tc.path, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header = tc.header
			status, got := do(t, req)
			if status != tc.want {
				t.Errorf("status = %d, want %d (body %q)", status, tc.want, got)
			}
			if status == http.StatusUnauthorized && len(got) != 0 {
				t.Errorf("a 401 says %q, want no detail", got)
			}
		})
	}
}

// TestHTTPConversation plays the core's script through signed HTTP slash
// commands: the same content as the core's own answers.
func TestHTTPConversation(t *testing.T) {
	r := newHTTPRig(t, bottest.Bot(t))
	convtest.Run(t, func(t *testing.T, line string) convtest.Content {
		return content(r.command(t, line))
	})
}

func TestHTTPAnswer(t *testing.T) {
	r := newHTTPRig(t, bottest.Bot(t))
	t.Run("public pick", func(t *testing.T) {
		ans := r.command(t, "/random tv")
		if ans.ResponseType != slack.InChannel {
			t.Errorf("response_type = %q, want in_channel", ans.ResponseType)
		}
		if ans.Text == "" || strings.Contains(ans.Text, "*") {
			t.Errorf("fallback text = %q, want plain words", ans.Text)
		}
	})
	t.Run("parse error is private", func(t *testing.T) {
		ans := r.command(t, "/random book")
		c := content(ans)
		if !c.Private || !strings.Contains(c.Text, "/random takes film or tv") {
			t.Errorf("got %+v, want a private error", c)
		}
	})
	t.Run("unknown command is private", func(t *testing.T) {
		c := content(r.command(t, "/dance"))
		if !c.Private || !strings.Contains(c.Text, "Unknown command “/dance”") {
			t.Errorf("got %+v", c)
		}
	})
	t.Run("help is private", func(t *testing.T) {
		if c := content(r.command(t, "/help")); !c.Private {
			t.Errorf("got %+v, want private", c)
		}
	})
}

// TestHTTPSlowAnswerGoesToResponseURL holds the handler past the ack
// budget: the command is acknowledged with an empty 200 and its answer
// posted to the response URL when it is ready.
func TestHTTPSlowAnswerGoesToResponseURL(t *testing.T) {
	h := &spy{release: make(chan struct{}), reply: bot.Reply{Text: "late but here", Private: true}}
	r := newHTTPRig(t, h, func(c *slack.Config) { c.AckWithin = time.Millisecond })
	c := slashCommand("/random")
	c.ResponseURL = r.fake.ResponseURL()
	status, body := r.post(t, slack.CommandsPath, []byte(slacktest.CommandForm(c).Encode()))
	if status != http.StatusOK || len(body) != 0 {
		t.Fatalf("got %d %q, want an empty 200", status, body)
	}
	if n := len(r.fake.Responses()); n != 0 {
		t.Fatalf("%d responses before the answer was ready", n)
	}
	close(h.release)
	got, err := r.fake.WaitResponses(testCtx(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	if resp := got[0]; resp.ID != c.ResponseURL[strings.LastIndex(c.ResponseURL, "/")+1:] || resp.ResponseType != slack.Ephemeral || !strings.Contains(resp.PlainText(), "late but here") || resp.ReplaceOriginal {
		t.Errorf("response = %+v, want the ephemeral answer at %s", resp, c.ResponseURL)
	}
}

// TestHTTPSlowAnswerFreesTheConnection: the empty acknowledgement of a
// slow command closes its connection, so a client that sends the next
// request does not wait behind the slow command for a connection net/http
// has not yet freed.
func TestHTTPSlowAnswerFreesTheConnection(t *testing.T) {
	h := &spy{release: make(chan struct{}), reply: bot.Reply{Text: "late"}}
	r := newHTTPRig(t, h, func(c *slack.Config) { c.AckWithin = time.Millisecond })
	defer close(h.release)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}, Timeout: 2 * time.Second}
	defer client.CloseIdleConnections()
	send := func(body []byte) *http.Response {
		t.Helper()
		req, err := slacktest.SignedRequest(testCtx(t), r.srv.URL+slack.CommandsPath, testSecret, r.clock.Now(), body)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("while a slow command runs: %v", err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	c := slashCommand("/random")
	c.ResponseURL = r.fake.ResponseURL()
	if resp := send([]byte(slacktest.CommandForm(c).Encode())); resp.StatusCode != http.StatusOK || !resp.Close {
		t.Fatalf("got %d, Connection: close %v; want an empty 200 that closes the connection", resp.StatusCode, resp.Close)
	}
	if resp := send([]byte("ssl_check=1")); resp.StatusCode != http.StatusOK {
		t.Errorf("a request behind the slow command: HTTP %d", resp.StatusCode)
	}
}

// TestHTTPButtons presses Another and Why? on a /random answer, and a
// suggestion of a private miss.
func TestHTTPButtons(t *testing.T) {
	r := newHTTPRig(t, bottest.Bot(t))
	testButtons(t, r.fake, r.a, func(t *testing.T, line string) slacktest.Response { return r.command(t, line) },
		func(t *testing.T, p slacktest.Press) {
			form := slacktest.InteractionForm(slacktest.BlockActionsPayload(p))
			status, body := r.post(t, slack.InteractionsPath, []byte(form.Encode()))
			if status != http.StatusOK || len(body) != 0 {
				t.Fatalf("press: got %d %q, want an empty 200", status, body)
			}
		})
}

// testButtons is the button script both transports play: say sends a
// command, press a button press (acknowledged by the time it returns).
func testButtons(t *testing.T, fake *slacktest.Server, a *slack.Adapter, say func(*testing.T, string) slacktest.Response, press func(*testing.T, slacktest.Press)) {
	first := content(say(t, "/random film"))
	if len(first.Titles) != 1 {
		t.Fatalf("/random film: titles %q", first.Titles)
	}
	answer := say(t, "/random film")
	shown := content(answer).Titles[0]
	n := len(fake.Responses())
	respond := func(t *testing.T, b slacktest.Button) slacktest.Response {
		t.Helper()
		p := slacktest.Press{Button: b, Channel: "C1", User: "U2", UserName: "grace", ResponseURL: fake.ResponseURL()}
		press(t, p)
		n++
		got, err := fake.WaitResponses(testCtx(t), n)
		if err != nil {
			t.Fatal(err)
		}
		resp := got[n-1]
		if want := p.ResponseURL[strings.LastIndex(p.ResponseURL, "/")+1:]; resp.ID != want {
			t.Errorf("answered at %s, want %s", resp.ID, want)
		}
		return resp
	}
	t.Run("Another replaces the message", func(t *testing.T) {
		resp := respond(t, button(t, answer, "Another"))
		c := content(resp)
		if !resp.ReplaceOriginal || c.Private || len(c.Titles) != 1 {
			t.Fatalf("got %+v (replace_original %v), want one public pick in place of the message", c, resp.ReplaceOriginal)
		}
		if c.Titles[0] == shown {
			t.Errorf("Another showed %q again", shown)
		}
	})
	t.Run("Why? follows up", func(t *testing.T) {
		resp := respond(t, button(t, answer, "Why?"))
		c := content(resp)
		if resp.ReplaceOriginal || resp.ResponseType != slack.InChannel || len(c.Titles) != 1 || c.Titles[0] != shown {
			t.Errorf("got %+v (replace_original %v, %s), want the commentary on %q as a new message in the channel", c, resp.ReplaceOriginal, resp.ResponseType, shown)
		}
	})
	t.Run("suggestion of a private miss", func(t *testing.T) {
		miss := say(t, "/why mad")
		resp := respond(t, button(t, miss, "Mad Men"))
		if c := content(resp); resp.ReplaceOriginal || c.Private || len(c.Titles) != 1 || c.Titles[0] != "Mad Men" {
			t.Errorf("got %+v, want the commentary on Mad Men", c)
		}
	})
	t.Run("a button that is not ours is acknowledged and ignored", func(t *testing.T) {
		before := fake.Calls(slacktest.MethodResponseURL)
		press(t, slacktest.Press{Button: slacktest.Button{ActionID: "x", Value: "someone-else:1"}, Channel: "C1", User: "U2", ResponseURL: fake.ResponseURL()})
		if err := a.Drain(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		if got := fake.Calls(slacktest.MethodResponseURL); got != before {
			t.Errorf("%d posts to response URLs after a foreign press, want none", got-before)
		}
	})
}

func TestHTTPModeNeedsSecret(t *testing.T) {
	_, err := slack.New(slack.Config{Handler: bottest.Bot(t), Mode: slack.ModeHTTP})
	if err == nil || !strings.Contains(err.Error(), "slack.signing_secret") {
		t.Errorf("got %v, want an error naming slack.signing_secret", err)
	}
}

// TestFollowUpRateLimited: a 429 from a response URL is waited out for its
// Retry-After, then the answer is sent again.
func TestFollowUpRateLimited(t *testing.T) {
	r := newHTTPRig(t, bottest.Bot(t))
	waits := recordSleeps(r.a)
	answer := r.command(t, "/random")
	f := slacktest.RateLimited(4 * time.Second)
	f.Times = 1
	r.fake.Fail(slacktest.MethodResponseURL, "", f)
	p := slacktest.Press{Button: button(t, answer, "Why?"), Channel: "C1", User: "U1", ResponseURL: r.fake.ResponseURL()}
	if status, _ := r.post(t, slack.InteractionsPath, []byte(slacktest.InteractionForm(slacktest.BlockActionsPayload(p)).Encode())); status != http.StatusOK {
		t.Fatalf("press: status %d", status)
	}
	got, err := r.fake.WaitResponses(testCtx(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	if c := content(got[0]); len(c.Titles) != 1 {
		t.Errorf("response %+v, want the commentary", c)
	}
	if n := r.fake.Calls(slacktest.MethodResponseURL); n != 2 {
		t.Errorf("%d posts to the response URL, want 2 (a 429, then the answer)", n)
	}
	if w := waits(); len(w) != 1 || w[0] != 4*time.Second {
		t.Errorf("waited %v, want [4s]", w)
	}
}

// TestAnotherLeavesADailyPostInPlace: the daily post belongs to the whole
// channel, so Another on it follows it instead of replacing it.
func TestAnotherLeavesADailyPostInPlace(t *testing.T) {
	r := newHTTPRig(t, bottest.Bot(t))
	c := bottest.Catalog(t)
	daily := slack.Render(scheduledPost(t, c))
	var another slacktest.Button
	for _, b := range slacktest.Buttons(slackapi.Blocks{BlockSet: daily.Blocks}) {
		if b.Label == "Another" {
			another = b
		}
	}
	if another.Value == "" {
		t.Fatal("the daily post has no Another button")
	}
	p := slacktest.Press{Button: another, Channel: "C1", User: "U2", ResponseURL: r.fake.ResponseURL(), Blocks: slackapi.Blocks{BlockSet: daily.Blocks}}
	if status, _ := r.post(t, slack.InteractionsPath, []byte(slacktest.InteractionForm(slacktest.BlockActionsPayload(p)).Encode())); status != 200 {
		t.Fatalf("press: %d", status)
	}
	got, err := r.fake.WaitResponses(testCtx(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].ReplaceOriginal || got[0].ResponseType != slack.InChannel {
		t.Errorf("Another on a daily post: replace_original %v, %s; want a new message in the channel", got[0].ReplaceOriginal, got[0].ResponseType)
	}
}

// scheduledPost returns the reply of a daily pick, as the scheduler hands it
// to the poster.
func scheduledPost(t *testing.T, c *bot.Catalog) bot.Reply {
	t.Helper()
	ctx := testCtx(t)
	clock := &fixedClock{now: time.Date(2026, 11, 20, 9, 0, 5, 0, time.UTC)}
	poster := &capture{}
	s := bot.NewScheduler(bot.SchedulerConfig{Store: bot.NewMemoryStore(), Catalog: c, Clock: clock, Owner: "test",
		Posters: map[bot.Platform]bot.Poster{bot.Slack: poster}})
	if _, err := s.Subscribe(ctx, bot.ChannelKey{Platform: bot.Slack, Channel: "C1"}, bot.User{ID: "U1"}, bot.Schedule{Time: "09:00", Timezone: "UTC"}); err != nil {
		t.Fatal(err)
	}
	clock.now = clock.now.Add(24 * time.Hour)
	if err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if len(poster.replies) != 1 {
		t.Fatalf("the scheduler posted %d times, want once", len(poster.replies))
	}
	return poster.replies[0]
}

type fixedClock struct{ now time.Time }

func (c *fixedClock) Now() time.Time                                   { return c.now }
func (c *fixedClock) Sleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// capture is a bot.Poster that keeps what it is given.
type capture struct{ replies []bot.Reply }

func (p *capture) Post(_ context.Context, _, _ string, r bot.Reply) error {
	p.replies = append(p.replies, r)
	return nil
}
func (p *capture) Look(context.Context, string, string, time.Time) (bool, error) {
	return false, bot.ErrCannotLook
}
func (p *capture) Dedup() time.Duration { return 0 }

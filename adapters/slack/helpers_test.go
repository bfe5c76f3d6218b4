package slack_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/adapters/slack/slacktest"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/convtest"
)

// testNow is the clock of the HTTP tests: requests are signed at it.
var testNow = time.Unix(1_700_000_000, 0)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// testCtx is a context that ends with the test, or after 20 seconds: a
// wait for something that never comes fails instead of hanging.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// httpRig is an adapter in HTTP mode behind a server on 127.0.0.1, with a
// fake Slack for its response URLs and Web API calls.
type httpRig struct {
	fake  *slacktest.Server
	a     *slack.Adapter
	srv   *httptest.Server
	clock *clock // the adapter's; requests are signed at it
}

func newHTTPRig(t *testing.T, h bot.Handler, opts ...func(*slack.Config)) *httpRig {
	t.Helper()
	fake := slacktest.New(t)
	clk := &clock{t: testNow}
	c := slack.Config{Handler: h, Mode: slack.ModeHTTP, SigningSecret: testSecret, APIURL: fake.APIURL(), Now: clk.Now}
	for _, o := range opts {
		o(&c)
	}
	a, err := slack.New(c)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		srv.Close()
		if err := a.Drain(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return &httpRig{fake: fake, a: a, srv: srv, clock: clk}
}

// post sends a signed body to path and returns the status and body.
func (r *httpRig) post(t *testing.T, path string, body []byte) (int, []byte) {
	t.Helper()
	req, err := slacktest.SignedRequest(testCtx(t), r.srv.URL+path, testSecret, r.clock.Now(), body)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// command sends a line such as "/why heat" from user U1 in channel C1 and
// returns the answer in the response.
func (r *httpRig) command(t *testing.T, line string) slacktest.Response {
	t.Helper()
	return r.commandFrom(t, "U1", line)
}

func (r *httpRig) commandFrom(t *testing.T, user, line string) slacktest.Response {
	t.Helper()
	c := slashCommand(line)
	c.UserID = user
	c.ResponseURL = r.fake.ResponseURL()
	status, body := r.post(t, slack.CommandsPath, []byte(slacktest.CommandForm(c).Encode()))
	if status != http.StatusOK {
		t.Fatalf("%s: status %d: %s", line, status, body)
	}
	ans, ok, err := slacktest.Ack{Payload: body}.Answer()
	if err != nil {
		t.Fatalf("%s: %v\n%s", line, err, body)
	}
	if !ok {
		t.Fatalf("%s: answered with an empty 200, want the answer", line)
	}
	return ans
}

// socketRig is an adapter in Socket Mode connected to a fake Slack.
type socketRig struct {
	fake *slacktest.Server
	a    *slack.Adapter
	done chan error
}

func newSocketRig(t *testing.T, h bot.Handler, opts ...func(*slack.Config)) *socketRig {
	t.Helper()
	fake := slacktest.New(t)
	c := slack.Config{Handler: h, Mode: slack.ModeSocket, BotToken: slacktest.BotToken, AppToken: slacktest.AppToken, APIURL: fake.APIURL()}
	for _, o := range opts {
		o(&c)
	}
	a, err := slack.New(c)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("Run did not return after its context ended")
		}
	})
	if err := fake.WaitConnected(testCtx(t), 1); err != nil {
		t.Fatal(err)
	}
	return &socketRig{fake: fake, a: a, done: done}
}

// command sends a line as a slash_commands envelope and returns the answer
// in its acknowledgement.
func (r *socketRig) command(t *testing.T, line string) slacktest.Response {
	t.Helper()
	ack, err := r.fake.SendSlashCommand(testCtx(t), slashCommand(line))
	if err != nil {
		t.Fatal(err)
	}
	ans, ok, err := ack.Answer()
	if err != nil || !ok {
		t.Fatalf("%s: acknowledgement %s: ok %v, err %v; want the answer in it", line, ack.Payload, ok, err)
	}
	return ans
}

// slashCommand is what Slack sends for a line typed by U1 in C1.
func slashCommand(line string) slackapi.SlashCommand {
	name, text, _ := strings.Cut(strings.TrimSpace(line), " ")
	return slackapi.SlashCommand{ChannelID: "C1", ChannelName: "general", UserID: "U1", UserName: "ada", Command: name, Text: text}
}

var pickHeading = regexp.MustCompile(`^pick-\d+$`)

// content reduces a Slack message to what every platform must agree on:
// titles are the bold part of a pick's or the commentary's heading.
func content(r slacktest.Response) convtest.Content {
	c := convtest.Content{Private: r.ResponseType == slack.Ephemeral, Text: r.PlainText()}
	for _, b := range r.Blocks.BlockSet {
		s, ok := b.(*slackapi.SectionBlock)
		if !ok || s.Text == nil || !(s.BlockID == "title" || pickHeading.MatchString(s.BlockID)) {
			continue
		}
		if _, rest, ok := strings.Cut(s.Text.Text, "*"); ok {
			title, _, _ := strings.Cut(rest, "*")
			c.Titles = append(c.Titles, strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(title))
		}
	}
	for _, b := range r.Buttons() {
		c.Buttons = append(c.Buttons, b.Label)
	}
	return c
}

// button finds a button by its label.
func button(t *testing.T, r slacktest.Response, label string) slacktest.Button {
	t.Helper()
	for _, b := range r.Buttons() {
		if b.Label == label {
			return b
		}
	}
	t.Fatalf("no %q button among %+v", label, r.Buttons())
	return slacktest.Button{}
}

// spy is a handler that records requests and answers with a fixed reply,
// after release is closed when it is set.
type spy struct {
	mu      sync.Mutex
	reqs    []bot.Request
	reply   bot.Reply
	release chan struct{}
	started chan struct{}
}

func (s *spy) Handle(ctx context.Context, req bot.Request) bot.Reply {
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	s.mu.Unlock()
	if s.started != nil {
		close(s.started)
	}
	if s.release != nil {
		<-s.release
	}
	return s.reply
}

func (s *spy) requests() []bot.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]bot.Request(nil), s.reqs...)
}

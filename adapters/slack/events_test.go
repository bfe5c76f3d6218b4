package slack_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/adapters/slack/slacktest"
	"github.com/industrybot/industrybot/bot"
)

// TestEventsURLVerification: Slack's check of the request URL gets its
// challenge back as plain text; unsigned events get 401, and an event the
// app does not know, or one it cannot read, is acknowledged, never refused
// (a refusal would be retried).
func TestEventsURLVerification(t *testing.T) {
	r := newOAuthRig(t)
	d, err := r.fake.SendRawEvent(testCtx(t), []byte(`{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`))
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != http.StatusOK || string(d.Answer) != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" || !strings.HasPrefix(d.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("url_verification: %d %q %s", d.Status, d.Answer, d.Header.Get("Content-Type"))
	}
	for name, ev := range map[string]map[string]any{
		"unknown event": {"type": "reaction_added", "user": "U1"},
		"messages tab":  {"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "messages"},
	} {
		d, err := r.fake.SendEvent(testCtx(t), teamA, ev)
		if err != nil || d.Status != http.StatusOK {
			t.Errorf("%s: %d %v", name, d.Status, err)
		}
	}
	if d, _ := r.fake.SendRawEvent(testCtx(t), []byte(`{"type":"event_callback","event":[]}`)); d.Status != http.StatusOK {
		t.Errorf("an event that does not decode: %d, want 200", d.Status)
	}
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+slack.EventsPath, strings.NewReader(`{"type":"url_verification","challenge":"x"}`))
	if code, body := do(t, req); code != http.StatusUnauthorized || len(body) != 0 {
		t.Errorf("unsigned: %d %q, want 401 and nothing", code, body)
	}
	r.settle(t)
	if n := r.fake.Calls(slacktest.MethodViewsPublish); n != 0 {
		t.Errorf("%d Home tabs published for events that publish none", n)
	}
}

// TestEventRetriesAreHandledOnce: Slack sends an event again when it did
// not hear back in time; the app acknowledges the retries and does the
// work once.
func TestEventRetriesAreHandledOnce(t *testing.T) {
	r := newOAuthRig(t)
	r.install(t, teamA, adminA)
	d, err := r.fake.OpenHome(testCtx(t), teamA, "U1")
	if err != nil || d.Status != http.StatusOK {
		t.Fatalf("app_home_opened: %d %v", d.Status, err)
	}
	for n := 1; n <= 3; n++ {
		if again, err := r.fake.Retry(testCtx(t), d, n); err != nil || again.Status != http.StatusOK {
			t.Fatalf("retry %d: %d %v", n, again.Status, err)
		}
	}
	r.settle(t)
	if n := r.fake.CallsIn(teamA, slacktest.MethodViewsPublish); n != 1 {
		t.Errorf("the Home tab was published %d times for one event and its three retries, want 1", n)
	}
	// Uninstalls arrive twice (tokens_revoked, app_uninstalled) and may be
	// retried: each is handled once, and together they leave one uninstall.
	if err := r.fake.Uninstall(testCtx(t), teamA); err != nil {
		t.Fatal(err)
	}
	r.settle(t)
	if _, err := r.store.GetInstallation(t.Context(), bot.Slack, teamA); err == nil {
		t.Error("still installed")
	}
}

// TestAppHome: opening the Home tab shows today's pick of the workspace,
// the channels its daily picks go to with when each is next due, and the
// buttons Another, Why? and Surprise me, which answer in the Home tab
// itself, with the workspace's token.
func TestAppHome(t *testing.T) {
	r := newOAuthRig(t)
	r.install(t, teamA, adminA)
	r.install(t, teamB, adminB)
	r.command(t, teamA, "CFILMS", adminA, "/daily subscribe 09:00 Europe/London")

	home := func(t *testing.T, n int) slacktest.View {
		t.Helper()
		r.settle(t)
		v, err := r.fake.WaitHome(testCtx(t), teamA, "U1", n)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if _, err := r.fake.OpenHome(testCtx(t), teamA, "U1"); err != nil {
		t.Fatal(err)
	}
	v := home(t, 1)
	st, err := r.sched.Status(t.Context(), bot.ChannelKey{Platform: bot.Slack, Channel: slack.ChannelKey(teamA, "CFILMS")})
	if err != nil {
		t.Fatal(err)
	}
	text := v.PlainText()
	for _, want := range []string{"Today's pick", st.NextPick.Title, "Mickey Down and Konrad Kay, creators of Industry", "Daily picks in this workspace", "#CFILMS", "next"} {
		if !strings.Contains(text, want) {
			t.Errorf("the Home tab lacks %q:\n%s", want, text)
		}
	}
	if got := labels(v.Buttons()); got != "Another,Why?,Surprise me" {
		t.Errorf("buttons %s", got)
	}
	if r.fake.CallsIn(teamA, slacktest.MethodViewsPublish) != 1 || r.fake.CallsIn(teamB, slacktest.MethodViewsPublish) != 0 {
		t.Error("the Home tab was not published with its workspace's token")
	}

	// Why? shows the commentary on today's pick in the Home tab.
	if code, err := r.fake.PressHome(testCtx(t), teamA, "U1", "Why?"); err != nil || code != http.StatusOK {
		t.Fatalf("Why?: %d %v", code, err)
	}
	v = home(t, 2)
	if !strings.Contains(v.PlainText(), st.NextPick.Commentary[0][:40]) || !strings.Contains(v.PlainText(), "#CFILMS") {
		t.Errorf("after Why? the Home tab shows:\n%s", v.PlainText())
	}
	// Another shows another pick; Surprise me a free choice of several.
	if _, err := r.fake.PressHome(testCtx(t), teamA, "U1", "Another"); err != nil {
		t.Fatal(err)
	}
	v = home(t, 3)
	if titles := content(slacktest.Response{Blocks: v.Blocks}).Titles; !strings.Contains(v.PlainText(), "A random pick") || len(titles) != 1 || titles[0] == st.NextPick.Title {
		t.Errorf("after Another the Home tab shows %q, want another pick than %s:\n%s", titles, st.NextPick.Title, v.PlainText())
	}
	if _, err := r.fake.PressHome(testCtx(t), teamA, "U1", "Surprise me"); err != nil {
		t.Fatal(err)
	}
	v = home(t, 4)
	if n := strings.Count(labels(v.Buttons()), "Why "); n < 2 {
		t.Errorf("after Surprise me: buttons %s, want several picks to ask why about\n%s", labels(v.Buttons()), v.PlainText())
	}

	// A workspace with no daily pick shows a random pick and says how to
	// start one.
	if _, err := r.fake.OpenHome(testCtx(t), teamB, "U2"); err != nil {
		t.Fatal(err)
	}
	r.settle(t)
	vb, err := r.fake.WaitHome(testCtx(t), teamB, "U2", 1)
	if err != nil {
		t.Fatal(err)
	}
	if text := vb.PlainText(); !strings.Contains(text, "A random pick") || !strings.Contains(text, "/daily subscribe") || strings.Contains(text, "CFILMS") {
		t.Errorf("B's Home tab:\n%s", text)
	}
}

func labels(bs []slacktest.Button) string {
	var out []string
	for _, b := range bs {
		out = append(out, b.Label)
	}
	return strings.Join(out, ",")
}

// TestResponseURLBody: what goes to a response_url is what Slack documents
// for it, without slack-go's empty "metadata" or a null "blocks".
func TestResponseURLBody(t *testing.T) {
	h := &spy{reply: bot.Reply{Text: "late"}, release: make(chan struct{})}
	r := newHTTPRig(t, h, func(c *slack.Config) { c.AckWithin = time.Millisecond })
	c := slashCommand("/random")
	c.ResponseURL = r.fake.ResponseURL()
	if status, _ := r.post(t, slack.CommandsPath, []byte(slacktest.CommandForm(c).Encode())); status != http.StatusOK {
		t.Fatal(status)
	}
	close(h.release)
	got, err := r.fake.WaitResponses(testCtx(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	raw := got[0].Raw
	for _, bad := range []string{`"metadata"`, `"event_type"`, `"blocks":null`} {
		if bytes.Contains(raw, []byte(bad)) {
			t.Errorf("the response_url body holds %s: %s", bad, raw)
		}
	}
	for _, want := range []string{`"text":"late"`, `"response_type":"in_channel"`, `"replace_original":false`, `"blocks":[`} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("the response_url body lacks %s: %s", want, raw)
		}
	}
}

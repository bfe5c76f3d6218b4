package slack_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/adapters/slack/slacktest"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

// conformanceDir holds public sample payloads from Slack's docs and SDK
// test suites, beside the repository (../shared/conformance from its
// root). They are others' data: the tests read them where they lie and
// skip when they are not there.
var conformanceDir = filepath.Join("..", "..", "..", "shared", "conformance")

func sample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(conformanceDir, name))
	if err != nil {
		t.Skipf("no %s: the conformance samples are not beside the repository", name)
	}
	return []byte(strings.TrimSpace(string(b)))
}

// toFake points a sample's response_url at the fake: a test never
// reaches hooks.slack.com.
func toFake(t *testing.T, form []byte, fake *slacktest.Server) []byte {
	t.Helper()
	f, err := url.ParseQuery(string(form))
	if err != nil {
		t.Fatal(err)
	}
	if f.Has("response_url") {
		f.Set("response_url", fake.ResponseURL())
	}
	if p := f.Get("payload"); p != "" {
		var m map[string]any
		if err := json.Unmarshal([]byte(p), &m); err != nil {
			t.Fatal(err)
		}
		if _, ok := m["response_url"]; ok {
			m["response_url"] = fake.ResponseURL()
		}
		b, _ := json.Marshal(m)
		f.Set("payload", string(b))
	}
	return []byte(f.Encode())
}

// TestSlashCommandSamples replays slash commands published by Slack and
// its SDKs: one without response_url, trigger_id or api_app_id is
// answered in the response; commands the bot does not have are answered
// with a way on, never refused.
func TestSlashCommandSamples(t *testing.T) {
	r := newHTTPRig(t, bottest.Bot(t))
	for _, name := range []string{"slack-docs/slash-command-example.txt", "slack-go/slash_command_enterprise.txt", "bolt-python/slash_command_body.txt"} {
		t.Run(name, func(t *testing.T) {
			status, body := r.post(t, slack.CommandsPath, toFake(t, sample(t, name), r.fake))
			ans, ok, err := slacktest.Ack{Payload: body}.Answer()
			if status != http.StatusOK || err != nil || !ok || !strings.Contains(ans.PlainText(), "Unknown command") || ans.ResponseType != slack.Ephemeral {
				t.Errorf("%d %s (%v)", status, body, err)
			}
		})
	}
}

// TestEnterpriseSamples replays Enterprise Grid commands at an adapter
// with OAuth installs: a workspace of an organisation installed org-wide
// is served by the organisation's installation, its channels keyed by the
// organisation; one of an organisation the app is not installed to is
// told how to install it.
func TestEnterpriseSamples(t *testing.T) {
	r := newOAuthRig(t)
	r.fake.AddWorkspace(slacktest.Workspace{ID: "E0001", Name: "Globular Construct Inc", Enterprise: "E0001", OrgWide: true})
	r.install(t, "E0001", "UORGADMIN")
	in, err := r.store.GetInstallation(t.Context(), bot.Slack, "E0001")
	if err != nil || in.Enterprise != "E0001" || in.Name != "Globular Construct Inc" {
		t.Fatalf("the org-wide installation: %+v, %v", in, err)
	}
	post := func(t *testing.T, form []byte) slacktest.Response {
		t.Helper()
		req, err := slacktest.SignedRequest(testCtx(t), r.srv.URL+slack.CommandsPath, testSecret, r.clock.Now(), toFake(t, form, r.fake))
		if err != nil {
			t.Fatal(err)
		}
		status, body := do(t, req)
		ans, ok, err := slacktest.Ack{Payload: body}.Answer()
		if status != http.StatusOK || err != nil || !ok {
			t.Fatalf("%d %s (%v)", status, body, err)
		}
		return ans
	}
	// The slack-go sample, as /why heat: answered, and remembered in the
	// organisation's channel.
	form, _ := url.ParseQuery(string(sample(t, "slack-go/slash_command_enterprise.txt")))
	form.Set("command", "/why")
	form.Set("text", "heat")
	if ans := post(t, []byte(form.Encode())); !strings.Contains(ans.PlainText(), "Heat (1995)") {
		t.Errorf("/why heat from a workspace of E0001: %q", ans.PlainText())
	}
	if recent, _ := r.store.Recent(t.Context(), bot.ChannelKey{Platform: bot.Slack, Channel: slack.ChannelKey("E0001", form.Get("channel_id"))}, 1); len(recent) != 1 || recent[0] != "heat" {
		t.Errorf("memory of the org's channel: %q", recent)
	}
	if ans := post(t, sample(t, "bolt-python/slash_command_body.txt")); !strings.Contains(ans.PlainText(), "not installed") {
		t.Errorf("a command from an organisation the app is not installed to: %q", ans.PlainText())
	}
}

// TestBlockActionSamples replays button presses published by Slack and
// its SDKs (from an attachment, from an ephemeral message, on Enterprise
// Grid): each is acknowledged, and buttons that are not the bot's answer
// nothing.
func TestBlockActionSamples(t *testing.T) {
	r := newHTTPRig(t, bottest.Bot(t))
	for _, name := range []string{"slack-docs/block-actions-example.json", "bolt-python/block_actions_body.json"} {
		t.Run(name, func(t *testing.T) {
			form := url.Values{"payload": {string(sample(t, name))}}
			if status, body := r.post(t, slack.InteractionsPath, toFake(t, []byte(form.Encode()), r.fake)); status != http.StatusOK {
				t.Errorf("%d %s", status, body)
			}
		})
	}
	if err := r.a.Drain(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if n := r.fake.Calls(slacktest.MethodResponseURL); n != 0 {
		t.Errorf("%d answers to presses of buttons that are not the bot's", n)
	}
}

// TestSignatureSample checks the signature of Slack's published example
// through the route: accepted at its own time, refused as stale now, and
// refused with a byte of the body changed.
func TestSignatureSample(t *testing.T) {
	var ex struct {
		Secret    string `json:"signing_secret"`
		Body      string `json:"body"`
		Timestamp string `json:"timestamp"`
		Signature string `json:"valid_signature"`
	}
	if err := json.Unmarshal(sample(t, "slack-docs/signature-example.json"), &ex); err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set(slack.HeaderTimestamp, ex.Timestamp)
	h.Set(slack.HeaderSignature, ex.Signature)
	at := time.Unix(1531420618, 0)
	if err := slack.Verify(h, []byte(ex.Body), ex.Secret, at.Add(time.Minute)); err != nil {
		t.Errorf("at its time: %v", err)
	}
	if err := slack.Verify(h, []byte(ex.Body), ex.Secret, time.Now()); !errors.Is(err, slack.ErrStale) {
		t.Errorf("now: %v, want ErrStale", err)
	}
	if err := slack.Verify(h, []byte(ex.Body+"x"), ex.Secret, at); !errors.Is(err, slack.ErrBadSignature) {
		t.Errorf("another body: %v, want ErrBadSignature", err)
	}
}

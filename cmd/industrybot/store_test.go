package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	slackadapter "github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/adapters/slack/slacktest"
)

// TestOneServePerSQLiteFile starts a second serve on the file of a running
// one: it stops at once with one line naming the file and the first, and
// pointing to PostgreSQL; `daily status` and `daily preview` still work
// beside the first, and the file is free again once it stops.
func TestOneServePerSQLiteFile(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "state.db")
	t.Setenv("INDUSTRYBOT_DAILY_CHANNELS", `[{"platform":"slack","channel":"C1"}]`)
	first := serve(t, "--store-driver", "sqlite", "--store-dsn", dsn)

	done := make(chan result, 1)
	go func() {
		done <- runCmd(t, "", "serve", "--addr", "127.0.0.1:0", "--store-driver", "sqlite", "--store-dsn", dsn)
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("a second serve on the same file did not stop")
	}
	line := strings.TrimSpace(r.stderr)
	holder := fmt.Sprintf("pid %d on ", os.Getpid())
	if r.code != 1 || strings.Contains(line, "\n") || !strings.Contains(line, `store.dsn "`+dsn+`" is in use by `+holder) ||
		!strings.Contains(line, "(industrybot serve on 127.0.0.1:0)") || !strings.Contains(line, "PostgreSQL") {
		t.Errorf("second serve: exit %d, stderr %q; want one line naming the file, the holder and PostgreSQL", r.code, r.stderr)
	}
	if r := runCmd(t, "", "daily", "status", "--store-dsn", dsn); r.code != 0 || !strings.Contains(r.stdout, "slack:C1") {
		t.Errorf("daily status beside serve: %+v", r)
	}
	if r := runCmd(t, "", "daily", "preview", "--store-dsn", dsn, "--days", "2"); r.code != 0 || !strings.Contains(r.stdout, "slack:C1") {
		t.Errorf("daily preview beside serve: %+v", r)
	}
	if code := first.stop(); code != 0 {
		t.Fatalf("first serve: exit %d: %s", code, first.stderr.String())
	}
	serve(t, "--store-driver", "sqlite", "--store-dsn", dsn).stop()
}

// TestServeNoticesAVanishedStore deletes the SQLite file's directory under
// a running serve: /readyz fails, naming the store and no more, and
// /daily subscribe does not confirm a subscription that is lost.
func TestServeNoticesAVanishedStore(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef"
	dir := filepath.Join(t.TempDir(), "state")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	fake := slacktest.New(t)
	t.Setenv("INDUSTRYBOT_SLACK_MODE", "http")
	t.Setenv("INDUSTRYBOT_SLACK_SIGNING_SECRET", secret)
	t.Setenv("INDUSTRYBOT_SLACK_API_URL", fake.APIURL())
	t.Setenv("INDUSTRYBOT_SLACK_ADMINS", "UADMIN")
	s := serve(t, "--store-driver", "sqlite", "--store-dsn", filepath.Join(dir, "state.db"))
	subscribe := func() string {
		t.Helper()
		c := slackapi.SlashCommand{ChannelID: "C1", UserID: "UADMIN", Command: "/daily", Text: "subscribe 08:30 UTC", ResponseURL: fake.ResponseURL()}
		req, err := slacktest.SignedRequest(waitCtx(t), s.base+slackadapter.CommandsPath, secret, time.Now(), []byte(slacktest.CommandForm(c).Encode()))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		ans, _, err := slacktest.Ack{Payload: body}.Answer()
		if err != nil {
			t.Fatalf("/daily subscribe: %d %s: %v", resp.StatusCode, body, err)
		}
		return ans.PlainText()
	}
	if got := subscribe(); !strings.Contains(got, "Daily pick on") {
		t.Fatalf("/daily subscribe with the file there: %q", got)
	}
	if code, body := get(t, s.base+"/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz: %d %s", code, body)
	}

	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, s.base+"/readyz"); code != http.StatusServiceUnavailable || body != "not ready: store\n" {
		t.Errorf("/readyz with the file gone: %d %q, want 503 naming the store only", code, body)
	}
	if got := subscribe(); strings.Contains(got, "Daily pick on") || !strings.Contains(got, "went wrong") {
		t.Errorf("/daily subscribe with the file gone: %q, want it not confirmed", got)
	}
	if !strings.Contains(s.stderr.String(), "is gone") {
		t.Errorf("the log does not say the file is gone:\n%s", s.stderr.String())
	}
}

package slack_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	industrybot "github.com/industrybot/industrybot"
	"github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/adapters/slack/slacktest"
	"github.com/industrybot/industrybot/bot"
)

// longCatalog is the built-in catalog with the first pick's commentary
// replaced by 80 paragraphs of 2,000 characters, each starting with its
// number: more than one Slack message's 50 blocks.
func longCatalog(t *testing.T) (*bot.Catalog, *bot.Title) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(industrybot.CatalogJSON(), &doc); err != nil {
		t.Fatal(err)
	}
	var paras []any
	for i := range 80 {
		p := fmt.Sprintf("Paragraph %d. ", i+1)
		paras = append(paras, p+strings.Repeat("word ", (2000-len(p))/5))
	}
	doc["picks"].([]any)[0].(map[string]any)["commentary"] = paras
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	c, err := bot.ParseCatalog(data)
	if err != nil {
		t.Fatal(err)
	}
	return c, &c.Picks[0]
}

// checkParts checks the messages of a long commentary: none over 50
// blocks, every paragraph there and in order, buttons only in the last.
func checkParts(t *testing.T, parts []slacktest.Response, title *bot.Title) {
	t.Helper()
	if len(parts) < 2 {
		t.Fatalf("%d messages, want the commentary split", len(parts))
	}
	var text strings.Builder
	for i, p := range parts {
		if n := len(p.Blocks.BlockSet); n > slack.MaxBlocks {
			t.Errorf("message %d has %d blocks, more than Slack takes", i+1, n)
		}
		if b := p.Buttons(); len(b) > 0 && i != len(parts)-1 {
			t.Errorf("message %d of %d has buttons", i+1, len(parts))
		}
		text.WriteString(p.PlainText() + "\n")
	}
	all, at := text.String(), 0
	for i := range title.Commentary {
		j := strings.Index(all[at:], fmt.Sprintf("Paragraph %d. ", i+1))
		if j < 0 {
			t.Fatalf("paragraph %d is missing or out of order", i+1)
		}
		at += j + 1
	}
}

func TestLongCommentaryIsSplitAcrossMessages(t *testing.T) {
	c, title := longCatalog(t)
	b := bot.New(bot.Config{Engine: bot.NewEngine(c), Memory: bot.NewMemoryStore()})
	t.Run("render", func(t *testing.T) {
		msgs := slack.Messages(b.Handle(t.Context(), bot.Request{Platform: bot.Slack, Channel: "C1", Command: bot.CmdWhy, Options: map[string]string{bot.OptTitle: title.ID}}))
		var parts []slacktest.Response
		for _, m := range msgs {
			data, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			ans, _, err := slacktest.Ack{Payload: data}.Answer()
			if err != nil {
				t.Fatal(err)
			}
			parts = append(parts, ans)
		}
		checkParts(t, parts, title)
	})
	t.Run("command", func(t *testing.T) {
		r := newHTTPRig(t, b)
		cmd := slashCommand("/why " + title.Title)
		cmd.ResponseURL = r.fake.ResponseURL()
		status, body := r.post(t, slack.CommandsPath, []byte(slacktest.CommandForm(cmd).Encode()))
		if status != http.StatusOK || len(body) != 0 {
			t.Fatalf("got %d %.200s, want an empty 200 and the parts at the response_url", status, body)
		}
		parts, err := r.fake.WaitResponses(testCtx(t), 2)
		if err != nil {
			t.Fatal(err)
		}
		checkParts(t, parts, title)
	})
	t.Run("press", func(t *testing.T) {
		r := newHTTPRig(t, b)
		why := slacktest.Button{ActionID: "ib-1", Value: bot.Action{Command: bot.CmdWhy, Arg: title.ID}.ID()}
		press := slacktest.Press{Button: why, Channel: "C1", User: "U1", ResponseURL: r.fake.ResponseURL()}
		if status, body := r.post(t, slack.InteractionsPath, []byte(slacktest.InteractionForm(slacktest.BlockActionsPayload(press)).Encode())); status != http.StatusOK {
			t.Fatalf("press: %d %s", status, body)
		}
		parts, err := r.fake.WaitResponses(testCtx(t), 2)
		if err != nil {
			t.Fatal(err)
		}
		checkParts(t, parts, title)
	})
}

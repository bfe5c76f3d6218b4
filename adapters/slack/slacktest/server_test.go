package slacktest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/industrybot/industrybot/adapters/slack/slacktest"
)

func client(s *slacktest.Server, token string) *slackapi.Client {
	return slackapi.New(token, slackapi.OptionAPIURL(s.APIURL()))
}

func TestPostsAreCountedPerChannel(t *testing.T) {
	s := slacktest.New(t)
	api := client(s, slacktest.BotToken)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	var wg sync.WaitGroup
	for _, ch := range []string{"C1", "C2", "C1", "C3", "C1"} {
		wg.Go(func() {
			if _, _, err := api.PostMessageContext(ctx, ch, slackapi.MsgOptionText("hi "+ch, false)); err != nil {
				t.Errorf("%s: %v", ch, err)
			}
		})
	}
	got, err := s.WaitMessages(ctx, "C1", 3)
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if len(got) != 3 || got[0].Text != "hi C1" || got[0].TS == "" {
		t.Errorf("C1: %+v", got)
	}
	if c := s.Counts(); c["C1"] != 3 || c["C2"] != 1 || c["C3"] != 1 || len(c) != 3 {
		t.Errorf("counts %v", c)
	}
	if n := s.Calls(slacktest.MethodPostMessage); n != 5 {
		t.Errorf("%d calls, want 5", n)
	}
}

func TestTokensAreChecked(t *testing.T) {
	s := slacktest.New(t)
	for token, want := range map[string]string{"": "not_authed", "xoxb-wrong": "invalid_auth", slacktest.AppToken: "invalid_auth"} {
		_, _, err := client(s, token).PostMessage("C1", slackapi.MsgOptionText("hi", false))
		var se slackapi.SlackErrorResponse
		if !errors.As(err, &se) || se.Err != want {
			t.Errorf("token %q: %v, want %s", token, err, want)
		}
	}
	if s.Count("C1") != 0 || s.Attempts("C1") != 3 {
		t.Errorf("%d delivered of %d attempts, want 0 of 3", s.Count("C1"), s.Attempts("C1"))
	}
}

func TestFailures(t *testing.T) {
	s := slacktest.New(t)
	api := client(s, slacktest.BotToken)
	s.Fail(slacktest.MethodPostMessage, "", slacktest.Failure{Status: http.StatusServiceUnavailable, Times: 1}) // any channel, once
	s.FailPosts("C1", slacktest.RateLimited(3*time.Second))                                                     // C1, until cleared

	_, _, err := api.PostMessage("C2", slackapi.MsgOptionText("a", false))
	var sc slackapi.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != http.StatusServiceUnavailable {
		t.Errorf("first post: %v, want 503", err)
	}
	if _, _, err := api.PostMessage("C2", slackapi.MsgOptionText("b", false)); err != nil {
		t.Errorf("second post: %v, want the once-only failure used up", err)
	}
	for range 2 {
		_, _, err := api.PostMessage("C1", slackapi.MsgOptionText("c", false))
		var rl *slackapi.RateLimitedError
		if !errors.As(err, &rl) || rl.RetryAfter != 3*time.Second {
			t.Errorf("C1: %v, want a 429 with Retry-After 3s", err)
		}
	}
	s.ClearFailures("C1")
	if _, _, err := api.PostMessage("C1", slackapi.MsgOptionText("d", false)); err != nil {
		t.Errorf("after ClearFailures: %v", err)
	}
}

func TestUsersInfo(t *testing.T) {
	s := slacktest.New(t)
	s.AddUser(slacktest.User{ID: "U1", Name: "ada", IsOwner: true})
	u, err := client(s, slacktest.BotToken).GetUserInfo("U1")
	if err != nil || !u.IsOwner || u.IsAdmin || u.Name != "ada" {
		t.Errorf("U1: %+v, %v", u, err)
	}
	if _, err := client(s, slacktest.BotToken).GetUserInfo("U2"); err == nil {
		t.Error("unknown user: want user_not_found")
	}
}

func TestUnmrkdwn(t *testing.T) {
	blocks := slackapi.Blocks{BlockSet: []slackapi.Block{
		slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.MarkdownType, "*Ham &amp; Eggs* &lt;3 <https://example.com|the site> <https://x.example>", false, false), nil, nil),
		slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.PlainTextType, "*kept* &amp;", false, false), nil, nil),
	}}
	if got, want := slacktest.PlainText(blocks), "Ham & Eggs <3 the site https://x.example\n*kept* &amp;"; got != want {
		t.Errorf("PlainText = %q, want %q", got, want)
	}
}

// TestHold: a held post delivers when released, and not at all when its
// client gave up meanwhile.
func TestHold(t *testing.T) {
	s := slacktest.New(t)
	api := client(s, slacktest.BotToken)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	release := s.Hold()
	done := make(chan error, 1)
	go func() {
		_, _, err := api.PostMessageContext(ctx, "C1", slackapi.MsgOptionText("kept", false))
		done <- err
	}()
	gone, giveUp := context.WithCancel(ctx)
	abandoned := make(chan error, 1)
	go func() {
		_, _, err := api.PostMessageContext(gone, "C2", slackapi.MsgOptionText("lost", false))
		abandoned <- err
	}()
	if err := s.WaitHeld(ctx, 2); err != nil {
		t.Fatal(err)
	}
	giveUp()
	<-abandoned
	if err := s.WaitHeld(ctx, 1); err != nil {
		t.Fatal(err)
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := s.Counts(); got["C1"] != 1 || got["C2"] != 0 {
		t.Errorf("delivered %v, want C1 only", got)
	}
}

// TestHistory: conversations.history lists a channel's messages newest
// first, from oldest, a page at a time, with their metadata only when asked.
func TestHistory(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	s := slacktest.New(t, slacktest.WithClock(func() time.Time { return at }))
	api := client(s, slacktest.BotToken)
	meta := slackapi.SlackMetadata{EventType: "test_event", EventPayload: map[string]any{"key": "k1"}}
	for i := range 5 {
		opts := []slackapi.MsgOption{slackapi.MsgOptionText(fmt.Sprint("m", i), false)}
		if i == 1 {
			opts = append(opts, slackapi.MsgOptionMetadata(meta))
		}
		if _, _, err := api.PostMessage("C1", opts...); err != nil {
			t.Fatal(err)
		}
		at = at.Add(time.Minute)
	}
	api.PostMessage("C2", slackapi.MsgOptionText("elsewhere", false))
	var texts []string
	params := &slackapi.GetConversationHistoryParameters{ChannelID: "C1", Limit: 2, IncludeAllMetadata: true}
	for {
		resp, err := api.GetConversationHistory(params)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range resp.Messages {
			texts = append(texts, m.Text)
			if (m.Text == "m1") != (m.Metadata.EventType == "test_event" && m.Metadata.EventPayload["key"] == "k1") {
				t.Errorf("%s: metadata %+v", m.Text, m.Metadata)
			}
		}
		if !resp.HasMore {
			break
		}
		params.Cursor = resp.ResponseMetaData.NextCursor
	}
	if got := strings.Join(texts, ","); got != "m4,m3,m2,m1,m0" {
		t.Errorf("history %s, want m4,m3,m2,m1,m0", got)
	}
	oldest := time.Date(2026, 11, 26, 9, 2, 0, 0, time.UTC)
	resp, err := api.GetConversationHistory(&slackapi.GetConversationHistoryParameters{ChannelID: "C1", Oldest: fmt.Sprint(oldest.Unix())})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Messages) != 3 || resp.Messages[2].Text != "m2" {
		t.Errorf("from 09:02: %d messages, want m4, m3, m2", len(resp.Messages))
	}
	for _, m := range resp.Messages {
		if m.Metadata.EventType != "" {
			t.Errorf("%s: metadata without include_all_metadata", m.Text)
		}
	}
}

// TestThreadReplies: a chat.postMessage with thread_ts is a reply in that
// message's thread: recorded with it, left out of conversations.history,
// and failed by FailReplies, which leaves other posts alone.
func TestThreadReplies(t *testing.T) {
	s := slacktest.New(t)
	api := client(s, slacktest.BotToken)
	s.FailReplies("C1", slacktest.Failure{Error: "ratelimited", Times: 1})
	_, ts, err := api.PostMessage("C1", slackapi.MsgOptionText("parent", false))
	if err != nil {
		t.Fatalf("a post with a reply failure waiting: %v", err)
	}
	_, _, err = api.PostMessage("C1", slackapi.MsgOptionText("reply 1", false), slackapi.MsgOptionTS(ts))
	var se slackapi.SlackErrorResponse
	if !errors.As(err, &se) || se.Err != "ratelimited" {
		t.Errorf("first reply: %v, want ratelimited", err)
	}
	for _, text := range []string{"reply 1", "reply 2"} {
		if _, _, err := api.PostMessage("C1", slackapi.MsgOptionText(text, false), slackapi.MsgOptionTS(ts)); err != nil {
			t.Fatalf("%s: %v", text, err)
		}
	}
	replies := s.Replies("C1", ts)
	if len(replies) != 2 || replies[0].Text != "reply 1" || replies[1].ThreadTS != ts || replies[0].TS == ts {
		t.Errorf("replies %+v, want reply 1 and 2 in the thread of %s", replies, ts)
	}
	if m := s.Messages("C1"); len(m) != 3 || m[0].ThreadTS != "" || s.Count("C1") != 3 {
		t.Errorf("messages %+v, want the parent, not in a thread, and its replies", m)
	}
	resp, err := api.GetConversationHistory(&slackapi.GetConversationHistoryParameters{ChannelID: "C1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Messages) != 1 || resp.Messages[0].Text != "parent" {
		t.Errorf("history %+v, want the parent alone, as Slack lists it", resp.Messages)
	}
	s.FailReplies("C1", slacktest.ServerError)
	s.ClearFailures("C1")
	if _, _, err := api.PostMessage("C1", slackapi.MsgOptionText("reply 3", false), slackapi.MsgOptionTS(ts)); err != nil {
		t.Errorf("after ClearFailures: %v", err)
	}
}

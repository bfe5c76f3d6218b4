package slack_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/adapters/slack/slacktest"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

// randomReply is what /random answers, as the daily pick is posted.
func randomReply(t *testing.T) bot.Reply {
	t.Helper()
	r := bottest.Bot(t).Handle(context.Background(), bot.Request{Platform: bot.Slack, Channel: "C0", Command: bot.CmdRandom})
	if len(r.Picks) != 1 {
		t.Fatalf("/random: %+v", r)
	}
	return r
}

func mustPoster(t *testing.T, fake *slacktest.Server) *slack.Poster {
	t.Helper()
	p, err := slack.NewPoster(slack.PosterConfig{BotToken: slacktest.BotToken, APIURL: fake.APIURL()})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPost sends a pick with chat.postMessage: the blocks and buttons of a
// /random answer, with its plain-text fallback.
func TestPost(t *testing.T) {
	fake := slacktest.New(t)
	p := mustPoster(t, fake)
	reply := randomReply(t)
	if err := p.Post(t.Context(), "C1", "key", reply); err != nil {
		t.Fatal(err)
	}
	got := fake.Messages("C1")
	if len(got) != 1 || fake.Count("C2") != 0 {
		t.Fatalf("messages: C1 %d, all %v; want one in C1", len(got), fake.Counts())
	}
	want := slack.Render(reply)
	wantBlocks, _ := json.Marshal(want.Blocks)
	gotBlocks, _ := json.Marshal(got[0].Blocks)
	if string(gotBlocks) != string(wantBlocks) {
		t.Errorf("blocks differ from a /random answer's:\ngot  %s\nwant %s", gotBlocks, wantBlocks)
	}
	if got[0].Text != want.Text || !strings.Contains(got[0].Text, reply.Picks[0].Title.Title) {
		t.Errorf("fallback text = %q, want %q", got[0].Text, want.Text)
	}
	var labels []string
	for _, b := range got[0].Buttons() {
		labels = append(labels, b.Label)
	}
	if strings.Join(labels, ",") != "Another,Why?" {
		t.Errorf("buttons = %q, want Another and Why?", labels)
	}
}

// TestPostFailures classifies what Slack answers a post with.
func TestPostFailures(t *testing.T) {
	tests := []struct {
		name       string
		failure    slacktest.Failure
		permanent  bool
		retryAfter time.Duration
		hint       string
	}{
		{"channel not found", slacktest.ChannelNotFound, true, 0, "invite"},
		{"not in channel", slacktest.NotInChannel, true, 0, "chat:write.public"},
		{"archived", slacktest.IsArchived, true, 0, "archived"},
		{"missing scope", slacktest.Failure{Error: "missing_scope", Needed: "chat:write.public"}, true, 0, "chat:write.public"},
		{"account inactive", slacktest.Failure{Error: "account_inactive"}, true, 0, "reinstall"},
		{"invalid auth", slacktest.InvalidAuth, true, 0, "INDUSTRYBOT_SLACK_BOT_TOKEN"},
		{"rate limited", slacktest.RateLimited(7 * time.Second), false, 7 * time.Second, ""},
		{"rate limited without a wait", slacktest.RateLimited(0), false, slack.MinRetryAfter, ""},
		{"ratelimited in the body", slacktest.Failure{Error: "ratelimited"}, false, slack.MinRetryAfter, ""},
		{"server error", slacktest.ServerError, false, 0, ""},
		{"service unavailable", slacktest.Failure{Error: "service_unavailable"}, false, 0, ""},
		{"bad gateway", slacktest.Failure{Status: 502}, false, 0, ""},
		{"not found: a wrong api_url", slacktest.Failure{Status: 404}, true, 0, "slack.api_url"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := slacktest.New(t)
			p := mustPoster(t, fake)
			fake.FailPosts("C1", tc.failure)
			err := p.Post(t.Context(), "C1", "key", randomReply(t))
			var pe *bot.PostError
			if !errors.As(err, &pe) {
				t.Fatalf("Post = %v (%T), want a *bot.PostError", err, err)
			}
			if pe.Permanent != tc.permanent || pe.RetryAfter != tc.retryAfter || pe.Unknown {
				t.Errorf("permanent %v, retry after %v, unknown %v; want %v, %v, false: Slack answered (%v)", pe.Permanent, pe.RetryAfter, pe.Unknown, tc.permanent, tc.retryAfter, err)
			}
			if !strings.Contains(pe.Hint, tc.hint) {
				t.Errorf("hint %q lacks %q", pe.Hint, tc.hint)
			}
			if !strings.Contains(err.Error(), "C1") || strings.Contains(err.Error(), slacktest.BotToken) {
				t.Errorf("error %q: want the channel named and no token", err)
			}
			if fake.Count("C1") != 0 || fake.Attempts("C1") != 1 {
				t.Errorf("%d delivered of %d attempts, want 0 of 1", fake.Count("C1"), fake.Attempts("C1"))
			}
			// Other channels are unaffected, and the channel recovers once
			// the failure is gone.
			if err := p.Post(t.Context(), "C2", "key", randomReply(t)); err != nil {
				t.Errorf("C2: %v", err)
			}
			fake.ClearFailures("C1")
			if err := p.Post(t.Context(), "C1", "key", randomReply(t)); err != nil {
				t.Errorf("C1 after clearing: %v", err)
			}
		})
	}
}

func TestPostFailsOnlyAsManyTimesAsAsked(t *testing.T) {
	fake := slacktest.New(t)
	p := mustPoster(t, fake)
	f := slacktest.RateLimited(2 * time.Second)
	f.Times = 2
	fake.FailPosts("C1", f)
	var errs []error
	for range 3 {
		errs = append(errs, p.Post(t.Context(), "C1", "key", randomReply(t)))
	}
	if errs[0] == nil || errs[1] == nil || errs[2] != nil {
		t.Errorf("errors %v, want two failures then success", errs)
	}
	if got := fake.Counts(); got["C1"] != 1 || fake.Attempts("C1") != 3 {
		t.Errorf("counts %v, attempts %d; want 1 message of 3 attempts", got, fake.Attempts("C1"))
	}
}

// TestPostNetworkError: Slack unreachable is worth retrying, and the error
// holds no token.
func TestPostNetworkError(t *testing.T) {
	fake := slacktest.New(t)
	p := mustPoster(t, fake)
	fake.Close()
	err := p.Post(t.Context(), "C1", "key", randomReply(t))
	var pe *bot.PostError
	if !errors.As(err, &pe) || pe.Permanent || pe.RetryAfter != 0 || pe.Unknown {
		t.Fatalf("Post = %#v, want a transient *bot.PostError, not Unknown: nothing was sent", err)
	}
	if strings.Contains(err.Error(), slacktest.BotToken) || !strings.Contains(err.Error(), "chat.postMessage") {
		t.Errorf("error %q: want the method and no token", err)
	}
}

func TestPostEndedContext(t *testing.T) {
	fake := slacktest.New(t)
	p := mustPoster(t, fake)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := p.Post(ctx, "C1", "key", randomReply(t))
	var pe *bot.PostError
	if !errors.As(err, &pe) || pe.Permanent || !errors.Is(err, context.Canceled) {
		t.Errorf("Post = %v, want a transient error wrapping context.Canceled", err)
	}
}

func TestNewPosterNeedsToken(t *testing.T) {
	if _, err := slack.NewPoster(slack.PosterConfig{}); err == nil || !strings.Contains(err.Error(), "slack.bot_token") {
		t.Errorf("got %v, want an error naming slack.bot_token", err)
	}
}

// TestPostCarriesItsKeyAndLookFindsIt: a post's metadata names it, and
// Look finds it in the channel's history, from a little before its send
// began, across pages.
func TestPostCarriesItsKeyAndLookFindsIt(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	fake := slacktest.New(t, slacktest.WithClock(func() time.Time { return at }))
	p := mustPoster(t, fake)
	key := "slack:C1/2026-11-26"
	if err := p.Post(t.Context(), "C1", key, randomReply(t)); err != nil {
		t.Fatal(err)
	}
	m := fake.Messages("C1")[0]
	if m.Metadata.EventType != slack.MetadataEventType || m.Metadata.EventPayload["key"] != key {
		t.Errorf("metadata %+v, want event type %s with key %s", m.Metadata, slack.MetadataEventType, key)
	}
	// Enough later messages for the post to be on the third page.
	for i := range 450 {
		if err := p.Post(t.Context(), "C1", fmt.Sprint("other", i), randomReply(t)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name  string
		key   string
		since time.Time
		want  bool
	}{
		{"its own key", key, at, true},
		{"a send that began a little later, by another clock", key, at.Add(10 * time.Minute), true},
		{"another key", "slack:C1/2026-11-27", at, false},
		{"only messages from long after", key, at.Add(time.Hour), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			found, err := p.Look(t.Context(), "C1", tc.key, tc.since)
			if err != nil || found != tc.want {
				t.Errorf("Look = %v, %v; want %v", found, err, tc.want)
			}
		})
	}
	if d := p.Dedup(); d != 0 {
		t.Errorf("Dedup = %s, want 0: Slack has no idempotency key", d)
	}
}

// TestLookWithoutHistory: without the history scopes, or outside the
// channel, the bot cannot look; a failure that may pass is not that.
func TestLookWithoutHistory(t *testing.T) {
	for _, tc := range []struct {
		name     string
		failure  slacktest.Failure
		cannot   bool
		mentions string
	}{
		{"missing scope", slacktest.Failure{Error: "missing_scope", Needed: "channels:history"}, true, "channels:history"},
		{"not in channel", slacktest.NotInChannel, true, "--history"},
		{"server error", slacktest.ServerError, false, "conversations.history"},
		{"rate limited", slacktest.RateLimited(3 * time.Second), false, "conversations.history"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := slacktest.New(t)
			p := mustPoster(t, fake)
			fake.Fail(slacktest.MethodHistory, "C1", tc.failure)
			_, err := p.Look(t.Context(), "C1", "slack:C1/2026-11-26", time.Now())
			var pe *bot.PostError
			switch {
			case errors.Is(err, bot.ErrCannotLook) != tc.cannot:
				t.Errorf("Look = %v; cannot look: %v, want %v", err, errors.Is(err, bot.ErrCannotLook), tc.cannot)
			case !tc.cannot && (!errors.As(err, &pe) || pe.Permanent):
				t.Errorf("Look = %v, want a *bot.PostError that may pass", err)
			}
			if err == nil || !strings.Contains(err.Error(), tc.mentions) || strings.Contains(err.Error(), slacktest.BotToken) {
				t.Errorf("error %q: want %q and no token", err, tc.mentions)
			}
		})
	}
}

// TestPostLostAnswerIsUnknown: a post Slack took whose answer was lost
// (a reset, an answer after the client's timeout) fails as Unknown, and
// Look finds it.
func TestPostLostAnswerIsUnknown(t *testing.T) {
	fake := slacktest.New(t)
	p := mustPoster(t, fake)
	// The fake answers late only once this client has given up: its
	// timeout is what the late case waits, and ample for the request to
	// reach the fake on a loaded machine.
	impatient, err := slack.NewPoster(slack.PosterConfig{BotToken: slacktest.BotToken, APIURL: fake.APIURL(), HTTPClient: &http.Client{Timeout: 2 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		channel string
		loss    slacktest.Loss
		via     *slack.Poster
	}{
		{"reset after acceptance", "CRESET", slacktest.LoseReset, p},
		{"answer after the client's timeout", "CLATE", slacktest.LoseLate, impatient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := "slack:" + tc.channel + "/2026-11-26"
			fake.LoseAnswers(tc.channel, tc.loss, 1)
			since := time.Now()
			err := tc.via.Post(t.Context(), tc.channel, key, randomReply(t))
			var pe *bot.PostError
			if !errors.As(err, &pe) || !pe.Unknown || pe.Permanent {
				t.Fatalf("Post = %v, want an Unknown *bot.PostError", err)
			}
			if n := fake.Count(tc.channel); n != 1 {
				t.Fatalf("%d messages, want the one Slack took", n)
			}
			if found, err := p.Look(t.Context(), tc.channel, key, since); !found || err != nil {
				t.Errorf("Look = %v, %v; want it found", found, err)
			}
		})
	}
}

// inChannel is the messages of channel outside threads.
func inChannel(fake *slacktest.Server, channel string) []slacktest.Message {
	var out []slacktest.Message
	for _, m := range fake.Messages(channel) {
		if m.ThreadTS == "" {
			out = append(out, m)
		}
	}
	return out
}

// blocksJSON is v as JSON, its <, > and & as written (Blocks escape
// them as \u003c…), so that a test can look for mentions in it.
func blocksJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(b))
}

// TestPostOpensAThread: with Thread, the post goes out as without it, and
// the pick's whole commentary, laid out as /why lays it out, follows as
// replies in the post's thread, mentioning no one.
func TestPostOpensAThread(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply func(t *testing.T) bot.Reply
	}{
		{"a pick", randomReply},
		{"a commentary longer than a message", func(*testing.T) bot.Reply {
			long := &bot.Title{Work: bot.Work{ID: "long", Title: "Long", Kind: bot.Film, Year: 2001, Credit: bot.Credit{Role: "director", Names: []string{"A"}}}}
			for i := range 60 {
				long.Commentary = append(long.Commentary, fmt.Sprintf("Paragraph %d. %s", i+1, strings.Repeat("Words the creators said. ", 10)))
			}
			return bot.Reply{Text: "Today's pick", Picks: []bot.Pick{{Title: long}}, Attribution: "the creators", Scheduled: true}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := slacktest.New(t)
			p := mustPoster(t, fake)
			reply := tc.reply(t)
			reply.Thread = true
			if err := p.Post(t.Context(), "C1", "key", reply); err != nil {
				t.Fatal(err)
			}
			posts := inChannel(fake, "C1")
			if len(posts) != 1 {
				t.Fatalf("%d messages in the channel, want the post alone", len(posts))
			}
			plain := reply
			plain.Thread = false
			if got, want := blocksJSON(t, posts[0].Blocks), blocksJSON(t, slack.Render(plain).Blocks); got != want || posts[0].Text != slack.Render(plain).Text {
				t.Errorf("the post changed with a thread:\n%s\nwant %s", got, want)
			}
			want := slack.Messages(bot.Reply{Commentary: reply.Picks[0].Title, Attribution: reply.Attribution})
			replies := fake.Replies("C1", posts[0].TS)
			if len(replies) != len(want) || len(fake.Messages("C1")) != 1+len(want) {
				t.Fatalf("%d replies in the thread (%d messages in all), want %d", len(replies), len(fake.Messages("C1")), len(want))
			}
			for i, r := range replies {
				if got, w := blocksJSON(t, r.Blocks), blocksJSON(t, want[i].Blocks); got != w || r.Text != want[i].Text {
					t.Errorf("reply %d differs from the /why layout:\n%s\nwant %s", i+1, got, w)
				}
				if strings.Contains(r.Text, "<!") || strings.Contains(r.PlainText(), "<!") {
					t.Errorf("reply %d mentions someone: %q", i+1, r.Text)
				}
			}
			if first := reply.Picks[0].Title.Commentary[0]; !strings.Contains(replies[0].PlainText(), first[:40]) {
				t.Errorf("the first reply lacks the commentary's start %q:\n%s", first[:40], replies[0].PlainText())
			}
		})
	}
}

// TestPostThreadFailures: replies that fail leave the post out, once,
// and Post says so with a *bot.FollowUpError, naming what failed and,
// when retrying cannot help, what to do; never with the token.
func TestPostThreadFailures(t *testing.T) {
	for _, tc := range []struct {
		name    string
		failure slacktest.Failure
		text    []string
	}{
		{"rate limited", slacktest.RateLimited(3 * time.Second), []string{"the thread could not be opened", "chat.postMessage to the thread of message"}},
		{"server error", slacktest.ServerError, []string{"the thread could not be opened", "500"}},
		{"missing scope", slacktest.Failure{Error: "missing_scope", Needed: "chat:write"}, []string{"missing_scope", "the bot token lacks the chat:write scope"}},
		{"a channel that takes no threads", slacktest.Failure{Error: "restricted_action_non_threadable_channel"}, []string{"restricted_action_non_threadable_channel", "ask a workspace admin"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := slacktest.New(t)
			p := mustPoster(t, fake)
			fake.FailReplies("C1", tc.failure)
			reply := randomReply(t)
			reply.Thread = true
			err := p.Post(t.Context(), "C1", "key", reply)
			var fe *bot.FollowUpError
			if !errors.As(err, &fe) {
				t.Fatalf("Post = %v (%T), want a *bot.FollowUpError: the post went out", err, err)
			}
			var pe *bot.PostError
			if errors.As(err, &pe) {
				t.Errorf("Post = %v: a *bot.PostError too, which would have the post sent again", err)
			}
			for _, s := range tc.text {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
			if strings.Contains(err.Error(), slacktest.BotToken) {
				t.Errorf("error %q holds the token", err)
			}
			posts := inChannel(fake, "C1")
			if len(posts) != 1 || len(fake.Replies("C1", posts[0].TS)) != 0 || fake.Attempts("C1") != 2 {
				t.Errorf("%d posts, %d attempts; want the post exactly once and one reply tried", len(posts), fake.Attempts("C1"))
			}
		})
	}
}

// TestScheduledThreadThatFailsIsPostedOnce: through the scheduler on a
// moved clock, a daily post whose thread Slack refuses goes out once, with
// its mention, is recorded sent with the reason, and is not sent again on
// later ticks.
func TestScheduledThreadThatFailsIsPostedOnce(t *testing.T) {
	clock := bottest.NewClock(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
	fake := slacktest.New(t, slacktest.WithClock(clock.Now))
	p := mustPoster(t, fake)
	fake.FailReplies("C1", slacktest.Failure{Error: "restricted_action_non_threadable_channel"})
	store := bot.NewMemoryStore()
	ch := bot.ChannelKey{Platform: bot.Slack, Channel: "C1"}
	ctx := t.Context()
	if err := store.PutSubscription(ctx, bot.Subscription{Channel: ch, Time: "09:00", Timezone: "UTC", Thread: true, Mention: "S0TEAM", Source: "chat", Since: clock.Now()}); err != nil {
		t.Fatal(err)
	}
	sched := bot.NewScheduler(bot.SchedulerConfig{Store: store, Catalog: bottest.Catalog(t), Clock: clock, Owner: "test",
		Posters: map[bot.Platform]bot.Poster{bot.Slack: p}, Logger: slog.New(slog.DiscardHandler)})
	for _, at := range []string{"09:00", "09:01", "09:30", "12:00"} {
		clock.Set(t, "2026-11-26 "+at)
		if err := sched.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	posts := inChannel(fake, "C1")
	if len(posts) != 1 || fake.Attempts("C1") != 2 {
		t.Fatalf("%d posts of %d calls, want exactly one post and one reply tried", len(posts), fake.Attempts("C1"))
	}
	if !strings.HasPrefix(posts[0].Text, "<!subteam^S0TEAM> ") {
		t.Errorf("the post %q lacks the mention", posts[0].Text)
	}
	rec, err := store.GetPost(ctx, ch, "2026-11-26")
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != bot.PostSent || !strings.Contains(rec.Error, "the thread could not be opened") {
		t.Errorf("record %s %q, want sent, with the reason", rec.State, rec.Error)
	}
}

// TestPostMentionsTheUserGroup: with Ping, the post's text and first
// block start with the user group's mention, the rest as without it; the
// thread mentions no one.
func TestPostMentionsTheUserGroup(t *testing.T) {
	fake := slacktest.New(t)
	p := mustPoster(t, fake)
	reply := randomReply(t)
	plain := slack.Render(reply)
	reply.Ping, reply.Thread = "S0123ABC", true
	if err := p.Post(t.Context(), "C1", "key", reply); err != nil {
		t.Fatal(err)
	}
	posts := inChannel(fake, "C1")
	if len(posts) != 1 {
		t.Fatalf("%d posts, want 1", len(posts))
	}
	m := posts[0]
	const at = "<!subteam^S0123ABC>"
	if m.Text != at+" "+plain.Text {
		t.Errorf("text %q, want %q", m.Text, at+" "+plain.Text)
	}
	first, ok := m.Blocks.BlockSet[0].(*slackapi.SectionBlock)
	want := plain.Blocks[0].(*slackapi.SectionBlock)
	if !ok || first.Text.Text != at+" "+want.Text.Text || first.BlockID != want.BlockID {
		t.Fatalf("first block %+v, want %q in %s", m.Blocks.BlockSet[0], at+" "+want.Text.Text, want.BlockID)
	}
	if got, w := blocksJSON(t, m.Blocks.BlockSet[1:]), blocksJSON(t, plain.Blocks[1:]); got != w {
		t.Errorf("the other blocks changed:\n%s\nwant %s", got, w)
	}
	if n := strings.Count(blocksJSON(t, m.Blocks)+m.Text, "<!"); n != 2 {
		t.Errorf("%d mentions in the post, want the user group's in the text and the first block", n)
	}
	for _, r := range fake.Replies("C1", m.TS) {
		if strings.Contains(r.Text+blocksJSON(t, r.Blocks), "<!") {
			t.Errorf("a reply mentions someone: %q", r.Text)
		}
	}
	t.Run("a mention that is not a user group id", func(t *testing.T) {
		r := randomReply(t)
		r.Ping = "S1> <!channel"
		err := p.Post(t.Context(), "C2", "key", r)
		var pe *bot.PostError
		if !errors.As(err, &pe) || !pe.Permanent || !strings.Contains(err.Error(), "not a user group id") || fake.Attempts("C2") != 0 {
			t.Errorf("Post = %v, %d attempts; want a permanent error before sending", err, fake.Attempts("C2"))
		}
	})
}

// TestPostWithoutThreadOrPing: a post that asks for neither replies in
// no thread and mentions no one.
func TestPostWithoutThreadOrPing(t *testing.T) {
	fake := slacktest.New(t)
	p := mustPoster(t, fake)
	reply := randomReply(t)
	if err := p.Post(t.Context(), "C1", "key", reply); err != nil {
		t.Fatal(err)
	}
	msgs := fake.Messages("C1")
	if len(msgs) != 1 || msgs[0].ThreadTS != "" || fake.Calls(slacktest.MethodPostMessage) != 1 {
		t.Fatalf("%d messages, %d calls; want the post alone", len(msgs), fake.Calls(slacktest.MethodPostMessage))
	}
	if strings.Contains(msgs[0].Text+blocksJSON(t, msgs[0].Blocks), "<!") {
		t.Errorf("the post mentions someone: %q", msgs[0].Text)
	}
}

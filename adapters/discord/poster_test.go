package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/industrybot/industrybot/adapters/discord/discordtest"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

func newPoster(t *testing.T, f *discordtest.Server, token string, logs *logBuffer) *Poster {
	t.Helper()
	sess, err := NewSession(SessionConfig{Token: token, APIURL: f.URL})
	if err != nil {
		t.Fatal(err)
	}
	return NewPoster(sess, slog.New(slog.NewTextHandler(logs, nil)))
}

// dailyReply is what the core posts each day: a /random answer.
func dailyReply(t *testing.T) bot.Reply {
	t.Helper()
	b := bottest.Bot(t)
	return b.Handle(context.Background(), bot.Request{Platform: bot.Discord, Channel: "c", Command: bot.CmdRandom})
}

// TestPosterPostsLikeRandom: a post carries the same embeds and buttons as
// the /random answer, as the bot, with no pings.
func TestPosterPostsLikeRandom(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, discordtest.Options{Token: testToken})
	p := newPoster(t, f, testToken, &logBuffer{})
	reply := dailyReply(t)
	if err := p.Post(context.Background(), "111", "key", reply); err != nil {
		t.Fatal(err)
	}
	msgs := f.Messages("111")
	if len(msgs) != 1 || f.MessageCount("111") != 1 || f.MessageCounts()["111"] != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	want := render(reply)[0].data()
	var got struct {
		Content         string                            `json:"content"`
		Embeds          []*discordgo.MessageEmbed         `json:"embeds"`
		AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
		Flags           *int                              `json:"flags"`
	}
	if err := json.Unmarshal(msgs[0].JSON, &got); err != nil {
		t.Fatal(err)
	}
	for _, e := range got.Embeds {
		e.Type = "" // discordgo marks posted embeds "rich", Discord's default
	}
	wantEmbeds, _ := json.Marshal(want.Embeds)
	gotEmbeds, _ := json.Marshal(got.Embeds)
	if string(gotEmbeds) != string(wantEmbeds) || got.Content != want.Content {
		t.Errorf("posted %s %s\nwant %s %s", got.Content, gotEmbeds, want.Content, wantEmbeds)
	}
	if len(msgs[0].Buttons) != 2 || msgs[0].Buttons[0].Label != "Another" || msgs[0].Buttons[1].Label != "Why?" {
		t.Errorf("buttons = %+v, want Another and Why?", msgs[0].Buttons)
	}
	if got.AllowedMentions == nil || len(got.AllowedMentions.Parse) != 0 || got.Flags != nil {
		t.Errorf("allowed_mentions %+v, flags %v: want no pings and a public message", got.AllowedMentions, got.Flags)
	}
	for _, r := range f.Requests() {
		if strings.HasPrefix(r.Path, "/channels/") && !r.Authorized {
			t.Errorf("%s %s was not sent with the bot token", r.Method, r.Path)
		}
	}
}

// TestPosterClassifiesFailures: what retrying can fix, what it cannot and
// what to do about it, and how long Discord asked to wait — discordgo's own
// retries off, so each failure is one attempt. No error or log line holds
// the token.
func TestPosterClassifiesFailures(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, discordtest.Options{Token: testToken})
	logs := &logBuffer{}
	p := newPoster(t, f, testToken, logs)
	reply := dailyReply(t)
	tests := []struct {
		name       string
		failure    discordtest.Failure
		permanent  bool
		retryAfter time.Duration
		hint       string
		text       string
	}{
		{"unknown channel", discordtest.UnknownChannel(), true, 0, "unsubscribe", "HTTP 404, code 10003 Unknown Channel"},
		{"missing access", discordtest.MissingAccess(), true, 0, "invite it", "HTTP 403, code 50001 Missing Access"},
		{"missing permissions", discordtest.MissingPermissions(), true, 0, "View Channel, Send Messages and Embed Links", "code 50013"},
		{"rate limited", discordtest.RateLimited(2500 * time.Millisecond), false, 2500 * time.Millisecond, "", "rate limited (HTTP 429)"},
		{"server error", discordtest.ServerError(), false, 0, "", "HTTP 500"},
		{"bad gateway", discordtest.Failure{Status: 502, Message: "502: Bad Gateway"}, false, 0, "", "HTTP 502"},
		{"refused token", discordtest.Failure{Status: 401, Message: "401: Unauthorized"}, true, 0, "Reset Token", "HTTP 401"},
	}
	for n, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			channel := "2" + strings.Repeat("0", 10) + string(rune('a'+n))
			f.FailChannel(channel, tc.failure)
			err := p.Post(context.Background(), channel, "key", reply)
			var pe *bot.PostError
			if !errors.As(err, &pe) {
				t.Fatalf("Post = %v, want a *bot.PostError", err)
			}
			if pe.Permanent != tc.permanent || pe.RetryAfter != tc.retryAfter || pe.Unknown {
				t.Errorf("permanent %v, retry after %v, unknown %v; want %v, %v, false: Discord answered (%v)", pe.Permanent, pe.RetryAfter, pe.Unknown, tc.permanent, tc.retryAfter, err)
			}
			if !strings.Contains(pe.Hint, tc.hint) || (tc.permanent && pe.Hint == "") || (!tc.permanent && pe.Hint != "") {
				t.Errorf("hint %q, want one containing %q", pe.Hint, tc.hint)
			}
			if !strings.Contains(err.Error(), tc.text) || !strings.Contains(err.Error(), channel) {
				t.Errorf("error %q, want it to name the channel and %q", err, tc.text)
			}
			if n := f.Attempts(channel); n != 1 {
				t.Errorf("%d attempts, want 1: the caller decides on retries", n)
			}
			if f.MessageCount(channel) != 0 {
				t.Errorf("a failed post was recorded")
			}
		})
	}
	t.Run("works again when the failure passes", func(t *testing.T) {
		f.FailChannel("3000", discordtest.Failure{Status: 500, Times: 1})
		if err := p.Post(context.Background(), "3000", "key", reply); err == nil {
			t.Fatal("first post succeeded, want the injected 500")
		}
		if err := p.Post(context.Background(), "3000", "key", reply); err != nil {
			t.Fatalf("second post: %v", err)
		}
		if n := f.MessageCount("3000"); n != 1 {
			t.Errorf("%d messages, want 1", n)
		}
	})
	if strings.Contains(logs.String(), testToken) {
		t.Errorf("the token was logged:\n%s", logs.String())
	}
}

func TestPosterNetworkFailureIsTransient(t *testing.T) {
	t.Parallel()
	f := discordtest.NewServer(discordtest.Options{Token: testToken})
	p := newPoster(t, f, testToken, &logBuffer{})
	f.Close()
	err := p.Post(context.Background(), "111", "key", dailyReply(t))
	var pe *bot.PostError
	if !errors.As(err, &pe) || pe.Permanent || pe.RetryAfter != 0 || pe.Unknown {
		t.Fatalf("Post = %#v, want a transient *bot.PostError, not Unknown: nothing was sent", err)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("error %q holds the token", err)
	}
}

func TestPosterNeedsTokenAndChannel(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, discordtest.Options{Token: testToken})
	tests := []struct {
		name, token, channel, want string
	}{
		{"no token", "", "111", "INDUSTRYBOT_DISCORD_TOKEN"},
		{"no channel", testToken, "", "channel id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := newPoster(t, f, tc.token, &logBuffer{}).Post(context.Background(), tc.channel, "key", dailyReply(t))
			var pe *bot.PostError
			if !errors.As(err, &pe) || !pe.Permanent || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Post = %v, want a permanent error mentioning %q", err, tc.want)
			}
		})
	}
}

// TestPosterSendsANonce: every message of a post carries a nonce made of
// its key, at most 25 characters, with enforce_nonce, so Discord answers a
// second send of the same post with the first message instead of posting
// it again.
func TestPosterSendsANonce(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, discordtest.Options{Token: testToken})
	p := newPoster(t, f, testToken, &logBuffer{})
	reply := dailyReply(t)
	key := "discord:111/2026-11-26"
	for range 2 {
		if err := p.Post(context.Background(), "111", key, reply); err != nil {
			t.Fatal(err)
		}
	}
	msgs := f.Messages("111")
	if len(msgs) != 1 || f.Dropped("111") != 1 {
		t.Fatalf("%d messages, %d dropped; want the second send dropped", len(msgs), f.Dropped("111"))
	}
	var sent struct {
		Nonce        string `json:"nonce"`
		EnforceNonce bool   `json:"enforce_nonce"`
	}
	if err := json.Unmarshal(msgs[0].JSON, &sent); err != nil {
		t.Fatal(err)
	}
	if sent.Nonce != Nonce(key, 0) || len(sent.Nonce) > 25 || !sent.EnforceNonce {
		t.Errorf("nonce %q (%d chars), enforce_nonce %v; want %q, at most 25, enforced", sent.Nonce, len(sent.Nonce), sent.EnforceNonce, Nonce(key, 0))
	}
	if Nonce(key, 1) == Nonce(key, 0) || Nonce("discord:112/2026-11-26", 0) == Nonce(key, 0) || Nonce("discord:111/2026-11-27", 0) == Nonce(key, 0) {
		t.Error("nonces of another part, channel or day are the same")
	}
	if err := p.Post(context.Background(), "111", "discord:111/2026-11-27", reply); err != nil {
		t.Fatal(err)
	}
	if n := f.MessageCount("111"); n != 2 {
		t.Errorf("another day's post: %d messages, want 2", n)
	}
	if d := p.Dedup(); d != NonceWindow {
		t.Errorf("Dedup = %s, want %s", d, NonceWindow)
	}
	if _, err := p.Look(context.Background(), "111", key, time.Now()); !errors.Is(err, bot.ErrCannotLook) {
		t.Errorf("Look = %v, want ErrCannotLook", err)
	}
}

// TestPosterLostAnswerIsUnknown: a post Discord took whose answer was lost
// (a reset, an answer after the client's timeout) fails as Unknown, never
// as a failure to send again as new; sent again with its key, it is not
// posted twice.
func TestPosterLostAnswerIsUnknown(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, discordtest.Options{Token: testToken})
	p := newPoster(t, f, testToken, &logBuffer{})
	// The fake answers late only once this client has given up: its
	// timeout is what the late case waits, and ample for the request to
	// reach the fake on a loaded machine. The other requests go through p.
	sess, err := NewSession(SessionConfig{Token: testToken, APIURL: f.URL, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	impatient := NewPoster(sess, nil)
	for _, tc := range []struct {
		name string
		loss discordtest.Loss
		via  *Poster
	}{
		{"reset after acceptance", discordtest.LoseReset, p},
		{"answer after the client's timeout", discordtest.LoseLate, impatient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			channel := fmt.Sprint(400 + tc.loss)
			key := "discord:" + channel + "/2026-11-26"
			f.LoseAnswers(channel, tc.loss, 1)
			err := tc.via.Post(context.Background(), channel, key, dailyReply(t))
			var pe *bot.PostError
			if !errors.As(err, &pe) || !pe.Unknown || pe.Permanent {
				t.Fatalf("Post = %v, want an Unknown *bot.PostError", err)
			}
			if n := f.MessageCount(channel); n != 1 {
				t.Fatalf("%d messages, want the one Discord took", n)
			}
			if err := p.Post(context.Background(), channel, key, dailyReply(t)); err != nil {
				t.Fatalf("sent again: %v", err)
			}
			if n := f.MessageCount(channel); n != 1 || f.Dropped(channel) != 1 {
				t.Errorf("sent again: %d messages, %d dropped; want 1 and 1", n, f.Dropped(channel))
			}
		})
	}
}

// TestPosterTellsAGlobalRateLimit: a 429 on the bot's global limit says so,
// so the scheduler holds every Discord post; a route's 429 does not.
func TestPosterTellsAGlobalRateLimit(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, discordtest.Options{Token: testToken})
	p := newPoster(t, f, testToken, &logBuffer{})
	reply := dailyReply(t)
	for channel, failure := range map[string]discordtest.Failure{
		"300000000001": discordtest.RateLimited(2 * time.Second),
		"300000000002": discordtest.GlobalRateLimited(2 * time.Second),
	} {
		f.FailChannel(channel, failure)
		var pe *bot.PostError
		if err := p.Post(context.Background(), channel, "key", reply); !errors.As(err, &pe) || pe.RetryAfter != 2*time.Second {
			t.Fatalf("%s: %v, want a 429 asking for 2s", channel, err)
		}
		if pe.Global != failure.Global {
			t.Errorf("%s: global %v, want %v", channel, pe.Global, failure.Global)
		}
	}
}

// whyEmbeds are the embeds of the answer to /why title, as JSON, one
// string per message.
func whyEmbeds(t *testing.T, title *bot.Title) []string {
	t.Helper()
	r := bottest.Bot(t).Handle(context.Background(), bot.Request{Platform: bot.Discord, Channel: "c", Command: bot.CmdWhy, Options: map[string]string{bot.OptTitle: title.ID}})
	if r.Commentary == nil || r.Commentary.ID != title.ID {
		t.Fatalf("/why %s: %+v", title.ID, r)
	}
	var out []string
	for _, m := range render(r) {
		out = append(out, embedsJSON(m.Embeds))
	}
	return out
}

// embedsJSON is embeds as JSON, without the type discordgo gives posted
// embeds ("rich", Discord's default).
func embedsJSON(embeds []*discordgo.MessageEmbed) string {
	out := make([]discordgo.MessageEmbed, len(embeds))
	for i, e := range embeds {
		out[i] = *e
		out[i].Type = ""
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// noPings reports whether a message may ping no one: allowed_mentions
// sent, parsing nothing and naming no one.
func noPings(m discordtest.Message) bool {
	a := m.AllowedMentions
	return a != nil && a.Parse != nil && len(a.Parse) == 0 && len(a.Roles) == 0 && len(a.Users) == 0
}

// TestPosterOpensAThread: with Thread, the post goes out as without it,
// and a thread on its message, named for the pick, holds the pick's whole
// commentary laid out as the answer to /why is, pinging no one. Sent again
// with its key, nothing doubles.
func TestPosterOpensAThread(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, discordtest.Options{Token: testToken})
	p := newPoster(t, f, testToken, &logBuffer{})
	reply := dailyReply(t)
	reply.Thread = true
	title := reply.Picks[0].Title
	key := "discord:111/2026-11-26"
	if err := p.Post(context.Background(), "111", key, reply); err != nil {
		t.Fatal(err)
	}
	msgs := f.Messages("111")
	if len(msgs) != 1 {
		t.Fatalf("%d messages in the channel, want the post alone", len(msgs))
	}
	if got, want := embedsJSON(msgs[0].Embeds), embedsJSON(render(reply)[0].Embeds); got != want || !noPings(msgs[0]) {
		t.Errorf("the post changed with a thread: %s\nwant %s; allowed_mentions %+v", got, want, msgs[0].AllowedMentions)
	}
	threads := f.Threads("111")
	if len(threads) != 1 {
		t.Fatalf("%d threads, want 1", len(threads))
	}
	th := threads[0]
	if th.ID != msgs[0].ID || th.Name != title.Title || th.AutoArchiveDuration != 1440 {
		t.Errorf("thread %+v, want one on message %s named %q archiving after 1440 minutes", th, msgs[0].ID, title.Title)
	}
	in := f.Messages(th.ID)
	want := whyEmbeds(t, title)
	if len(in) != len(want) {
		t.Fatalf("%d messages in the thread, want %d, as /why answers", len(in), len(want))
	}
	for i, m := range in {
		if got := embedsJSON(m.Embeds); got != want[i] {
			t.Errorf("thread message %d: %s\nwant the /why answer's %s", i+1, got, want[i])
		}
		if !noPings(m) || len(m.Buttons) != 0 || m.Nonce == "" {
			t.Errorf("thread message %d: allowed_mentions %+v, buttons %v, nonce %q; want no pings, no buttons, a nonce", i+1, m.AllowedMentions, m.Buttons, m.Nonce)
		}
	}
	if err := p.Post(context.Background(), "111", key, reply); err != nil {
		t.Fatalf("sent again: %v", err)
	}
	if n, threads, in := f.MessageCount("111"), len(f.Threads("111")), f.MessageCount(th.ID); n != 1 || threads != 1 || in != len(want) {
		t.Errorf("sent again: %d messages, %d threads, %d in the thread; want 1, 1, %d", n, threads, in, len(want))
	}
}

// TestPosterThreadHoldsALongCommentary: a commentary longer than one
// message goes into the thread as /why lays it out, in order.
func TestPosterThreadHoldsALongCommentary(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, discordtest.Options{Token: testToken})
	p := newPoster(t, f, testToken, &logBuffer{})
	long := &bot.Title{Work: bot.Work{ID: "long", Title: strings.Repeat("Long title ", 12), Kind: bot.Film, Year: 2001, Credit: bot.Credit{Role: "director", Names: []string{"A"}}}}
	for i := range 12 {
		long.Commentary = append(long.Commentary, fmt.Sprintf("Paragraph %d. %s", i+1, strings.Repeat("Words the creators said at length. ", 60)))
	}
	reply := bot.Reply{Text: "Today's pick", Picks: []bot.Pick{{Title: long}}, Attribution: "the creators", Scheduled: true, Thread: true}
	if err := p.Post(context.Background(), "111", "key", reply); err != nil {
		t.Fatal(err)
	}
	th := f.Threads("111")
	if len(th) != 1 || len([]rune(th[0].Name)) > 100 || !strings.HasPrefix(th[0].Name, "Long title") {
		t.Fatalf("threads %+v, want one named for the title within 100 characters", th)
	}
	want := render(bot.Reply{Commentary: long, Attribution: "the creators"})
	in := f.Messages(th[0].ID)
	if len(want) < 2 || len(in) != len(want) {
		t.Fatalf("%d messages in the thread, want %d (more than one)", len(in), len(want))
	}
	for i := range in {
		if got, w := embedsJSON(in[i].Embeds), embedsJSON(want[i].Embeds); got != w {
			t.Errorf("thread message %d differs from the /why layout", i+1)
		}
	}
}

// TestPosterThreadFailures: a thread that cannot be opened or filled
// leaves the post out, once, and says so with a *bot.FollowUpError
// naming what failed and what to do; the token is never in it.
func TestPosterThreadFailures(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, discordtest.Options{Token: testToken})
	logs := &logBuffer{}
	p := newPoster(t, f, testToken, logs)
	reply := dailyReply(t)
	reply.Thread = true
	tests := []struct {
		name      string
		fail      func(channel string)
		threads   int // threads opened
		text      []string
		inThread  int // messages in the thread
		startsFor int // thread starts asked
	}{
		{"missing permissions", func(c string) { f.FailThreads(c, discordtest.MissingPermissions()) }, 0,
			[]string{"the thread could not be opened", "HTTP 403, code 50013 Missing Permissions", "give industrybot Create Public Threads and Send Messages in Threads in this channel"}, 0, 1},
		{"missing access", func(c string) { f.FailThreads(c, discordtest.MissingAccess()) }, 0,
			[]string{"code 50001", "Create Public Threads"}, 0, 1},
		{"a channel without threads", func(c string) {
			f.FailThreads(c, discordtest.Failure{Status: 400, Code: 50024, Message: "Cannot execute action on this channel type"})
		}, 0, []string{"code 50024", "subscribe the channel without thread"}, 0, 1},
		{"rate limited", func(c string) { f.FailThreads(c, discordtest.RateLimited(3*time.Second)) }, 0,
			[]string{"the thread could not be opened", "rate limited (HTTP 429)"}, 0, 1},
		{"server error", func(c string) { f.FailThreads(c, discordtest.ServerError()) }, 0,
			[]string{"the thread could not be opened", "HTTP 500"}, 0, 1},
		{"no Send Messages in Threads", func(c string) { f.FailThreadPosts(c, discordtest.MissingPermissions()) }, 1,
			[]string{"the thread opened, but its commentary could not be posted", "code 50013", "Send Messages in Threads"}, 0, 1},
	}
	for n, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			channel := fmt.Sprint(500000000000 + n)
			tc.fail(channel)
			err := p.Post(context.Background(), channel, "discord:"+channel+"/2026-11-26", reply)
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
			if n, a := f.MessageCount(channel), f.Attempts(channel); n != 1 || a != 1 {
				t.Errorf("%d messages of %d attempts in the channel, want the post exactly once", n, a)
			}
			threads := f.Threads(channel)
			if len(threads) != tc.threads || f.ThreadAttempts(channel) != tc.startsFor {
				t.Fatalf("%d threads of %d starts, want %d of %d", len(threads), f.ThreadAttempts(channel), tc.threads, tc.startsFor)
			}
			if len(threads) == 1 && f.MessageCount(threads[0].ID) != tc.inThread {
				t.Errorf("%d messages in the thread, want %d", f.MessageCount(threads[0].ID), tc.inThread)
			}
		})
	}
	if s := logs.String(); strings.Contains(s, testToken) || !strings.Contains(s, "thread") {
		t.Errorf("log holds the token, or no word of the thread:\n%s", s)
	}
}

// TestPosterPingsTheRole: with Ping, the post's first message starts with
// the role's mention and allows that role alone to be pinged; no other
// message of the post, or of its thread, pings anyone.
func TestPosterPingsTheRole(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, discordtest.Options{Token: testToken})
	p := newPoster(t, f, testToken, &logBuffer{})
	const role = "800000000000000042"
	reply := dailyReply(t)
	reply.Ping, reply.Thread = role, true
	if err := p.Post(context.Background(), "111", "key", reply); err != nil {
		t.Fatal(err)
	}
	msgs := f.Messages("111")
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if want := "<@&" + role + "> " + render(reply)[0].Content; m.Content != want {
		t.Errorf("content %q, want %q", m.Content, want)
	}
	var sent struct {
		AllowedMentions map[string]any `json:"allowed_mentions"`
	}
	if err := json.Unmarshal(m.JSON, &sent); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(sent.AllowedMentions)
	// replied_user false is discordgo's, and pings no one more.
	if want := `{"parse":[],"replied_user":false,"roles":["` + role + `"]}`; string(got) != want {
		t.Errorf("allowed_mentions %s, want %s: that role and no one else", got, want)
	}
	th := f.Threads("111")
	if len(th) != 1 || f.MessageCount(th[0].ID) == 0 {
		t.Fatalf("threads %+v, want one with the commentary", th)
	}
	for _, m := range f.Messages(th[0].ID) {
		if !noPings(m) || strings.Contains(m.Content, role) {
			t.Errorf("a thread message pings: %q, %+v", m.Content, m.AllowedMentions)
		}
	}
	t.Run("a long post mentions in its first message only", func(t *testing.T) {
		long := &bot.Title{Work: bot.Work{ID: "long", Title: "Long", Kind: bot.Film, Year: 2001}}
		for range 30 {
			long.Commentary = append(long.Commentary, strings.Repeat("Words the creators said at length. ", 60))
		}
		r := bot.Reply{Commentary: long, Ping: role}
		if err := p.Post(context.Background(), "112", "key", r); err != nil {
			t.Fatal(err)
		}
		msgs := f.Messages("112")
		if len(msgs) < 2 {
			t.Fatalf("%d messages, want several", len(msgs))
		}
		for i, m := range msgs {
			pings := m.AllowedMentions != nil && len(m.AllowedMentions.Roles) > 0
			if (i == 0) != pings || (i == 0) != strings.HasPrefix(m.Content, "<@&"+role+">") {
				t.Errorf("message %d: content %q, allowed_mentions %+v; want the mention in the first alone", i+1, m.Content, m.AllowedMentions)
			}
		}
	})
	t.Run("a mention that is not a role id", func(t *testing.T) {
		r := dailyReply(t)
		r.Ping = "123> @everyone <@&1"
		err := p.Post(context.Background(), "113", "key", r)
		var pe *bot.PostError
		if !errors.As(err, &pe) || !pe.Permanent || !strings.Contains(err.Error(), "not a role id") || f.Attempts("113") != 0 {
			t.Errorf("Post = %v, %d attempts; want a permanent error before sending", err, f.Attempts("113"))
		}
	})
}

// TestPosterWithoutThreadOrPing: a post that asks for neither starts no
// thread and pings no one.
func TestPosterWithoutThreadOrPing(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, discordtest.Options{Token: testToken})
	p := newPoster(t, f, testToken, &logBuffer{})
	reply := dailyReply(t)
	if err := p.Post(context.Background(), "111", "key", reply); err != nil {
		t.Fatal(err)
	}
	msgs := f.Messages("111")
	if len(msgs) != 1 || !noPings(msgs[0]) || msgs[0].Content != render(reply)[0].Content {
		t.Fatalf("messages %+v, want the post alone, pinging no one", msgs)
	}
	if n := f.ThreadAttempts("111"); n != 0 || len(f.Threads("111")) != 0 {
		t.Errorf("%d thread starts, want none", n)
	}
	for _, r := range f.Requests() {
		if strings.HasSuffix(r.Path, "/threads") {
			t.Errorf("asked %s %s", r.Method, r.Path)
		}
	}
}

// TestScheduledThreadThatFailsIsPostedOnce: through the scheduler on a
// moved clock, a daily post whose thread Discord refuses goes out once,
// mentioning its role, is recorded sent with the reason, and is not sent
// again on later ticks; the next day's post goes out as usual.
func TestScheduledThreadThatFailsIsPostedOnce(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, discordtest.Options{Token: testToken})
	p := newPoster(t, f, testToken, &logBuffer{})
	const channel, role = "600000000000", "800000000000000042"
	f.FailThreads(channel, discordtest.MissingPermissions())
	store := bot.NewMemoryStore()
	clock := bottest.NewClock(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
	ch := bot.ChannelKey{Platform: bot.Discord, Channel: channel}
	ctx := context.Background()
	if err := store.PutSubscription(ctx, bot.Subscription{Channel: ch, Time: "09:00", Timezone: "UTC", Thread: true, Mention: role, Source: "chat", Since: clock.Now()}); err != nil {
		t.Fatal(err)
	}
	sched := bot.NewScheduler(bot.SchedulerConfig{Store: store, Catalog: bottest.Catalog(t), Clock: clock, Owner: "test",
		Posters: map[bot.Platform]bot.Poster{bot.Discord: p}, Logger: slog.New(slog.DiscardHandler)})
	for _, at := range []string{"09:00", "09:01", "09:30", "12:00"} {
		clock.Set(t, "2026-11-26 "+at)
		if err := sched.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n, a := f.MessageCount(channel), f.Attempts(channel); n != 1 || a != 1 {
		t.Fatalf("%d messages of %d attempts, want exactly one post", n, a)
	}
	if n := f.ThreadAttempts(channel); n != 1 {
		t.Errorf("%d thread starts, want 1: a failed thread is not tried again", n)
	}
	if m := f.Messages(channel)[0]; !strings.HasPrefix(m.Content, "<@&"+role+">") || len(m.AllowedMentions.Roles) != 1 {
		t.Errorf("the post %q, allowed_mentions %+v: want the role mentioned", m.Content, m.AllowedMentions)
	}
	rec, err := store.GetPost(ctx, ch, "2026-11-26")
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != bot.PostSent || !strings.Contains(rec.Error, "Create Public Threads") {
		t.Errorf("record %s %q, want sent, saying what to give the bot", rec.State, rec.Error)
	}
	f.ClearThreadFailure(channel)
	clock.Set(t, "2026-11-27 09:00")
	if err := sched.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if n, th := f.MessageCount(channel), f.Threads(channel); n != 2 || len(th) != 1 || f.MessageCount(th[0].ID) == 0 {
		t.Errorf("next day: %d messages, threads %+v; want 2 posts and a thread with the commentary", n, th)
	}
}

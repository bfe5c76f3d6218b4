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

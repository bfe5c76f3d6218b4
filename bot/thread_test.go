package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/industrybot/industrybot/bot"
)

// TestThreadThatFailsToOpen: the poster posts, then cannot open the thread
// (a FollowUpError). The post is recorded sent with the reason, sent once
// only, the deck moves on, and the status says what went wrong.
func TestThreadThatFailsToOpen(t *testing.T) {
	r := newRig(t, longAgo, bot.NewMemoryStore())
	ctx := context.Background()
	sub := bot.Subscription{Channel: slackC1, Time: "09:00", Timezone: "UTC", Thread: true, Mention: "S0123", Source: "chat", Since: longAgo}
	if err := r.store.PutSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	var seen []bot.Reply
	r.poster.fail = func(string, int) error { return nil }
	wrapped := &threadPoster{fakePoster: r.poster, err: &bot.FollowUpError{Err: errors.New("the thread could not be opened: missing_scope")}, seen: &seen}
	r.cfg.Posters = map[bot.Platform]bot.Poster{bot.Slack: wrapped}
	r.sched = bot.NewScheduler(r.cfg)
	r.at(utc("2026-11-26 09:00"))
	r.at(utc("2026-11-26 09:01"))
	r.at(utc("2026-11-26 10:00"))
	if n := r.poster.count(); n != 1 {
		t.Fatalf("%d posts, want exactly 1: a thread that fails must not send the post again", n)
	}
	if len(seen) != 1 || !seen[0].Thread || seen[0].Ping != "S0123" {
		t.Errorf("the poster was asked %+v, want one post asking for a thread and the mention", seen)
	}
	p := r.post(slackC1, "2026-11-26")
	if p.State != bot.PostSent || !strings.Contains(p.Error, "thread could not be opened") {
		t.Errorf("record %+v, want sent, with the thread's failure", p)
	}
	st, err := r.sched.Status(ctx, slackC1)
	if err != nil {
		t.Fatal(err)
	}
	if st.Dealt != 1 || !strings.Contains(st.String(), "sent (the post went out, but the thread could not be opened") {
		t.Errorf("status: dealt %d\n%s", st.Dealt, st.String())
	}
	r.at(utc("2026-11-27 09:00"))
	if n := r.poster.count(); n != 2 {
		t.Errorf("%d posts after the next day, want 2", n)
	}
}

// threadPoster posts with the fake poster and then fails to open the thread.
type threadPoster struct {
	*fakePoster
	err  error
	seen *[]bot.Reply
}

func (p *threadPoster) Post(ctx context.Context, channel, key string, r bot.Reply) error {
	*p.seen = append(*p.seen, r)
	if err := p.fakePoster.Post(ctx, channel, key, r); err != nil {
		return err
	}
	return p.err
}

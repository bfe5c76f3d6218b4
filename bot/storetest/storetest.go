// Package storetest is the conformance suite of bot.Store: every
// implementation, in process or on a database, passes the same tests.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/industrybot/industrybot/bot"
)

// Run holds the store that newStore returns to the bot.Store contract.
// newStore returns an empty store for each subtest, and arranges its
// closing with t.Cleanup. Subtests run in parallel.
func Run(t *testing.T, newStore func(t *testing.T) bot.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s bot.Store)
	}{
		{"Memory", testMemory},
		{"MemoryRestart", testMemoryRestart},
		{"Subscriptions", testSubscriptions},
		{"ClaimOnce", testClaimOnce},
		{"ClaimRace", testClaimRace},
		{"Takeover", testTakeover},
		{"Sending", testSending},
		{"FinishAndDeck", testFinishAndDeck},
		{"DaysWithoutPost", testDaysWithoutPost},
		{"PostLists", testPostLists},
		{"Ping", func(t *testing.T, s bot.Store) {
			if err := s.Ping(context.Background()); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newStore(t))
		})
	}
}

var (
	ctx   = context.Background()
	chA   = bot.ChannelKey{Platform: bot.Slack, Channel: "C1"}
	chB   = bot.ChannelKey{Platform: bot.Discord, Channel: "1001"}
	chC   = bot.ChannelKey{Platform: bot.Discord, Channel: "1000"}
	epoch = time.Date(2026, 3, 29, 8, 0, 0, 0, time.UTC)
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func testMemory(t *testing.T, s bot.Store) {
	got, err := s.Recent(ctx, chA, 10)
	if err != nil || len(got) != 0 {
		t.Fatalf("empty channel: got %v, %v; want none", got, err)
	}
	must(t, s.Remember(ctx, chA, []string{"heat", "kids", "girls"}))
	must(t, s.Remember(ctx, chA, []string{"moneyball"}))
	must(t, s.Remember(ctx, chA, []string{"kids"})) // shown again: moves to the front, once
	must(t, s.Remember(ctx, chB, []string{"mad-men"}))
	got, err = s.Recent(ctx, chA, 10)
	must(t, err)
	if want := []string{"kids", "moneyball", "heat", "girls"}; !slices.Equal(got, want) {
		t.Errorf("Recent = %v, want %v (newest first, ids[0] of a call newest of it, no repeats)", got, want)
	}
	if got, _ := s.Recent(ctx, chA, 2); !slices.Equal(got, []string{"kids", "moneyball"}) {
		t.Errorf("Recent(2) = %v", got)
	}
	if got, _ := s.Recent(ctx, chB, 10); !slices.Equal(got, []string{"mad-men"}) {
		t.Errorf("another channel: %v", got)
	}
	long := make([]string, 300)
	for i := range long {
		long[i] = fmt.Sprint("t", i)
	}
	must(t, s.Remember(ctx, chC, long))
	if got, _ := s.Recent(ctx, chC, 1000); len(got) < 256 || got[0] != "t0" {
		t.Errorf("after 300 ids: kept %d, first %v; want at least 256 with t0 first", len(got), got[:1])
	}
}

func testMemoryRestart(t *testing.T, s bot.Store) {
	must(t, s.Remember(ctx, chA, []string{"heat", "kids"}))
	must(t, s.Remember(ctx, chB, []string{"girls"}))
	must(t, s.Restart(ctx, chA))
	if got, _ := s.Recent(ctx, chA, 10); len(got) != 0 {
		t.Errorf("after Restart: %v, want nothing", got)
	}
	must(t, s.Remember(ctx, chA, []string{"heat"}))
	if got, _ := s.Recent(ctx, chA, 10); !slices.Equal(got, []string{"heat"}) {
		t.Errorf("new rotation: %v, want [heat]", got)
	}
	if got, _ := s.Recent(ctx, chB, 10); !slices.Equal(got, []string{"girls"}) {
		t.Errorf("Restart touched another channel: %v", got)
	}
}

func testSubscriptions(t *testing.T, s bot.Store) {
	if _, err := s.GetSubscription(ctx, chA); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("missing: got %v, want ErrNotFound", err)
	}
	if err := s.DeleteSubscription(ctx, chA); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("delete missing: got %v, want ErrNotFound", err)
	}
	if err := s.PauseSubscription(ctx, chA, "x"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("pause missing: got %v, want ErrNotFound", err)
	}
	a := bot.Subscription{Channel: chA, Time: "09:00", Timezone: "Europe/London", Source: "chat", CreatedBy: "U1", Since: epoch}
	b := bot.Subscription{Channel: chB, Time: "18:30", Timezone: "America/New_York", Source: "config", Since: epoch.Add(time.Hour),
		Days: 1<<time.Monday | 1<<time.Friday, Thread: true, Mention: "S0123ABC"}
	c := bot.Subscription{Channel: chC, Time: "07:00", Timezone: "Asia/Tokyo", Source: "config", Since: epoch}
	for _, sub := range []bot.Subscription{a, b, c} {
		must(t, s.PutSubscription(ctx, sub))
	}
	got, err := s.GetSubscription(ctx, chB)
	must(t, err)
	if !equalSub(got, b) {
		t.Errorf("got %+v, want %+v", got, b)
	}
	list, err := s.ListSubscriptions(ctx)
	must(t, err)
	var order []bot.ChannelKey
	for _, sub := range list {
		order = append(order, sub.Channel)
	}
	if want := []bot.ChannelKey{chC, chB, chA}; !slices.Equal(order, want) {
		t.Errorf("order = %v, want %v (platform, then channel)", order, want)
	}
	must(t, s.PauseSubscription(ctx, chA, "not_in_channel: invite the bot"))
	if got, _ := s.GetSubscription(ctx, chA); got.Paused != "not_in_channel: invite the bot" {
		t.Errorf("paused = %q", got.Paused)
	}
	a.Time, a.Days, a.Thread, a.Mention = "10:15", bot.Weekends, true, "123456789012345678"
	must(t, s.PutSubscription(ctx, a))
	a.Paused = ""
	if got, _ := s.GetSubscription(ctx, chA); !equalSub(got, a) {
		t.Errorf("subscribing again must replace and resume: got %+v, want %+v", got, a)
	}
	a.Days, a.Thread, a.Mention = bot.EveryDay, false, ""
	must(t, s.PutSubscription(ctx, a))
	if got, _ := s.GetSubscription(ctx, chA); !equalSub(got, a) {
		t.Errorf("subscribing again without days, thread or mention must clear them: got %+v, want %+v", got, a)
	}
	must(t, s.DeleteSubscription(ctx, chA))
	if list, _ := s.ListSubscriptions(ctx); len(list) != 2 {
		t.Errorf("after delete: %d subscriptions, want 2", len(list))
	}
}

func equalSub(a, b bot.Subscription) bool {
	return a.Channel == b.Channel && a.Time == b.Time && a.Timezone == b.Timezone && a.Source == b.Source &&
		a.CreatedBy == b.CreatedBy && a.Since.Equal(b.Since) && a.Paused == b.Paused &&
		a.Days == b.Days && a.Thread == b.Thread && a.Mention == b.Mention
}

func claim(ch bot.ChannelKey, date, pick, owner string, at time.Time) bot.Post {
	return bot.Post{Channel: ch, Date: date, Pick: pick, State: bot.PostClaimed, Owner: owner, Due: at, ClaimedAt: at}
}

func testClaimOnce(t *testing.T, s bot.Store) {
	p := claim(chA, "2026-03-29", "heat", "one", epoch)
	got, won, err := s.ClaimPost(ctx, p, epoch.Add(-time.Minute))
	must(t, err)
	if !won || got.Owner != "one" || got.Pick != "heat" || got.State != bot.PostClaimed || got.Attempts != 1 {
		t.Fatalf("first claim: won=%v %+v", won, got)
	}
	q := claim(chA, "2026-03-29", "kids", "two", epoch.Add(time.Second))
	got, won, err = s.ClaimPost(ctx, q, epoch.Add(-time.Minute))
	must(t, err)
	if won || got.Owner != "one" || got.Pick != "heat" {
		t.Errorf("second claim: won=%v %+v, want the first claim back", won, got)
	}
	// Another date, another channel: independent.
	if _, won, _ := s.ClaimPost(ctx, claim(chA, "2026-03-30", "kids", "two", epoch), epoch); !won {
		t.Error("another date was not claimable")
	}
	if _, won, _ := s.ClaimPost(ctx, claim(chB, "2026-03-29", "kids", "two", epoch), epoch); !won {
		t.Error("another channel was not claimable")
	}
	stored, err := s.GetPost(ctx, chA, "2026-03-29")
	must(t, err)
	if !stored.Due.Equal(epoch) || !stored.ClaimedAt.Equal(epoch) || stored.Owner != "one" {
		t.Errorf("stored %+v", stored)
	}
	if _, err := s.GetPost(ctx, chA, "2026-01-01"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("missing post: %v, want ErrNotFound", err)
	}
}

func testClaimRace(t *testing.T, s bot.Store) {
	const n = 16
	var wg sync.WaitGroup
	wins := make(chan string, n)
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			owner := fmt.Sprint("p", i)
			_, won, err := s.ClaimPost(ctx, claim(chA, "2026-03-29", "heat", owner, epoch), epoch.Add(-time.Hour))
			if err != nil {
				errs <- err
			}
			if won {
				wins <- owner
			}
		})
	}
	wg.Wait()
	close(wins)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var winners []string
	for w := range wins {
		winners = append(winners, w)
	}
	if len(winners) != 1 {
		t.Fatalf("%d winners (%v), want exactly one", len(winners), winners)
	}
	if got, _ := s.GetPost(ctx, chA, "2026-03-29"); got.Owner != winners[0] {
		t.Errorf("stored owner %q, winner %q", got.Owner, winners[0])
	}
}

func testTakeover(t *testing.T, s bot.Store) {
	_, _, err := s.ClaimPost(ctx, claim(chA, "2026-03-29", "heat", "dead", epoch), epoch)
	must(t, err)
	// Not stale yet: the claim holds.
	if _, won, _ := s.ClaimPost(ctx, claim(chA, "2026-03-29", "kids", "alive", epoch.Add(time.Minute)), epoch); won {
		t.Fatal("took over a fresh claim")
	}
	// Stale: taken over, keeping the pick.
	got, won, err := s.ClaimPost(ctx, claim(chA, "2026-03-29", "kids", "alive", epoch.Add(3*time.Minute)), epoch.Add(time.Minute))
	must(t, err)
	if !won || got.Owner != "alive" || got.Pick != "heat" || got.Attempts != 2 || !got.ClaimedAt.Equal(epoch.Add(3*time.Minute)) {
		t.Fatalf("takeover: won=%v %+v", won, got)
	}
	// The dead owner can no longer finish it.
	dead := got
	dead.Owner, dead.State = "dead", bot.PostSent
	if err := s.FinishPost(ctx, dead, nil); !errors.Is(err, bot.ErrNotOwner) {
		t.Errorf("finish by the old owner: %v, want ErrNotOwner", err)
	}
	// A restarted process, with the same owner name, takes its own claim
	// back at once.
	got, won, err = s.ClaimPost(ctx, claim(chA, "2026-03-29", "kids", "alive", epoch.Add(3*time.Minute+time.Second)), epoch)
	must(t, err)
	if !won || got.Owner != "alive" || got.Attempts != 3 {
		t.Fatalf("own claim back: won=%v %+v", won, got)
	}
	// Pending (a transient failure) is retried at once.
	got.State, got.FinishedAt, got.Error = bot.PostPending, epoch.Add(4*time.Minute), "HTTP 503"
	must(t, s.FinishPost(ctx, got, nil))
	got, won, err = s.ClaimPost(ctx, claim(chA, "2026-03-29", "kids", "third", epoch.Add(5*time.Minute)), epoch)
	must(t, err)
	if !won || got.Owner != "third" || got.Pick != "heat" || got.Attempts != 4 {
		t.Errorf("pending takeover: won=%v %+v", won, got)
	}
}

// testSending: a post marked sending stays so through a takeover, with
// when its sending began, so the new owner knows the platform may have it.
func testSending(t *testing.T, s bot.Store) {
	p, _, err := s.ClaimPost(ctx, claim(chA, "2026-03-29", "heat", "dead", epoch), epoch)
	must(t, err)
	p.State, p.Sending = bot.PostSending, epoch.Add(time.Second)
	must(t, s.MarkSending(ctx, p))
	other := p
	other.Owner = "alive"
	if err := s.MarkSending(ctx, other); !errors.Is(err, bot.ErrNotOwner) {
		t.Errorf("marking another's post: %v, want ErrNotOwner", err)
	}
	got, err := s.GetPost(ctx, chA, "2026-03-29")
	must(t, err)
	if got.State != bot.PostSending || !got.Sending.Equal(epoch.Add(time.Second)) || got.Owner != "dead" {
		t.Fatalf("marked: %+v", got)
	}
	// Fresh: it holds like a claim.
	if _, won, _ := s.ClaimPost(ctx, claim(chA, "2026-03-29", "kids", "alive", epoch.Add(time.Minute)), epoch); won {
		t.Fatal("took over a fresh post being sent")
	}
	// Stale: taken over, still sending, with its pick and its Sending.
	got, won, err := s.ClaimPost(ctx, claim(chA, "2026-03-29", "kids", "alive", epoch.Add(3*time.Minute)), epoch.Add(time.Minute))
	must(t, err)
	if !won || got.State != bot.PostSending || got.Owner != "alive" || got.Pick != "heat" || got.Attempts != 2 ||
		!got.Sending.Equal(epoch.Add(time.Second)) || !got.ClaimedAt.Equal(epoch.Add(3*time.Minute)) {
		t.Fatalf("takeover: won=%v %+v", won, got)
	}
	dead := got
	dead.Owner = "dead"
	if err := s.MarkSending(ctx, dead); !errors.Is(err, bot.ErrNotOwner) {
		t.Errorf("marking by the old owner: %v, want ErrNotOwner", err)
	}
	if err := s.FinishPost(ctx, dead, nil); !errors.Is(err, bot.ErrNotOwner) {
		t.Errorf("finishing by the old owner: %v, want ErrNotOwner", err)
	}
	un, err := s.UnfinishedPosts(ctx)
	must(t, err)
	if len(un) != 1 || un[0].State != bot.PostSending {
		t.Errorf("unfinished = %+v, want the post being sent", un)
	}
	// A restarted owner takes it back at once, still sending; marking again
	// records what happened.
	got, won, err = s.ClaimPost(ctx, claim(chA, "2026-03-29", "kids", "alive", epoch.Add(4*time.Minute)), epoch)
	must(t, err)
	if !won || got.State != bot.PostSending || got.Attempts != 3 {
		t.Fatalf("own post back: won=%v %+v", won, got)
	}
	got.Error = "no answer"
	must(t, s.MarkSending(ctx, got))
	if got, _ := s.GetPost(ctx, chA, "2026-03-29"); got.State != bot.PostSending || got.Error != "no answer" {
		t.Errorf("marked again: %+v", got)
	}
	// Unknown is final: never taken over, not unfinished.
	got.State, got.FinishedAt, got.Error = bot.PostUnknown, epoch.Add(5*time.Minute), "cannot look"
	must(t, s.FinishPost(ctx, got, &bot.Deck{Cycle: 1, Cards: []string{"kids"}, Last: "heat"}))
	if d, err := s.GetDeck(ctx, chA); err != nil || d.Last != "heat" || !slices.Equal(d.Cards, []string{"kids"}) {
		t.Errorf("an unknown post's pick is dealt: deck %+v, %v", d, err)
	}
	if _, won, _ := s.ClaimPost(ctx, claim(chA, "2026-03-29", "kids", "alive", epoch.Add(time.Hour)), epoch.Add(time.Hour)); won {
		t.Error("an unknown post was claimed again")
	}
	if got, _ := s.GetPost(ctx, chA, "2026-03-29"); got.State != bot.PostUnknown || got.Error != "cannot look" || !got.FinishedAt.Equal(epoch.Add(5*time.Minute)) {
		t.Errorf("unknown post = %+v", got)
	}
	if un, _ := s.UnfinishedPosts(ctx); len(un) != 0 {
		t.Errorf("unfinished = %+v, want none", un)
	}
	// A post that failed where the platform answered is pending, and its
	// next claim is a plain claim again.
	q, _, err := s.ClaimPost(ctx, claim(chB, "2026-03-29", "heat", "one", epoch), epoch)
	must(t, err)
	q.State, q.Sending = bot.PostSending, epoch
	must(t, s.MarkSending(ctx, q))
	q.State, q.Error = bot.PostPending, "HTTP 503"
	must(t, s.FinishPost(ctx, q, nil))
	q, won, err = s.ClaimPost(ctx, claim(chB, "2026-03-29", "heat", "two", epoch.Add(time.Minute)), epoch)
	must(t, err)
	if !won || q.State != bot.PostClaimed {
		t.Errorf("pending after sending: won=%v %+v, want claimed", won, q)
	}
}

func testFinishAndDeck(t *testing.T, s bot.Store) {
	if _, err := s.GetDeck(ctx, chA); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("no deck yet: %v, want ErrNotFound", err)
	}
	p, _, err := s.ClaimPost(ctx, claim(chA, "2026-03-29", "heat", "one", epoch), epoch)
	must(t, err)
	p.State, p.FinishedAt = bot.PostSent, epoch.Add(time.Second)
	deck := bot.Deck{Cycle: 2, Cards: []string{"kids", "girls"}, Last: "heat"}
	must(t, s.FinishPost(ctx, p, &deck))
	deck.Cards[0] = "changed after the call"
	got, err := s.GetDeck(ctx, chA)
	must(t, err)
	if got.Cycle != 2 || !slices.Equal(got.Cards, []string{"kids", "girls"}) || got.Last != "heat" {
		t.Errorf("deck = %+v", got)
	}
	stored, _ := s.GetPost(ctx, chA, "2026-03-29")
	if stored.State != bot.PostSent || !stored.FinishedAt.Equal(epoch.Add(time.Second)) {
		t.Errorf("post = %+v", stored)
	}
	// A finished post is not claimable again, stale or not.
	if _, won, _ := s.ClaimPost(ctx, claim(chA, "2026-03-29", "kids", "two", epoch.Add(time.Hour)), epoch.Add(time.Hour)); won {
		t.Error("a sent post was claimed again")
	}
	if err := s.FinishPost(ctx, p, nil); !errors.Is(err, bot.ErrNotOwner) {
		t.Errorf("finishing twice: %v, want ErrNotOwner", err)
	}
	// A deck empties too.
	p2, _, _ := s.ClaimPost(ctx, claim(chA, "2026-03-30", "kids", "one", epoch), epoch)
	p2.State = bot.PostSent
	must(t, s.FinishPost(ctx, p2, &bot.Deck{Cycle: 3, Last: "kids"}))
	if got, _ := s.GetDeck(ctx, chA); len(got.Cards) != 0 || got.Cycle != 3 {
		t.Errorf("empty deck = %+v", got)
	}
	// Failure records its reason.
	p3, _, _ := s.ClaimPost(ctx, claim(chB, "2026-03-29", "kids", "one", epoch), epoch)
	p3.State, p3.Error = bot.PostFailed, "channel_not_found"
	must(t, s.FinishPost(ctx, p3, nil))
	if got, _ := s.GetPost(ctx, chB, "2026-03-29"); got.State != bot.PostFailed || got.Error != "channel_not_found" {
		t.Errorf("failed post = %+v", got)
	}
	if _, err := s.GetDeck(ctx, chB); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("a failed post changed the deck: %v", err)
	}
}

func testDaysWithoutPost(t *testing.T, s bot.Store) {
	for _, st := range []bot.PostState{bot.PostMissed, bot.PostSkipped} {
		date := map[bot.PostState]string{bot.PostMissed: "2026-03-29", bot.PostSkipped: "2026-03-30"}[st]
		p := bot.Post{Channel: chA, Date: date, Pick: "heat", State: st, Owner: "one", Due: epoch, ClaimedAt: epoch}
		got, won, err := s.ClaimPost(ctx, p, epoch)
		must(t, err)
		if !won || got.State != st {
			t.Errorf("%s: won=%v %+v", st, won, got)
		}
		got, won, _ = s.ClaimPost(ctx, claim(chA, date, "kids", "two", epoch.Add(time.Hour)), epoch.Add(time.Hour))
		if won || got.State != st {
			t.Errorf("%s was taken over: %+v", st, got)
		}
	}
	if list, _ := s.UnfinishedPosts(ctx); len(list) != 0 {
		t.Errorf("missed and skipped days are finished; got %v", list)
	}
}

func testPostLists(t *testing.T, s bot.Store) {
	for i, date := range []string{"2026-03-27", "2026-03-29", "2026-03-28"} {
		p, _, err := s.ClaimPost(ctx, claim(chA, date, "heat", "one", epoch.Add(time.Duration(i)*time.Hour)), epoch)
		must(t, err)
		if date == "2026-03-27" {
			p.State = bot.PostSent
			must(t, s.FinishPost(ctx, p, nil))
		}
		if date == "2026-03-28" {
			p.State = bot.PostPending
			must(t, s.FinishPost(ctx, p, nil))
		}
	}
	_, _, _ = s.ClaimPost(ctx, claim(chB, "2026-03-29", "kids", "one", epoch), epoch)
	recent, err := s.RecentPosts(ctx, chA, 2)
	must(t, err)
	if len(recent) != 2 || recent[0].Date != "2026-03-29" || recent[1].Date != "2026-03-28" {
		t.Errorf("recent = %+v, want the two newest dates first", recent)
	}
	un, err := s.UnfinishedPosts(ctx)
	must(t, err)
	var got []string
	for _, p := range un {
		got = append(got, p.Channel.String()+"/"+p.Date+"/"+string(p.State))
	}
	slices.Sort(got)
	want := []string{"discord:1001/2026-03-29/claimed", "slack:C1/2026-03-28/pending", "slack:C1/2026-03-29/claimed"}
	if !slices.Equal(got, want) {
		t.Errorf("unfinished = %v, want %v", got, want)
	}
}

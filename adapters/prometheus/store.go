package prometheus

import (
	"context"
	"errors"
	"time"

	"github.com/industrybot/industrybot/bot"
)

// Store counts the failures of s by operation, and the outcome of every
// daily post it records.
func (m *Metrics) Store(s bot.Store) bot.Store { return &store{s, m} }

type store struct {
	next bot.Store
	m    *Metrics
}

var _ bot.Store = (*store)(nil)

// count records err against op unless it is an answer rather than a
// failure: not found, not the owner, or the caller giving up.
func (s *store) count(op string, err error) error {
	if err != nil && !errors.Is(err, bot.ErrNotFound) && !errors.Is(err, bot.ErrNotOwner) && !errors.Is(err, context.Canceled) {
		s.m.storeErrors.WithLabelValues(op).Inc()
	}
	return err
}

func (s *store) Remember(ctx context.Context, ch bot.ChannelKey, ids []string) error {
	return s.count("remember", s.next.Remember(ctx, ch, ids))
}

func (s *store) Recent(ctx context.Context, ch bot.ChannelKey, n int) ([]string, error) {
	ids, err := s.next.Recent(ctx, ch, n)
	return ids, s.count("recent", err)
}

func (s *store) Restart(ctx context.Context, ch bot.ChannelKey) error {
	return s.count("restart", s.next.Restart(ctx, ch))
}

func (s *store) PutSubscription(ctx context.Context, sub bot.Subscription) error {
	return s.count("put_subscription", s.next.PutSubscription(ctx, sub))
}

func (s *store) DeleteSubscription(ctx context.Context, ch bot.ChannelKey) error {
	return s.count("delete_subscription", s.next.DeleteSubscription(ctx, ch))
}

func (s *store) GetSubscription(ctx context.Context, ch bot.ChannelKey) (bot.Subscription, error) {
	sub, err := s.next.GetSubscription(ctx, ch)
	return sub, s.count("get_subscription", err)
}

func (s *store) ListSubscriptions(ctx context.Context) ([]bot.Subscription, error) {
	subs, err := s.next.ListSubscriptions(ctx)
	return subs, s.count("list_subscriptions", err)
}

func (s *store) PauseSubscription(ctx context.Context, ch bot.ChannelKey, reason string) error {
	return s.count("pause_subscription", s.next.PauseSubscription(ctx, ch, reason))
}

func (s *store) ClaimPost(ctx context.Context, p bot.Post, staleBefore time.Time) (bot.Post, bool, error) {
	got, won, err := s.next.ClaimPost(ctx, p, staleBefore)
	return got, won, s.count("claim_post", err)
}

func (s *store) MarkSending(ctx context.Context, p bot.Post) error {
	return s.count("mark_sending", s.next.MarkSending(ctx, p))
}

func (s *store) FinishPost(ctx context.Context, p bot.Post, deck *bot.Deck) error {
	err := s.next.FinishPost(ctx, p, deck)
	if err == nil {
		s.m.posts.WithLabelValues(string(p.Channel.Platform), string(p.State)).Inc()
	}
	return s.count("finish_post", err)
}

func (s *store) GetPost(ctx context.Context, ch bot.ChannelKey, date string) (bot.Post, error) {
	p, err := s.next.GetPost(ctx, ch, date)
	return p, s.count("get_post", err)
}

func (s *store) RecentPosts(ctx context.Context, ch bot.ChannelKey, n int) ([]bot.Post, error) {
	list, err := s.next.RecentPosts(ctx, ch, n)
	return list, s.count("recent_posts", err)
}

func (s *store) UnfinishedPosts(ctx context.Context) ([]bot.Post, error) {
	list, err := s.next.UnfinishedPosts(ctx)
	return list, s.count("unfinished_posts", err)
}

func (s *store) GetDeck(ctx context.Context, ch bot.ChannelKey) (bot.Deck, error) {
	d, err := s.next.GetDeck(ctx, ch)
	return d, s.count("get_deck", err)
}

func (s *store) Ping(ctx context.Context) error { return s.count("ping", s.next.Ping(ctx)) }

func (s *store) Close() error { return s.next.Close() }

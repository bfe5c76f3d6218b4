package bot

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"
)

// memoryLimit bounds the ids a MemoryStore keeps per channel.
const memoryLimit = 256

// MemoryStore implements Store in process: for the console, for tests, and
// as the reference the persistent stores are held to. Nothing survives the
// process.
type MemoryStore struct {
	mu       sync.Mutex
	channels map[ChannelKey][]string // newest first, distinct
	subs     map[ChannelKey]Subscription
	posts    map[ChannelKey]map[string]Post // channel → date → post
	decks    map[ChannelKey]Deck
	installs map[installKey]Installation
	version  int64 // the last Installation.Version given
}

// installKey names an installation in a MemoryStore.
type installKey struct {
	platform Platform
	tenant   string
}

var (
	_ Store             = (*MemoryStore)(nil)
	_ InstallationStore = (*MemoryStore)(nil)
)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{
		channels: map[ChannelKey][]string{},
		subs:     map[ChannelKey]Subscription{},
		posts:    map[ChannelKey]map[string]Post{},
		decks:    map[ChannelKey]Deck{},
		installs: map[installKey]Installation{},
	}
}

// Ping implements Store.
func (s *MemoryStore) Ping(ctx context.Context) error { return ctx.Err() }

// Close implements Store.
func (s *MemoryStore) Close() error { return nil }

// lock takes the store's lock unless ctx is done.
func (s *MemoryStore) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	return nil
}

// PutSubscription implements DailyStore.
func (s *MemoryStore) PutSubscription(ctx context.Context, sub Subscription) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	sub.Paused = ""
	s.subs[sub.Channel] = sub
	return nil
}

// DeleteSubscription implements DailyStore.
func (s *MemoryStore) DeleteSubscription(ctx context.Context, ch ChannelKey) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.subs[ch]; !ok {
		return ErrNotFound
	}
	delete(s.subs, ch)
	return nil
}

// GetSubscription implements DailyStore.
func (s *MemoryStore) GetSubscription(ctx context.Context, ch ChannelKey) (Subscription, error) {
	if err := s.lock(ctx); err != nil {
		return Subscription{}, err
	}
	defer s.mu.Unlock()
	sub, ok := s.subs[ch]
	if !ok {
		return Subscription{}, ErrNotFound
	}
	return sub, nil
}

// ListSubscriptions implements DailyStore.
func (s *MemoryStore) ListSubscriptions(ctx context.Context) ([]Subscription, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	out := make([]Subscription, 0, len(s.subs))
	for _, sub := range s.subs {
		out = append(out, sub)
	}
	slices.SortFunc(out, func(a, b Subscription) int {
		return cmp.Or(cmp.Compare(a.Channel.Platform, b.Channel.Platform), cmp.Compare(a.Channel.Channel, b.Channel.Channel))
	})
	return out, nil
}

// PauseSubscription implements DailyStore.
func (s *MemoryStore) PauseSubscription(ctx context.Context, ch ChannelKey, reason string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	sub, ok := s.subs[ch]
	if !ok {
		return ErrNotFound
	}
	sub.Paused = reason
	s.subs[ch] = sub
	return nil
}

// ClaimPost implements DailyStore.
func (s *MemoryStore) ClaimPost(ctx context.Context, p Post, staleBefore time.Time) (Post, bool, error) {
	if err := s.lock(ctx); err != nil {
		return Post{}, false, err
	}
	defer s.mu.Unlock()
	days := s.posts[p.Channel]
	if days == nil {
		days = map[string]Post{}
		s.posts[p.Channel] = days
	}
	cur, ok := days[p.Date]
	switch {
	case !ok:
		p.Attempts = 0
		if p.State == PostClaimed {
			p.Attempts = 1
		}
		days[p.Date] = p
		return p, true, nil
	case p.State == PostClaimed && takeover(cur, p.Owner, staleBefore):
		if cur.State != PostSending {
			cur.State = PostClaimed
		}
		cur.Owner, cur.ClaimedAt = p.Owner, p.ClaimedAt
		cur.Attempts++
		days[p.Date] = cur
		return cur, true, nil
	}
	return cur, false, nil
}

// takeover reports whether owner may take the claim on cur.
func takeover(cur Post, owner string, staleBefore time.Time) bool {
	return cur.State == PostPending || cur.Held() && (cur.Owner == owner || cur.ClaimedAt.Before(staleBefore))
}

// MarkSending implements DailyStore.
func (s *MemoryStore) MarkSending(ctx context.Context, p Post) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	cur, ok := s.posts[p.Channel][p.Date]
	if !ok || !cur.Held() || cur.Owner != p.Owner {
		return ErrNotOwner
	}
	cur.State, cur.Sending, cur.Error = PostSending, p.Sending, p.Error
	s.posts[p.Channel][p.Date] = cur
	return nil
}

// FinishPost implements DailyStore.
func (s *MemoryStore) FinishPost(ctx context.Context, p Post, deck *Deck) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	cur, ok := s.posts[p.Channel][p.Date]
	if !ok || !cur.Held() || cur.Owner != p.Owner {
		return ErrNotOwner
	}
	cur.State, cur.FinishedAt, cur.Error = p.State, p.FinishedAt, p.Error
	s.posts[p.Channel][p.Date] = cur
	if p.Dealt() && deck != nil {
		s.decks[p.Channel] = Deck{Cycle: deck.Cycle, Cards: slices.Clone(deck.Cards), Last: deck.Last}
	}
	return nil
}

// GetPost implements DailyStore.
func (s *MemoryStore) GetPost(ctx context.Context, ch ChannelKey, date string) (Post, error) {
	if err := s.lock(ctx); err != nil {
		return Post{}, err
	}
	defer s.mu.Unlock()
	p, ok := s.posts[ch][date]
	if !ok {
		return Post{}, ErrNotFound
	}
	return p, nil
}

// RecentPosts implements DailyStore.
func (s *MemoryStore) RecentPosts(ctx context.Context, ch ChannelKey, n int) ([]Post, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var out []Post
	for _, p := range s.posts[ch] {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Post) int { return strings.Compare(b.Date, a.Date) })
	return out[:min(n, len(out))], nil
}

// UnfinishedPosts implements DailyStore.
func (s *MemoryStore) UnfinishedPosts(ctx context.Context) ([]Post, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var out []Post
	for _, days := range s.posts {
		for _, p := range days {
			if p.Held() || p.State == PostPending {
				out = append(out, p)
			}
		}
	}
	slices.SortFunc(out, func(a, b Post) int {
		return cmp.Or(cmp.Compare(a.Channel.String(), b.Channel.String()), strings.Compare(a.Date, b.Date))
	})
	return out, nil
}

// GetDeck implements DailyStore.
func (s *MemoryStore) GetDeck(ctx context.Context, ch ChannelKey) (Deck, error) {
	if err := s.lock(ctx); err != nil {
		return Deck{}, err
	}
	defer s.mu.Unlock()
	d, ok := s.decks[ch]
	if !ok {
		return Deck{}, ErrNotFound
	}
	d.Cards = slices.Clone(d.Cards)
	return d, nil
}

// Remember implements Memory.
func (s *MemoryStore) Remember(ctx context.Context, ch ChannelKey, ids []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[ch] = Prepend(s.channels[ch], ids, memoryLimit)
	return nil
}

// Prepend returns a channel's shown list (newest first, distinct) after
// Remember(ids): ids[0] first, each id once, at most limit. It reuses list.
func Prepend(list, ids []string, limit int) []string {
	for i := len(ids) - 1; i >= 0; i-- {
		if j := slices.Index(list, ids[i]); j >= 0 {
			list = slices.Delete(list, j, j+1)
		}
		list = slices.Insert(list, 0, ids[i])
	}
	if len(list) > limit {
		list = list[:limit]
	}
	return list
}

// Recent implements Memory.
func (s *MemoryStore) Recent(ctx context.Context, ch ChannelKey, n int) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.channels[ch]
	return slices.Clone(list[:min(n, len(list))]), nil
}

// Restart implements Memory.
func (s *MemoryStore) Restart(ctx context.Context, ch ChannelKey) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.channels, ch)
	return nil
}

// PutInstallation implements InstallationStore.
func (s *MemoryStore) PutInstallation(ctx context.Context, in Installation) (Installation, error) {
	if err := s.lock(ctx); err != nil {
		return Installation{}, err
	}
	defer s.mu.Unlock()
	k := installKey{in.Platform, in.Tenant}
	s.version++
	in.Version = s.version
	in.Secret = slices.Clone(in.Secret)
	s.installs[k] = in
	return in, nil
}

// GetInstallation implements InstallationStore.
func (s *MemoryStore) GetInstallation(ctx context.Context, p Platform, tenant string) (Installation, error) {
	if err := s.lock(ctx); err != nil {
		return Installation{}, err
	}
	defer s.mu.Unlock()
	in, ok := s.installs[installKey{p, tenant}]
	if !ok {
		return Installation{}, ErrNotFound
	}
	in.Secret = slices.Clone(in.Secret)
	return in, nil
}

// UpdateInstallation implements InstallationStore.
func (s *MemoryStore) UpdateInstallation(ctx context.Context, in Installation) (Installation, error) {
	if err := s.lock(ctx); err != nil {
		return Installation{}, err
	}
	defer s.mu.Unlock()
	k := installKey{in.Platform, in.Tenant}
	cur, ok := s.installs[k]
	switch {
	case !ok:
		return Installation{}, ErrNotFound
	case cur.Version != in.Version:
		return Installation{}, ErrInstallationChanged
	}
	s.version++
	in.Version = s.version
	in.Secret = slices.Clone(in.Secret)
	s.installs[k] = in
	return in, nil
}

// DeleteInstallation implements InstallationStore.
func (s *MemoryStore) DeleteInstallation(ctx context.Context, p Platform, tenant string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	k := installKey{p, tenant}
	if _, ok := s.installs[k]; !ok {
		return ErrNotFound
	}
	delete(s.installs, k)
	return nil
}

// ListInstallations implements InstallationStore.
func (s *MemoryStore) ListInstallations(ctx context.Context, p Platform) ([]Installation, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var out []Installation
	for k, in := range s.installs {
		if k.platform == p {
			in.Secret = slices.Clone(in.Secret)
			out = append(out, in)
		}
	}
	slices.SortFunc(out, func(a, b Installation) int { return strings.Compare(a.Tenant, b.Tenant) })
	return out, nil
}

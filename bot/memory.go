package bot

import (
	"context"
	"slices"
	"sync"
)

// Memory remembers what each channel was shown, so /why with no title
// explains the last pick, "Another" skips what the channel has seen and
// /random deals every pick before repeating one.
type Memory interface {
	// Remember records that ids were shown in ch; ids[0] becomes the
	// channel's last pick. It returns an error only if the store failed.
	Remember(ctx context.Context, ch ChannelKey, ids []string) error
	// Recent returns up to n distinct ids shown in ch since its rotation last
	// started over, newest first; a channel with no history returns none and
	// a nil error.
	Recent(ctx context.Context, ch ChannelKey, n int) ([]string, error)
	// Restart starts ch's rotation over: Recent forgets what was shown
	// before. The caller remembers the pick that opens the new rotation.
	Restart(ctx context.Context, ch ChannelKey) error
}

// memoryLimit bounds the ids a MemoryStore keeps per channel.
const memoryLimit = 256

// MemoryStore keeps channel memory in process: for the console, for tests,
// and as the reference the persistent stores are held to.
type MemoryStore struct {
	mu       sync.Mutex
	channels map[ChannelKey][]string // newest first, distinct
}

var _ Memory = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{channels: map[ChannelKey][]string{}}
}

// Remember implements Memory.
func (s *MemoryStore) Remember(ctx context.Context, ch ChannelKey, ids []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.channels[ch]
	for i := len(ids) - 1; i >= 0; i-- {
		if j := slices.Index(list, ids[i]); j >= 0 {
			list = slices.Delete(list, j, j+1)
		}
		list = slices.Insert(list, 0, ids[i])
	}
	if len(list) > memoryLimit {
		list = list[:memoryLimit]
	}
	s.channels[ch] = list
	return nil
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

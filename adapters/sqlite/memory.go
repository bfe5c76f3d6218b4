package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/industrybot/industrybot/bot"
)

// memoryWriter writes channel memory behind the answers. Every answer
// records what it showed, and a transaction per answer would make SQLite's
// commit, not the bot, the limit on how many answers a second it gives. So
// Remember and Restart queue the change and return; one goroutine commits
// the queue in groups, one transaction per group; and Recent lays the
// queued changes over what it reads, so this process always sees its own
// writes. A crash loses at most the last group (milliseconds of what was
// shown). A group that fails is retried, then dropped: the next Remember
// returns the failure, so the bot logs it, and Ping reports it until a
// commit succeeds.
//
// The writer also keeps the committed lists of the channels used lately
// (known), so that neither Recent nor the next commit reads them back from
// the file: SQLite serves one process, so what this process committed is
// what the file holds.
type memoryWriter struct {
	s *Store

	mu       sync.Mutex
	queued   []change // not yet taken by the writer, in order
	inflight []change // being committed now: still laid over reads
	known    map[bot.ChannelKey][]string
	commits  uint64 // counts commits, so a read from the file that a commit overtook is not kept
	failed   error  // the last dropped group's error, until a commit succeeds
	reported bool   // whether Remember has returned failed once
	wake     chan struct{}
	flushes  chan chan error
	closing  chan struct{}
	done     chan struct{}
}

// change is a queued Remember, or a Restart when restart is set.
type change struct {
	ch      bot.ChannelKey
	ids     []string
	restart bool
}

// linger lets a busy bot's changes gather into one transaction. A commit
// costs about half a millisecond of CPU whatever its size (a transaction,
// a write a channel, the WAL's locks), so the linger bounds the commits to
// a few dozen a second under any load: at 2ms they took 6–9% of a loaded
// bot's CPU. What a crash can lose grows with it, to the answers of the
// last 25ms, which only means a pick may be shown again.
const linger = 25 * time.Millisecond

// knownChannels bounds the lists kept in memory; past it, one is dropped
// at random for each added. A list is at most memoryLimit ids and, with a
// catalog of ordinary size, a few hundred bytes.
const knownChannels = 2048

func newMemoryWriter(s *Store) *memoryWriter {
	m := &memoryWriter{s: s, known: map[bot.ChannelKey][]string{}, wake: make(chan struct{}, 1), flushes: make(chan chan error), closing: make(chan struct{}), done: make(chan struct{})}
	go m.run()
	return m
}

func (m *memoryWriter) enqueue(c change) error {
	m.mu.Lock()
	m.queued = append(m.queued, c)
	var err error
	if m.failed != nil && !m.reported {
		err, m.reported = m.failed, true
	}
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
	return err
}

// failure is the error of the last dropped group, if no commit since
// succeeded.
func (m *memoryWriter) failure() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failed != nil {
		return fmt.Errorf("writing channel memory failed: %w", m.failed)
	}
	return nil
}

func (m *memoryWriter) run() {
	defer close(m.done)
	for {
		select {
		case <-m.wake:
		case reply := <-m.flushes:
			if err := m.commitQueued(); err != nil {
				reply <- err
			} else {
				reply <- m.failure() // a group the linger committed may have failed
			}
			continue
		case <-m.closing:
			m.commitQueued()
			return
		}
		select {
		case <-time.After(linger):
		case <-m.closing:
		}
		m.commitQueued()
	}
}

// flush commits what is queued now and returns the commit's error, or the
// error of a group that failed since the last good commit.
func (m *memoryWriter) flush() error {
	reply := make(chan error, 1)
	select {
	case m.flushes <- reply:
		return <-reply
	case <-m.done:
		return errors.New("sqlite: the store is closed")
	}
}

// commitQueued commits everything queued, retrying a failed group twice.
func (m *memoryWriter) commitQueued() error {
	m.mu.Lock()
	group := m.queued
	m.queued = nil
	m.inflight = group
	m.mu.Unlock()
	if len(group) == 0 {
		return nil
	}
	var lists map[bot.ChannelKey][]string
	var err error
	for try := range 3 {
		if try > 0 {
			time.Sleep(time.Duration(try) * 100 * time.Millisecond)
		}
		if lists, err = m.commit(group); err == nil {
			break
		}
	}
	m.mu.Lock()
	m.inflight = nil
	m.commits++
	if err != nil {
		m.failed, m.reported = err, false
	} else {
		m.failed = nil
		for ch, list := range lists {
			m.keep(ch, list)
		}
	}
	m.mu.Unlock()
	return err
}

// commit writes a group, one write per channel, and returns the lists it
// wrote. A channel's list comes from known, or else from the file.
func (m *memoryWriter) commit(group []change) (map[bot.ChannelKey][]string, error) {
	lists := map[bot.ChannelKey][]string{}
	var order []bot.ChannelKey
	err := m.s.inTx(context.Background(), func(tx *sql.Tx) error {
		load, save := tx.Stmt(m.s.load), tx.Stmt(m.s.save)
		for _, c := range group {
			list, ok := lists[c.ch]
			if !ok {
				order = append(order, c.ch)
				if !c.restart {
					var err error
					if list, ok = m.committed(c.ch); !ok {
						if list, err = readIDs(load.QueryRow(c.ch.Platform, c.ch.Channel)); err != nil {
							return err
						}
					}
				}
			}
			if c.restart {
				list = []string{}
			}
			lists[c.ch] = bot.Prepend(list, c.ids, memoryLimit)
		}
		for _, ch := range order {
			data, err := json.Marshal(lists[ch])
			if err != nil {
				return err
			}
			if _, err := save.Exec(ch.Platform, ch.Channel, string(data)); err != nil {
				return fmt.Errorf("sqlite: %w", err)
			}
		}
		return nil
	})
	return lists, err
}

// committed returns a copy of ch's committed list if it is known.
func (m *memoryWriter) committed(ch bot.ChannelKey) ([]string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	list, ok := m.known[ch]
	return slices.Clone(list), ok
}

// keep records ch's committed list, dropping another channel's when there
// are too many. The caller holds mu.
func (m *memoryWriter) keep(ch bot.ChannelKey, list []string) {
	if _, ok := m.known[ch]; !ok && len(m.known) >= knownChannels {
		for other := range m.known {
			delete(m.known, other)
			break
		}
	}
	m.known[ch] = list
}

// recent returns ch's list as this process sees it: committed, with the
// changes not yet committed laid over. The committed list is known, or is
// read from the file with read and then kept, unless a commit finished
// meanwhile: that commit's list, if known, is newer than the one read.
func (m *memoryWriter) recent(ch bot.ChannelKey, read func() ([]string, error)) ([]string, error) {
	m.mu.Lock()
	if list, ok := m.known[ch]; ok {
		defer m.mu.Unlock()
		return m.overlay(ch, slices.Clone(list)), nil
	}
	commits := m.commits
	m.mu.Unlock()
	list, err := read()
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if known, ok := m.known[ch]; ok {
		list = slices.Clone(known)
	} else if m.commits == commits {
		m.keep(ch, slices.Clone(list))
	}
	return m.overlay(ch, list), nil
}

// overlay applies the changes not yet committed to a committed list, which
// it reuses. Replaying a committed change is harmless: Prepend moves ids to
// the front, so replaying changes in order ends where they ended. The
// caller holds mu.
func (m *memoryWriter) overlay(ch bot.ChannelKey, list []string) []string {
	for _, group := range [][]change{m.inflight, m.queued} {
		for _, c := range group {
			if c.ch != ch {
				continue
			}
			if c.restart {
				list = []string{}
			}
			list = bot.Prepend(list, c.ids, memoryLimit)
		}
	}
	return list
}

// close commits what is queued and stops the writer.
func (m *memoryWriter) close() {
	select {
	case <-m.closing:
	default:
		close(m.closing)
	}
	<-m.done
}

// readIDs reads a channel's shown list; none when it has no row.
func readIDs(row *sql.Row) ([]string, error) {
	var data string
	if err := row.Scan(&data); errors.Is(err, sql.ErrNoRows) {
		return []string{}, nil
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	var ids []string
	if err := json.Unmarshal([]byte(data), &ids); err != nil {
		return nil, fmt.Errorf("sqlite: a channel's shown list: %w", err)
	}
	return ids, nil
}

// Remember implements bot.Memory. The write is queued; see memoryWriter.
// The error, if any, is that of an earlier write that could not be
// committed.
func (s *Store) Remember(ctx context.Context, ch bot.ChannelKey, ids []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.mem.enqueue(change{ch: ch, ids: ids})
}

// Restart implements bot.Memory, queued like Remember.
func (s *Store) Restart(ctx context.Context, ch bot.ChannelKey) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.mem.enqueue(change{ch: ch, restart: true})
}

// Recent implements bot.Memory: what the file holds, with this process's
// queued writes laid over it.
func (s *Store) Recent(ctx context.Context, ch bot.ChannelKey, n int) ([]string, error) {
	ids, err := s.mem.recent(ch, func() ([]string, error) {
		return readIDs(s.recent.QueryRowContext(ctx, ch.Platform, ch.Channel))
	})
	if err != nil {
		return nil, err
	}
	return ids[:min(n, len(ids))], nil
}

// Flush commits the channel memory queued so far and returns the error of
// that commit. Close flushes too; callers need Flush only to make writes
// visible to other processes at a known point.
func (s *Store) Flush() error { return s.mem.flush() }

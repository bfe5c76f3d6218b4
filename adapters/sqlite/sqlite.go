// Package sqlite keeps the bot's state in an SQLite file, in pure Go (no
// cgo): the default store, for one process.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/industrybot/industrybot/bot"
)

// Store implements bot.Store on SQLite.
//
// Writes go through one connection, so writers queue in Go instead of
// sleeping in SQLite's busy handler, and reads through a small pool, which
// WAL lets run beside the writer. The statements of the hot paths are
// prepared once.
type Store struct {
	w, r *sql.DB
	// prepared statements
	load, save, recent *sql.Stmt

	mem  *memoryWriter // channel memory, written behind
	file *file         // the file: its lock, and whether it is still there
}

var _ bot.Store = (*Store)(nil)

// memoryLimit bounds the ids remembered per channel.
const memoryLimit = 256

// Open opens (creating if needed) the SQLite file at path and applies the
// schema migrations. The file runs in WAL mode; every transaction takes the
// write lock at its start, so concurrent claims serialise instead of
// failing. With Exclusive, the file is this process's alone.
//
// A write whose file was deleted or replaced meanwhile fails, and so does
// Ping: SQLite would go on writing to the file it opened, which nobody
// will open again.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: the database path is empty")
	}
	f, err := openFile(path, opts)
	if err != nil {
		return nil, err
	}
	w, err := openDB(path, true)
	if err != nil {
		f.release()
		return nil, err
	}
	s := &Store{w: w, file: f}
	if err := s.migrate(ctx); err != nil {
		w.Close()
		f.release()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	if err := f.opened(); err != nil {
		w.Close()
		f.release()
		return nil, err
	}
	if s.r, err = openDB(path, false); err != nil {
		w.Close()
		f.release()
		return nil, err
	}
	for _, p := range []struct {
		db   *sql.DB
		stmt **sql.Stmt
		sql  string
	}{
		{w, &s.load, `SELECT ids FROM shown WHERE platform = ? AND channel = ?`},
		{w, &s.save, `INSERT INTO shown (platform, channel, ids) VALUES (?, ?, ?)
			ON CONFLICT (platform, channel) DO UPDATE SET ids = excluded.ids`},
		{s.r, &s.recent, `SELECT ids FROM shown WHERE platform = ? AND channel = ?`},
	} {
		if *p.stmt, err = p.db.PrepareContext(ctx, p.sql); err != nil {
			s.Close()
			return nil, fmt.Errorf("sqlite: %s: preparing statements: %w", path, err)
		}
	}
	s.mem = newMemoryWriter(s)
	return s, nil
}

// openDB opens the file for writing (one connection, transactions that
// take the write lock at their start) or for reading (a few connections).
func openDB(path string, write bool) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	if write {
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	dsn := "file:" + path + "?" + q.Encode()
	if strings.HasPrefix(path, "file:") {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		dsn = path + sep + q.Encode()
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: opening %s: %w", path, err)
	}
	n := 1
	if !write {
		n = 4
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(0)
	return db, nil
}

// migrations are applied in order, each once; a database records the
// versions it has. Append, never edit.
var migrations = []string{
	`CREATE TABLE shown (
		platform TEXT NOT NULL,
		channel  TEXT NOT NULL,
		ids      TEXT NOT NULL, -- JSON array: newest first, distinct
		PRIMARY KEY (platform, channel)
	);
	CREATE TABLE subscriptions (
		platform   TEXT NOT NULL,
		channel    TEXT NOT NULL,
		time       TEXT NOT NULL,
		timezone   TEXT NOT NULL,
		source     TEXT NOT NULL,
		created_by TEXT NOT NULL,
		since      INTEGER NOT NULL,
		paused     TEXT NOT NULL DEFAULT '',
		PRIMARY KEY (platform, channel)
	);
	CREATE TABLE posts (
		platform    TEXT NOT NULL,
		channel     TEXT NOT NULL,
		date        TEXT NOT NULL,
		pick        TEXT NOT NULL,
		state       TEXT NOT NULL,
		owner       TEXT NOT NULL,
		due         INTEGER NOT NULL,
		claimed_at  INTEGER NOT NULL,
		finished_at INTEGER NOT NULL DEFAULT 0,
		attempts    INTEGER NOT NULL,
		error       TEXT NOT NULL DEFAULT '',
		PRIMARY KEY (platform, channel, date)
	);
	CREATE INDEX posts_unfinished ON posts (state) WHERE state IN ('claimed', 'pending');
	CREATE TABLE decks (
		platform TEXT NOT NULL,
		channel  TEXT NOT NULL,
		cycle    INTEGER NOT NULL,
		cards    TEXT NOT NULL,
		last     TEXT NOT NULL,
		PRIMARY KEY (platform, channel)
	);`,
	// A post in flight is "sending" from before the platform is called, so
	// whoever takes it over knows the platform may have it.
	`ALTER TABLE posts ADD COLUMN sending INTEGER NOT NULL DEFAULT 0;
	DROP INDEX posts_unfinished;
	CREATE INDEX posts_unfinished ON posts (state) WHERE state IN ('claimed', 'sending', 'pending');`,
	// A subscription may post on chosen days, open a thread, mention a role.
	`ALTER TABLE subscriptions ADD COLUMN days INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE subscriptions ADD COLUMN thread INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE subscriptions ADD COLUMN mention TEXT NOT NULL DEFAULT '';`,
	// The workspaces the app is installed to through OAuth, their tokens
	// sealed; versions only grow, across deletes too.
	`CREATE TABLE installations (
		platform     TEXT NOT NULL,
		tenant       TEXT NOT NULL,
		enterprise   TEXT NOT NULL,
		name         TEXT NOT NULL,
		bot_user     TEXT NOT NULL,
		scopes       TEXT NOT NULL,
		installed_by TEXT NOT NULL,
		installed_at INTEGER NOT NULL,
		expires_at   INTEGER NOT NULL,
		secret       BLOB NOT NULL,
		version      INTEGER NOT NULL,
		PRIMARY KEY (platform, tenant)
	);
	CREATE TABLE installation_versions (last INTEGER NOT NULL);
	INSERT INTO installation_versions (last) VALUES (0);`,
}

func (s *Store) migrate(ctx context.Context) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return err
	}
	if have > len(migrations) {
		return fmt.Errorf("the database is at schema version %d, newer than this build knows (%d): run a newer industrybot", have, len(migrations))
	}
	for v := have + 1; v <= len(migrations); v++ {
		if _, err := tx.ExecContext(ctx, migrations[v-1]); err != nil {
			return fmt.Errorf("migration %d: %w", v, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, v, time.Now().UTC().Format(time.RFC3339)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Close implements bot.Store. It commits the channel memory still queued.
func (s *Store) Close() error {
	if s.mem != nil {
		s.mem.close()
	}
	var errs []error
	for _, db := range []*sql.DB{s.w, s.r} {
		if db != nil {
			errs = append(errs, db.Close())
		}
	}
	errs = append(errs, s.file.release())
	return errors.Join(errs...)
}

// Ping implements bot.Store: the file answers and is still there, and the
// last write of channel memory did not fail.
func (s *Store) Ping(ctx context.Context) error {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT 1`).Scan(&n); err != nil {
		return err
	}
	if err := s.file.kept(); err != nil {
		return err
	}
	return s.mem.failure()
}

// inTx runs f in a write transaction.
func (s *Store) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	defer tx.Rollback()
	if err := f(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return s.file.kept()
}

// PutSubscription implements bot.DailyStore.
func (s *Store) PutSubscription(ctx context.Context, sub bot.Subscription) error {
	_, err := s.exec(ctx, `INSERT INTO subscriptions (platform, channel, time, timezone, source, created_by, since, paused, days, thread, mention)
		VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?)
		ON CONFLICT (platform, channel) DO UPDATE SET time = excluded.time, timezone = excluded.timezone,
			source = excluded.source, created_by = excluded.created_by, since = excluded.since, paused = '',
			days = excluded.days, thread = excluded.thread, mention = excluded.mention`,
		sub.Channel.Platform, sub.Channel.Channel, sub.Time, sub.Timezone, sub.Source, sub.CreatedBy, micros(sub.Since), int(sub.Days), sub.Thread, sub.Mention)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}

// DeleteSubscription implements bot.DailyStore.
func (s *Store) DeleteSubscription(ctx context.Context, ch bot.ChannelKey) error {
	return affected(s.exec(ctx, `DELETE FROM subscriptions WHERE platform = ? AND channel = ?`, ch.Platform, ch.Channel))
}

// PauseSubscription implements bot.DailyStore.
func (s *Store) PauseSubscription(ctx context.Context, ch bot.ChannelKey, reason string) error {
	return affected(s.exec(ctx, `UPDATE subscriptions SET paused = ? WHERE platform = ? AND channel = ?`, reason, ch.Platform, ch.Channel))
}

// affected turns "no row changed" into bot.ErrNotFound.
func affected(res sql.Result, err error) error {
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	} else if n == 0 {
		return bot.ErrNotFound
	}
	return nil
}

const subColumns = `platform, channel, time, timezone, source, created_by, since, paused, days, thread, mention`

type scanner interface{ Scan(dest ...any) error }

func scanSub(r scanner) (bot.Subscription, error) {
	var sub bot.Subscription
	var since int64
	var days int
	err := r.Scan(&sub.Channel.Platform, &sub.Channel.Channel, &sub.Time, &sub.Timezone, &sub.Source, &sub.CreatedBy, &since, &sub.Paused, &days, &sub.Thread, &sub.Mention)
	sub.Since, sub.Days = fromMicros(since), bot.Days(days)
	return sub, err
}

// GetSubscription implements bot.DailyStore.
func (s *Store) GetSubscription(ctx context.Context, ch bot.ChannelKey) (bot.Subscription, error) {
	sub, err := scanSub(s.r.QueryRowContext(ctx, `SELECT `+subColumns+` FROM subscriptions WHERE platform = ? AND channel = ?`, ch.Platform, ch.Channel))
	if errors.Is(err, sql.ErrNoRows) {
		return bot.Subscription{}, bot.ErrNotFound
	}
	if err != nil {
		return bot.Subscription{}, fmt.Errorf("sqlite: %w", err)
	}
	return sub, nil
}

// ListSubscriptions implements bot.DailyStore.
func (s *Store) ListSubscriptions(ctx context.Context) ([]bot.Subscription, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+subColumns+` FROM subscriptions ORDER BY platform, channel`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	defer rows.Close()
	var out []bot.Subscription
	for rows.Next() {
		sub, err := scanSub(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		out = append(out, sub)
	}
	return out, rows.Err()
}

const postColumns = `platform, channel, date, pick, state, owner, due, claimed_at, finished_at, attempts, error, sending`

func scanPost(r scanner) (bot.Post, error) {
	var p bot.Post
	var due, claimed, finished, sending int64
	err := r.Scan(&p.Channel.Platform, &p.Channel.Channel, &p.Date, &p.Pick, &p.State, &p.Owner, &due, &claimed, &finished, &p.Attempts, &p.Error, &sending)
	p.Due, p.ClaimedAt, p.FinishedAt, p.Sending = fromMicros(due), fromMicros(claimed), fromMicros(finished), fromMicros(sending)
	return p, err
}

func getPost(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, ch bot.ChannelKey, date string) (bot.Post, error) {
	p, err := scanPost(q.QueryRowContext(ctx, `SELECT `+postColumns+` FROM posts WHERE platform = ? AND channel = ? AND date = ?`, ch.Platform, ch.Channel, date))
	if errors.Is(err, sql.ErrNoRows) {
		return bot.Post{}, bot.ErrNotFound
	}
	if err != nil {
		return bot.Post{}, fmt.Errorf("sqlite: %w", err)
	}
	return p, nil
}

// ClaimPost implements bot.DailyStore. The transaction holds SQLite's write
// lock from its start, so the read and the write are one step.
func (s *Store) ClaimPost(ctx context.Context, p bot.Post, staleBefore time.Time) (got bot.Post, won bool, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := getPost(ctx, tx, p.Channel, p.Date)
		switch {
		case errors.Is(err, bot.ErrNotFound):
			p.Attempts = 0
			if p.State == bot.PostClaimed {
				p.Attempts = 1
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO posts (`+postColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, '', 0)`,
				p.Channel.Platform, p.Channel.Channel, p.Date, p.Pick, p.State, p.Owner, micros(p.Due), micros(p.ClaimedAt), p.Attempts); err != nil {
				return fmt.Errorf("sqlite: %w", err)
			}
			got, won = p, true
			return nil
		case err != nil:
			return err
		case p.State == bot.PostClaimed && (cur.State == bot.PostPending ||
			cur.Held() && (cur.Owner == p.Owner || cur.ClaimedAt.Before(staleBefore))):
			if cur.State != bot.PostSending {
				cur.State = bot.PostClaimed
			}
			cur.Owner, cur.ClaimedAt = p.Owner, p.ClaimedAt
			cur.Attempts++
			if _, err := tx.ExecContext(ctx, `UPDATE posts SET state = ?, owner = ?, claimed_at = ?, attempts = ? WHERE platform = ? AND channel = ? AND date = ?`,
				cur.State, cur.Owner, micros(cur.ClaimedAt), cur.Attempts, p.Channel.Platform, p.Channel.Channel, p.Date); err != nil {
				return fmt.Errorf("sqlite: %w", err)
			}
			got, won = cur, true
			return nil
		}
		got = cur
		return nil
	})
	return got, won, err
}

// MarkSending implements bot.DailyStore.
func (s *Store) MarkSending(ctx context.Context, p bot.Post) error {
	return owned(s.exec(ctx, `UPDATE posts SET state = 'sending', sending = ?, error = ?
		WHERE platform = ? AND channel = ? AND date = ? AND state IN ('claimed', 'sending') AND owner = ?`,
		micros(p.Sending), p.Error, p.Channel.Platform, p.Channel.Channel, p.Date, p.Owner))
}

// owned turns "no row changed" into bot.ErrNotOwner.
func owned(res sql.Result, err error) error {
	if err := affected(res, err); errors.Is(err, bot.ErrNotFound) {
		return bot.ErrNotOwner
	} else if err != nil {
		return err
	}
	return nil
}

// FinishPost implements bot.DailyStore.
func (s *Store) FinishPost(ctx context.Context, p bot.Post, deck *bot.Deck) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		err := owned(tx.ExecContext(ctx, `UPDATE posts SET state = ?, finished_at = ?, error = ?
			WHERE platform = ? AND channel = ? AND date = ? AND state IN ('claimed', 'sending') AND owner = ?`,
			p.State, micros(p.FinishedAt), p.Error, p.Channel.Platform, p.Channel.Channel, p.Date, p.Owner))
		if err != nil {
			return err
		}
		if !p.Dealt() || deck == nil {
			return nil
		}
		cards, err := json.Marshal(append([]string{}, deck.Cards...))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO decks (platform, channel, cycle, cards, last) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (platform, channel) DO UPDATE SET cycle = excluded.cycle, cards = excluded.cards, last = excluded.last`,
			p.Channel.Platform, p.Channel.Channel, deck.Cycle, string(cards), deck.Last)
		if err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
		return nil
	})
}

// GetPost implements bot.DailyStore.
func (s *Store) GetPost(ctx context.Context, ch bot.ChannelKey, date string) (bot.Post, error) {
	return getPost(ctx, s.r, ch, date)
}

func (s *Store) posts(ctx context.Context, query string, args ...any) ([]bot.Post, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	defer rows.Close()
	var out []bot.Post
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// RecentPosts implements bot.DailyStore.
func (s *Store) RecentPosts(ctx context.Context, ch bot.ChannelKey, n int) ([]bot.Post, error) {
	return s.posts(ctx, `SELECT `+postColumns+` FROM posts WHERE platform = ? AND channel = ? ORDER BY date DESC LIMIT ?`, ch.Platform, ch.Channel, n)
}

// UnfinishedPosts implements bot.DailyStore.
func (s *Store) UnfinishedPosts(ctx context.Context) ([]bot.Post, error) {
	return s.posts(ctx, `SELECT `+postColumns+` FROM posts WHERE state IN ('claimed', 'sending', 'pending') ORDER BY platform, channel, date`)
}

// GetDeck implements bot.DailyStore.
func (s *Store) GetDeck(ctx context.Context, ch bot.ChannelKey) (bot.Deck, error) {
	var d bot.Deck
	var cards string
	err := s.r.QueryRowContext(ctx, `SELECT cycle, cards, last FROM decks WHERE platform = ? AND channel = ?`, ch.Platform, ch.Channel).Scan(&d.Cycle, &cards, &d.Last)
	if errors.Is(err, sql.ErrNoRows) {
		return bot.Deck{}, bot.ErrNotFound
	}
	if err != nil {
		return bot.Deck{}, fmt.Errorf("sqlite: %w", err)
	}
	if err := json.Unmarshal([]byte(cards), &d.Cards); err != nil {
		return bot.Deck{}, fmt.Errorf("sqlite: deck of %s: %w", ch, err)
	}
	return d, nil
}

// micros stores a time as microseconds since the Unix epoch, UTC; the zero
// time as 0.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

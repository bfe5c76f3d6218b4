// Package postgres keeps the bot's state in PostgreSQL, so several replicas
// share one state: channel memory, subscriptions, and the claims that make
// every daily post go out once between them, never twice.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/industrybot/industrybot/bot"
)

// Store implements bot.Store on PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
}

var _ bot.Store = (*Store)(nil)

// memoryLimit bounds the ids remembered per channel.
const memoryLimit = 256

// Open connects to PostgreSQL at dsn (postgres://user@host:5432/db; a
// search_path parameter selects a schema) and applies the migrations. The
// server may still be starting: Open keeps trying for up to wait.
func Open(ctx context.Context, dsn string, wait time.Duration) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: the DSN does not parse: %w", redact(err))
	}
	cfg.MaxConnIdleTime = time.Minute
	cfg.HealthCheckPeriod = 15 * time.Second
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", redact(err))
	}
	s := &Store{pool: pool}
	deadline := time.Now().Add(wait)
	for {
		err = s.migrate(ctx)
		if err == nil {
			return s, nil
		}
		if !transient(err) || time.Now().After(deadline) {
			pool.Close()
			return nil, fmt.Errorf("postgres: %w", redact(err))
		}
		select {
		case <-ctx.Done():
			pool.Close()
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// redact keeps a password in a DSN out of an error text.
func redact(err error) error {
	var pgErr *pgconn.ConnectError
	if errors.As(err, &pgErr) {
		return errors.New("cannot connect: " + errors.Unwrap(pgErr).Error())
	}
	return err
}

// transient reports whether an error is a lost or refused connection,
// worth trying again.
func transient(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P01-03: the server is shutting
		// down or starting; 40001/40P01: serialisation failure, deadlock.
		return pgErr.Code[:2] == "08" || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03" ||
			pgErr.Code == "40001" || pgErr.Code == "40P01"
	}
	var connErr *pgconn.ConnectError
	return errors.As(err, &connErr) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) && !errors.Is(err, context.DeadlineExceeded)
}

// retry runs f again after a lost connection when that is safe: the
// statement never reached the server, or f is idempotent. Three tries a
// quarter, half and one second apart.
func retry[T any](ctx context.Context, f func() (T, error)) (T, error) {
	var v T
	var err error
	wait := 250 * time.Millisecond
	for try := 0; ; try++ {
		v, err = f()
		if err == nil || try == 3 || !transient(err) {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, err
		case <-time.After(wait):
		}
		wait *= 2
	}
}

func do(ctx context.Context, f func() error) error {
	_, err := retry(ctx, func() (struct{}, error) { return struct{}{}, f() })
	return err
}

// migrations are applied in order, each once. Append, never edit.
var migrations = []string{
	`CREATE TABLE shown (
		platform TEXT NOT NULL,
		channel  TEXT NOT NULL,
		pick     TEXT NOT NULL,
		seq      BIGINT NOT NULL,
		PRIMARY KEY (platform, channel, pick)
	);
	CREATE SEQUENCE shown_seq;
	CREATE INDEX shown_recent ON shown (platform, channel, seq DESC);
	CREATE TABLE subscriptions (
		platform   TEXT NOT NULL,
		channel    TEXT NOT NULL,
		time       TEXT NOT NULL,
		timezone   TEXT NOT NULL,
		source     TEXT NOT NULL,
		created_by TEXT NOT NULL,
		since      TIMESTAMPTZ NOT NULL,
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
		due         TIMESTAMPTZ NOT NULL,
		claimed_at  TIMESTAMPTZ NOT NULL,
		finished_at TIMESTAMPTZ,
		attempts    INTEGER NOT NULL,
		error       TEXT NOT NULL DEFAULT '',
		PRIMARY KEY (platform, channel, date)
	);
	CREATE INDEX posts_unfinished ON posts (state) WHERE state IN ('claimed', 'pending');
	CREATE TABLE decks (
		platform TEXT NOT NULL,
		channel  TEXT NOT NULL,
		cycle    INTEGER NOT NULL,
		cards    TEXT[] NOT NULL,
		last     TEXT NOT NULL,
		PRIMARY KEY (platform, channel)
	);`,
	// A post in flight is "sending" from before the platform is called, so
	// whoever takes it over knows the platform may have it.
	`ALTER TABLE posts ADD COLUMN sending TIMESTAMPTZ;
	DROP INDEX posts_unfinished;
	CREATE INDEX posts_unfinished ON posts (state) WHERE state IN ('claimed', 'sending', 'pending');`,
	// A subscription may post on chosen days, open a thread, mention a role.
	`ALTER TABLE subscriptions ADD COLUMN days SMALLINT NOT NULL DEFAULT 0,
		ADD COLUMN thread BOOLEAN NOT NULL DEFAULT false,
		ADD COLUMN mention TEXT NOT NULL DEFAULT '';`,
	// The workspaces the app is installed to through OAuth, their tokens
	// sealed; versions come from a sequence, so they only grow.
	`CREATE TABLE installations (
		platform     TEXT NOT NULL,
		tenant       TEXT NOT NULL,
		enterprise   TEXT NOT NULL,
		name         TEXT NOT NULL,
		bot_user     TEXT NOT NULL,
		scopes       TEXT NOT NULL,
		installed_by TEXT NOT NULL,
		installed_at TIMESTAMPTZ NOT NULL,
		expires_at   TIMESTAMPTZ,
		secret       BYTEA NOT NULL,
		version      BIGINT NOT NULL,
		PRIMARY KEY (platform, tenant)
	);
	CREATE SEQUENCE installation_version;`,
}

// migrationLock is the advisory lock replicas take to migrate one at a time.
const migrationLock = 0x1d57b07

func (s *Store) migrate(ctx context.Context) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
			return err
		}
		var have int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
			return err
		}
		if have > len(migrations) {
			return fmt.Errorf("the database is at schema version %d, newer than this build knows (%d): run a newer industrybot", have, len(migrations))
		}
		for v := have + 1; v <= len(migrations); v++ {
			if _, err := tx.Exec(ctx, migrations[v-1]); err != nil {
				return fmt.Errorf("migration %d: %w", v, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// Close implements bot.Store.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Ping implements bot.Store.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

func wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("postgres: %w", err)
}

// Remember implements bot.Memory.
func (s *Store) Remember(ctx context.Context, ch bot.ChannelKey, ids []string) error {
	return wrap(do(ctx, func() error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			for i := len(ids) - 1; i >= 0; i-- {
				if _, err := tx.Exec(ctx, `INSERT INTO shown (platform, channel, pick, seq) VALUES ($1, $2, $3, nextval('shown_seq'))
					ON CONFLICT (platform, channel, pick) DO UPDATE SET seq = nextval('shown_seq')`, ch.Platform, ch.Channel, ids[i]); err != nil {
					return err
				}
			}
			_, err := tx.Exec(ctx, `DELETE FROM shown WHERE platform = $1 AND channel = $2 AND seq < (
				SELECT seq FROM shown WHERE platform = $1 AND channel = $2 ORDER BY seq DESC OFFSET $3 LIMIT 1)`,
				ch.Platform, ch.Channel, memoryLimit-1)
			return err
		})
	}))
}

// Recent implements bot.Memory.
func (s *Store) Recent(ctx context.Context, ch bot.ChannelKey, n int) ([]string, error) {
	ids, err := retry(ctx, func() ([]string, error) {
		rows, err := s.pool.Query(ctx, `SELECT pick FROM shown WHERE platform = $1 AND channel = $2 ORDER BY seq DESC LIMIT $3`, ch.Platform, ch.Channel, n)
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rows, pgx.RowTo[string])
	})
	if ids == nil && err == nil {
		ids = []string{}
	}
	return ids, wrap(err)
}

// Restart implements bot.Memory.
func (s *Store) Restart(ctx context.Context, ch bot.ChannelKey) error {
	return wrap(do(ctx, func() error {
		_, err := s.pool.Exec(ctx, `DELETE FROM shown WHERE platform = $1 AND channel = $2`, ch.Platform, ch.Channel)
		return err
	}))
}

// PutSubscription implements bot.DailyStore.
func (s *Store) PutSubscription(ctx context.Context, sub bot.Subscription) error {
	return wrap(do(ctx, func() error {
		_, err := s.pool.Exec(ctx, `INSERT INTO subscriptions (platform, channel, time, timezone, source, created_by, since, paused, days, thread, mention)
			VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8, $9, $10)
			ON CONFLICT (platform, channel) DO UPDATE SET time = excluded.time, timezone = excluded.timezone,
				source = excluded.source, created_by = excluded.created_by, since = excluded.since, paused = '',
				days = excluded.days, thread = excluded.thread, mention = excluded.mention`,
			sub.Channel.Platform, sub.Channel.Channel, sub.Time, sub.Timezone, sub.Source, sub.CreatedBy, sub.Since, int16(sub.Days), sub.Thread, sub.Mention)
		return err
	}))
}

// exec runs an UPDATE or DELETE of one row; bot.ErrNotFound if none.
func (s *Store) exec(ctx context.Context, sql string, args ...any) error {
	tag, err := retry(ctx, func() (pgconn.CommandTag, error) { return s.pool.Exec(ctx, sql, args...) })
	if err != nil {
		return wrap(err)
	}
	if tag.RowsAffected() == 0 {
		return bot.ErrNotFound
	}
	return nil
}

// DeleteSubscription implements bot.DailyStore.
func (s *Store) DeleteSubscription(ctx context.Context, ch bot.ChannelKey) error {
	return s.exec(ctx, `DELETE FROM subscriptions WHERE platform = $1 AND channel = $2`, ch.Platform, ch.Channel)
}

// PauseSubscription implements bot.DailyStore.
func (s *Store) PauseSubscription(ctx context.Context, ch bot.ChannelKey, reason string) error {
	return s.exec(ctx, `UPDATE subscriptions SET paused = $3 WHERE platform = $1 AND channel = $2`, ch.Platform, ch.Channel, reason)
}

const subColumns = `platform, channel, time, timezone, source, created_by, since, paused, days, thread, mention`

func scanSub(row pgx.CollectableRow) (bot.Subscription, error) {
	var sub bot.Subscription
	var platform string
	var days int16
	err := row.Scan(&platform, &sub.Channel.Channel, &sub.Time, &sub.Timezone, &sub.Source, &sub.CreatedBy, &sub.Since, &sub.Paused, &days, &sub.Thread, &sub.Mention)
	sub.Channel.Platform, sub.Days = bot.Platform(platform), bot.Days(days)
	sub.Since = sub.Since.UTC()
	return sub, err
}

// GetSubscription implements bot.DailyStore.
func (s *Store) GetSubscription(ctx context.Context, ch bot.ChannelKey) (bot.Subscription, error) {
	sub, err := retry(ctx, func() (bot.Subscription, error) {
		rows, err := s.pool.Query(ctx, `SELECT `+subColumns+` FROM subscriptions WHERE platform = $1 AND channel = $2`, ch.Platform, ch.Channel)
		if err != nil {
			return bot.Subscription{}, err
		}
		return pgx.CollectExactlyOneRow(rows, scanSub)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.Subscription{}, bot.ErrNotFound
	}
	return sub, wrap(err)
}

// ListSubscriptions implements bot.DailyStore.
func (s *Store) ListSubscriptions(ctx context.Context) ([]bot.Subscription, error) {
	subs, err := retry(ctx, func() ([]bot.Subscription, error) {
		rows, err := s.pool.Query(ctx, `SELECT `+subColumns+` FROM subscriptions ORDER BY platform, channel`)
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rows, scanSub)
	})
	return subs, wrap(err)
}

const postColumns = `platform, channel, date, pick, state, owner, due, claimed_at, finished_at, attempts, error, sending`

func scanPost(row pgx.CollectableRow) (bot.Post, error) {
	var p bot.Post
	var platform, state string
	var finished, sending *time.Time
	err := row.Scan(&platform, &p.Channel.Channel, &p.Date, &p.Pick, &state, &p.Owner, &p.Due, &p.ClaimedAt, &finished, &p.Attempts, &p.Error, &sending)
	p.Channel.Platform, p.State = bot.Platform(platform), bot.PostState(state)
	p.Due, p.ClaimedAt = p.Due.UTC(), p.ClaimedAt.UTC()
	if finished != nil {
		p.FinishedAt = finished.UTC()
	}
	if sending != nil {
		p.Sending = sending.UTC()
	}
	return p, err
}

func (s *Store) posts(ctx context.Context, sql string, args ...any) ([]bot.Post, error) {
	list, err := retry(ctx, func() ([]bot.Post, error) {
		rows, err := s.pool.Query(ctx, sql, args...)
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rows, scanPost)
	})
	return list, wrap(err)
}

// ClaimPost implements bot.DailyStore. The insert and the conditional
// takeover are single statements: PostgreSQL re-checks the takeover's
// condition on the row a concurrent claimer just changed, so one wins.
func (s *Store) ClaimPost(ctx context.Context, p bot.Post, staleBefore time.Time) (bot.Post, bool, error) {
	type result struct {
		post bot.Post
		won  bool
	}
	r, err := retry(ctx, func() (result, error) {
		attempts := 0
		if p.State == bot.PostClaimed {
			attempts = 1
		}
		rows, err := s.pool.Query(ctx, `INSERT INTO posts (`+postColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, '', NULL)
			ON CONFLICT (platform, channel, date) DO NOTHING RETURNING `+postColumns,
			p.Channel.Platform, p.Channel.Channel, p.Date, p.Pick, p.State, p.Owner, p.Due, p.ClaimedAt, attempts)
		if err != nil {
			return result{}, err
		}
		got, err := pgx.CollectRows(rows, scanPost)
		if err != nil {
			return result{}, err
		}
		if len(got) == 1 {
			return result{got[0], true}, nil
		}
		if p.State == bot.PostClaimed {
			// A post taken over from "sending" stays so: the platform
			// may have it.
			rows, err = s.pool.Query(ctx, `UPDATE posts SET owner = $4, claimed_at = $5, attempts = attempts + 1,
					state = CASE WHEN state = 'sending' THEN 'sending' ELSE 'claimed' END
				WHERE platform = $1 AND channel = $2 AND date = $3
				  AND (state = 'pending' OR state IN ('claimed', 'sending') AND (owner = $4 OR claimed_at < $6))
				RETURNING `+postColumns,
				p.Channel.Platform, p.Channel.Channel, p.Date, p.Owner, p.ClaimedAt, staleBefore)
			if err != nil {
				return result{}, err
			}
			if got, err = pgx.CollectRows(rows, scanPost); err != nil {
				return result{}, err
			}
			if len(got) == 1 {
				return result{got[0], true}, nil
			}
		}
		rows, err = s.pool.Query(ctx, `SELECT `+postColumns+` FROM posts WHERE platform = $1 AND channel = $2 AND date = $3`, p.Channel.Platform, p.Channel.Channel, p.Date)
		if err != nil {
			return result{}, err
		}
		cur, err := pgx.CollectExactlyOneRow(rows, scanPost)
		return result{cur, false}, err
	})
	return r.post, r.won, wrap(err)
}

// MarkSending implements bot.DailyStore.
func (s *Store) MarkSending(ctx context.Context, p bot.Post) error {
	err := s.exec(ctx, `UPDATE posts SET state = 'sending', sending = $5, error = $6
		WHERE platform = $1 AND channel = $2 AND date = $3 AND state IN ('claimed', 'sending') AND owner = $4`,
		p.Channel.Platform, p.Channel.Channel, p.Date, p.Owner, nullTime(p.Sending), p.Error)
	if errors.Is(err, bot.ErrNotFound) {
		return bot.ErrNotOwner
	}
	return err
}

// FinishPost implements bot.DailyStore.
func (s *Store) FinishPost(ctx context.Context, p bot.Post, deck *bot.Deck) error {
	err := do(ctx, func() error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, `UPDATE posts SET state = $5, finished_at = $6, error = $7
				WHERE platform = $1 AND channel = $2 AND date = $3 AND state IN ('claimed', 'sending') AND owner = $4`,
				p.Channel.Platform, p.Channel.Channel, p.Date, p.Owner, p.State, nullTime(p.FinishedAt), p.Error)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return bot.ErrNotOwner
			}
			if !p.Dealt() || deck == nil {
				return nil
			}
			cards := append([]string{}, deck.Cards...)
			_, err = tx.Exec(ctx, `INSERT INTO decks (platform, channel, cycle, cards, last) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (platform, channel) DO UPDATE SET cycle = excluded.cycle, cards = excluded.cards, last = excluded.last`,
				p.Channel.Platform, p.Channel.Channel, deck.Cycle, cards, deck.Last)
			return err
		})
	})
	if errors.Is(err, bot.ErrNotOwner) {
		return err
	}
	return wrap(err)
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// GetPost implements bot.DailyStore.
func (s *Store) GetPost(ctx context.Context, ch bot.ChannelKey, date string) (bot.Post, error) {
	list, err := s.posts(ctx, `SELECT `+postColumns+` FROM posts WHERE platform = $1 AND channel = $2 AND date = $3`, ch.Platform, ch.Channel, date)
	if err != nil {
		return bot.Post{}, err
	}
	if len(list) == 0 {
		return bot.Post{}, bot.ErrNotFound
	}
	return list[0], nil
}

// RecentPosts implements bot.DailyStore.
func (s *Store) RecentPosts(ctx context.Context, ch bot.ChannelKey, n int) ([]bot.Post, error) {
	return s.posts(ctx, `SELECT `+postColumns+` FROM posts WHERE platform = $1 AND channel = $2 ORDER BY date DESC LIMIT $3`, ch.Platform, ch.Channel, n)
}

// UnfinishedPosts implements bot.DailyStore.
func (s *Store) UnfinishedPosts(ctx context.Context) ([]bot.Post, error) {
	return s.posts(ctx, `SELECT `+postColumns+` FROM posts WHERE state IN ('claimed', 'sending', 'pending') ORDER BY platform, channel, date`)
}

// GetDeck implements bot.DailyStore.
func (s *Store) GetDeck(ctx context.Context, ch bot.ChannelKey) (bot.Deck, error) {
	d, err := retry(ctx, func() (bot.Deck, error) {
		var d bot.Deck
		err := s.pool.QueryRow(ctx, `SELECT cycle, cards, last FROM decks WHERE platform = $1 AND channel = $2`, ch.Platform, ch.Channel).Scan(&d.Cycle, &d.Cards, &d.Last)
		return d, err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.Deck{}, bot.ErrNotFound
	}
	return d, wrap(err)
}

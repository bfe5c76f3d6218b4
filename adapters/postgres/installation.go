package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/industrybot/industrybot/bot"
)

var _ bot.InstallationStore = (*Store)(nil)

const installColumns = `platform, tenant, enterprise, name, bot_user, scopes, installed_by, installed_at, expires_at, secret, version`

func scanInstall(row pgx.CollectableRow) (bot.Installation, error) {
	var in bot.Installation
	var platform string
	var expires *time.Time
	err := row.Scan(&platform, &in.Tenant, &in.Enterprise, &in.Name, &in.BotUser, &in.Scopes, &in.InstalledBy, &in.InstalledAt, &expires, &in.Secret, &in.Version)
	in.Platform, in.InstalledAt = bot.Platform(platform), in.InstalledAt.UTC()
	if expires != nil {
		in.ExpiresAt = expires.UTC()
	}
	return in, err
}

// secret is never NULL, even for an installation with no secret.
func secret(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// PutInstallation implements bot.InstallationStore.
func (s *Store) PutInstallation(ctx context.Context, in bot.Installation) (bot.Installation, error) {
	v, err := retry(ctx, func() (int64, error) {
		var v int64
		err := s.pool.QueryRow(ctx, `INSERT INTO installations (`+installColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, nextval('installation_version'))
			ON CONFLICT (platform, tenant) DO UPDATE SET enterprise = excluded.enterprise, name = excluded.name,
				bot_user = excluded.bot_user, scopes = excluded.scopes, installed_by = excluded.installed_by,
				installed_at = excluded.installed_at, expires_at = excluded.expires_at, secret = excluded.secret,
				version = excluded.version
			RETURNING version`,
			in.Platform, in.Tenant, in.Enterprise, in.Name, in.BotUser, in.Scopes, in.InstalledBy,
			in.InstalledAt, nullTime(in.ExpiresAt), secret(in.Secret)).Scan(&v)
		return v, err
	})
	if err != nil {
		return bot.Installation{}, wrap(err)
	}
	in.Version = v
	return in, nil
}

// GetInstallation implements bot.InstallationStore.
func (s *Store) GetInstallation(ctx context.Context, p bot.Platform, tenant string) (bot.Installation, error) {
	in, err := retry(ctx, func() (bot.Installation, error) {
		rows, err := s.pool.Query(ctx, `SELECT `+installColumns+` FROM installations WHERE platform = $1 AND tenant = $2`, p, tenant)
		if err != nil {
			return bot.Installation{}, err
		}
		return pgx.CollectExactlyOneRow(rows, scanInstall)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.Installation{}, bot.ErrNotFound
	}
	return in, wrap(err)
}

// UpdateInstallation implements bot.InstallationStore. The update is one
// statement whose condition PostgreSQL re-checks on a row a concurrent
// update just changed, so of updates from one read one wins.
func (s *Store) UpdateInstallation(ctx context.Context, in bot.Installation) (bot.Installation, error) {
	v, err := retry(ctx, func() (int64, error) {
		rows, err := s.pool.Query(ctx, `UPDATE installations SET enterprise = $4, name = $5, bot_user = $6, scopes = $7,
				installed_by = $8, installed_at = $9, expires_at = $10, secret = $11, version = nextval('installation_version')
			WHERE platform = $1 AND tenant = $2 AND version = $3
			RETURNING version`,
			in.Platform, in.Tenant, in.Version, in.Enterprise, in.Name, in.BotUser, in.Scopes, in.InstalledBy,
			in.InstalledAt, nullTime(in.ExpiresAt), secret(in.Secret))
		if err != nil {
			return 0, err
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil || len(got) == 1 {
			return firstOr(got), err
		}
		var have int64
		err = s.pool.QueryRow(ctx, `SELECT version FROM installations WHERE platform = $1 AND tenant = $2`, in.Platform, in.Tenant).Scan(&have)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return 0, bot.ErrNotFound
		case err != nil:
			return 0, err
		}
		return 0, bot.ErrInstallationChanged
	})
	switch {
	case errors.Is(err, bot.ErrNotFound), errors.Is(err, bot.ErrInstallationChanged):
		return bot.Installation{}, err
	case err != nil:
		return bot.Installation{}, wrap(err)
	}
	in.Version = v
	return in, nil
}

func firstOr(vs []int64) int64 {
	if len(vs) == 0 {
		return 0
	}
	return vs[0]
}

// DeleteInstallation implements bot.InstallationStore.
func (s *Store) DeleteInstallation(ctx context.Context, p bot.Platform, tenant string) error {
	return s.exec(ctx, `DELETE FROM installations WHERE platform = $1 AND tenant = $2`, p, tenant)
}

// ListInstallations implements bot.InstallationStore.
func (s *Store) ListInstallations(ctx context.Context, p bot.Platform) ([]bot.Installation, error) {
	list, err := retry(ctx, func() ([]bot.Installation, error) {
		rows, err := s.pool.Query(ctx, `SELECT `+installColumns+` FROM installations WHERE platform = $1 ORDER BY tenant COLLATE "C"`, p)
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rows, scanInstall)
	})
	return list, wrap(err)
}

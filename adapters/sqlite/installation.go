package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/industrybot/industrybot/bot"
)

var _ bot.InstallationStore = (*Store)(nil)

const installColumns = `platform, tenant, enterprise, name, bot_user, scopes, installed_by, installed_at, expires_at, secret, version`

func scanInstall(r scanner) (bot.Installation, error) {
	var in bot.Installation
	var installed, expires int64
	err := r.Scan(&in.Platform, &in.Tenant, &in.Enterprise, &in.Name, &in.BotUser, &in.Scopes, &in.InstalledBy, &installed, &expires, &in.Secret, &in.Version)
	in.InstalledAt, in.ExpiresAt = fromMicros(installed), fromMicros(expires)
	return in, err
}

// nextVersion takes the next installation version in tx.
func nextVersion(ctx context.Context, tx *sql.Tx) (int64, error) {
	var v int64
	err := tx.QueryRowContext(ctx, `UPDATE installation_versions SET last = last + 1 RETURNING last`).Scan(&v)
	return v, err
}

// PutInstallation implements bot.InstallationStore.
func (s *Store) PutInstallation(ctx context.Context, in bot.Installation) (bot.Installation, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		v, err := nextVersion(ctx, tx)
		if err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO installations (`+installColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (platform, tenant) DO UPDATE SET enterprise = excluded.enterprise, name = excluded.name,
				bot_user = excluded.bot_user, scopes = excluded.scopes, installed_by = excluded.installed_by,
				installed_at = excluded.installed_at, expires_at = excluded.expires_at, secret = excluded.secret,
				version = excluded.version`,
			in.Platform, in.Tenant, in.Enterprise, in.Name, in.BotUser, in.Scopes, in.InstalledBy,
			micros(in.InstalledAt), micros(in.ExpiresAt), secret(in.Secret), v)
		if err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
		in.Version = v
		return nil
	})
	if err != nil {
		return bot.Installation{}, err
	}
	return in, nil
}

// secret is never NULL, even for an installation with no secret.
func secret(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// GetInstallation implements bot.InstallationStore.
func (s *Store) GetInstallation(ctx context.Context, p bot.Platform, tenant string) (bot.Installation, error) {
	in, err := scanInstall(s.r.QueryRowContext(ctx, `SELECT `+installColumns+` FROM installations WHERE platform = ? AND tenant = ?`, p, tenant))
	if errors.Is(err, sql.ErrNoRows) {
		return bot.Installation{}, bot.ErrNotFound
	}
	if err != nil {
		return bot.Installation{}, fmt.Errorf("sqlite: %w", err)
	}
	return in, nil
}

// UpdateInstallation implements bot.InstallationStore.
func (s *Store) UpdateInstallation(ctx context.Context, in bot.Installation) (bot.Installation, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var have int64
		err := tx.QueryRowContext(ctx, `SELECT version FROM installations WHERE platform = ? AND tenant = ?`, in.Platform, in.Tenant).Scan(&have)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return bot.ErrNotFound
		case err != nil:
			return fmt.Errorf("sqlite: %w", err)
		case have != in.Version:
			return bot.ErrInstallationChanged
		}
		v, err := nextVersion(ctx, tx)
		if err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE installations SET enterprise = ?, name = ?, bot_user = ?, scopes = ?, installed_by = ?,
				installed_at = ?, expires_at = ?, secret = ?, version = ?
			WHERE platform = ? AND tenant = ?`,
			in.Enterprise, in.Name, in.BotUser, in.Scopes, in.InstalledBy, micros(in.InstalledAt), micros(in.ExpiresAt), secret(in.Secret), v,
			in.Platform, in.Tenant)
		if err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
		in.Version = v
		return nil
	})
	if err != nil {
		return bot.Installation{}, err
	}
	return in, nil
}

// DeleteInstallation implements bot.InstallationStore.
func (s *Store) DeleteInstallation(ctx context.Context, p bot.Platform, tenant string) error {
	return affected(s.exec(ctx, `DELETE FROM installations WHERE platform = ? AND tenant = ?`, p, tenant))
}

// ListInstallations implements bot.InstallationStore.
func (s *Store) ListInstallations(ctx context.Context, p bot.Platform) ([]bot.Installation, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+installColumns+` FROM installations WHERE platform = ? ORDER BY tenant`, p)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	defer rows.Close()
	var out []bot.Installation
	for rows.Next() {
		in, err := scanInstall(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return out, nil
}

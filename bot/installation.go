package bot

import (
	"context"
	"errors"
	"time"
)

// Installation is the app installed to one tenant of a platform through
// OAuth, with what it needs to act there: a Slack workspace, or an
// Enterprise Grid organisation for an org-wide install. Its credentials
// are sealed (encrypted) by the adapter before they reach a store: a store
// keeps Secret as given, never sees a token in the clear, and cannot open
// it.
type Installation struct {
	Platform Platform
	// Tenant keys the installation: a Slack team id (T…), or the
	// enterprise id (E…) of an org-wide install. The tenant's channels are
	// the channel keys that start with Tenant + ":".
	Tenant     string
	Enterprise string // the Enterprise Grid organisation, if any
	Name       string // the tenant's name, for messages and logs
	BotUser    string // the bot's user id in the tenant
	Scopes     string // the scopes granted, comma-separated
	// InstalledBy is the user who installed the app: an admin of the
	// tenant's daily picks.
	InstalledBy string
	InstalledAt time.Time
	// ExpiresAt is when the token in Secret expires, for tokens that
	// rotate; zero when it does not.
	ExpiresAt time.Time
	Secret    []byte // the sealed credentials
	// Version identifies the installation as stored. The store sets it on
	// every change, to a value larger than any it gave before (an
	// installation deleted and made again never has its old one back), so
	// UpdateInstallation can tell whether it changed.
	Version int64
}

// ErrInstallationChanged is returned by UpdateInstallation when the
// installation changed since it was read: another process refreshed its
// token, or the app was installed again.
var ErrInstallationChanged = errors.New("the installation changed since it was read")

// InstallationStore keeps the installations of OAuth installs. Every
// method returns an error only if the store failed, or the sentinel it
// names.
type InstallationStore interface {
	// PutInstallation creates or replaces the installation of
	// (in.Platform, in.Tenant): an install, or an install again. It
	// returns the installation as stored, with its Version.
	PutInstallation(ctx context.Context, in Installation) (Installation, error)
	// GetInstallation returns a tenant's installation; ErrNotFound if
	// there is none.
	GetInstallation(ctx context.Context, p Platform, tenant string) (Installation, error)
	// UpdateInstallation replaces an installation read before, such as
	// with a refreshed token, only if it is still at in.Version; it
	// returns it as stored. ErrNotFound if it was deleted meanwhile (an
	// uninstall is never undone by an update), ErrInstallationChanged if
	// it changed.
	UpdateInstallation(ctx context.Context, in Installation) (Installation, error)
	// DeleteInstallation removes a tenant's installation, its sealed
	// credentials with it; ErrNotFound if there is none.
	DeleteInstallation(ctx context.Context, p Platform, tenant string) error
	// ListInstallations returns the installations of a platform ordered by
	// tenant.
	ListInstallations(ctx context.Context, p Platform) ([]Installation, error)
}

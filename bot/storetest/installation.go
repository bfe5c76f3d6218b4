package storetest

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/industrybot/industrybot/bot"
)

// RunInstallations holds the store that newStore returns to the
// bot.InstallationStore contract, as Run does for bot.Store.
func RunInstallations(t *testing.T, newStore func(t *testing.T) bot.InstallationStore) {
	tests := []struct {
		name string
		run  func(t *testing.T, s bot.InstallationStore)
	}{
		{"RoundTrip", testInstallRoundTrip},
		{"InstallAgain", testInstallAgain},
		{"Update", testInstallUpdate},
		{"UpdateRace", testInstallUpdateRace},
		{"Delete", testInstallDelete},
		{"List", testInstallList},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newStore(t))
		})
	}
}

// installation is a workspace's installation as an adapter stores it; its
// secret holds bytes of every value, as a sealed one does.
func installation(tenant string) bot.Installation {
	secret := make([]byte, 300)
	for i := range secret {
		secret[i] = byte(i)
	}
	return bot.Installation{
		Platform: bot.Slack, Tenant: tenant, Enterprise: "E1", Name: "Film Club " + tenant, BotUser: "UBOT" + tenant,
		Scopes: "commands,chat:write,users:read", InstalledBy: "UADMIN", InstalledAt: epoch,
		ExpiresAt: epoch.Add(12 * time.Hour), Secret: secret,
	}
}

func equalInstall(a, b bot.Installation) bool {
	return a.Platform == b.Platform && a.Tenant == b.Tenant && a.Enterprise == b.Enterprise && a.Name == b.Name &&
		a.BotUser == b.BotUser && a.Scopes == b.Scopes && a.InstalledBy == b.InstalledBy &&
		a.InstalledAt.Equal(b.InstalledAt) && a.ExpiresAt.Equal(b.ExpiresAt) && bytes.Equal(a.Secret, b.Secret)
}

func testInstallRoundTrip(t *testing.T, s bot.InstallationStore) {
	if _, err := s.GetInstallation(ctx, bot.Slack, "T1"); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("Get before any install: %v, want ErrNotFound", err)
	}
	in := installation("T1")
	put, err := s.PutInstallation(ctx, in)
	must(t, err)
	if put.Version == 0 || !equalInstall(put, in) {
		t.Errorf("Put returned %+v, want %+v with a version", put, in)
	}
	got, err := s.GetInstallation(ctx, bot.Slack, "T1")
	must(t, err)
	if !equalInstall(got, in) || got.Version != put.Version {
		t.Errorf("Get = %+v, want %+v at version %d", got, in, put.Version)
	}
	if _, err := s.GetInstallation(ctx, bot.Discord, "T1"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("the tenant on another platform: %v, want ErrNotFound", err)
	}
	// A token that never expires has no expiry, and an org-wide install no
	// workspace of its own.
	org := installation("E9")
	org.ExpiresAt, org.Enterprise = time.Time{}, "E9"
	_, err = s.PutInstallation(ctx, org)
	must(t, err)
	got, err = s.GetInstallation(ctx, bot.Slack, "E9")
	must(t, err)
	if !got.ExpiresAt.IsZero() || !equalInstall(got, org) {
		t.Errorf("Get = %+v, want %+v", got, org)
	}
}

func testInstallAgain(t *testing.T, s bot.InstallationStore) {
	first, err := s.PutInstallation(ctx, installation("T1"))
	must(t, err)
	again := installation("T1")
	again.InstalledBy, again.Scopes, again.Secret = "UOTHER", "commands", []byte("another sealed token")
	second, err := s.PutInstallation(ctx, again)
	must(t, err)
	if second.Version <= first.Version {
		t.Errorf("version %d after an install again, want more than %d", second.Version, first.Version)
	}
	got, err := s.GetInstallation(ctx, bot.Slack, "T1")
	must(t, err)
	if !equalInstall(got, again) {
		t.Errorf("Get = %+v, want the second install %+v", got, again)
	}
}

func testInstallUpdate(t *testing.T, s bot.InstallationStore) {
	read, err := s.PutInstallation(ctx, installation("T1"))
	must(t, err)
	refreshed := read
	refreshed.Secret, refreshed.ExpiresAt = []byte("refreshed"), epoch.Add(24*time.Hour)
	updated, err := s.UpdateInstallation(ctx, refreshed)
	must(t, err)
	if updated.Version <= read.Version || !equalInstall(updated, refreshed) {
		t.Errorf("Update returned %+v, want %+v at a version above %d", updated, refreshed, read.Version)
	}
	// An update from what was read before the first is refused, and
	// changes nothing.
	stale := read
	stale.Secret = []byte("stale")
	if _, err := s.UpdateInstallation(ctx, stale); !errors.Is(err, bot.ErrInstallationChanged) {
		t.Errorf("a stale update: %v, want ErrInstallationChanged", err)
	}
	got, err := s.GetInstallation(ctx, bot.Slack, "T1")
	must(t, err)
	if !equalInstall(got, refreshed) || got.Version != updated.Version {
		t.Errorf("after a stale update Get = %+v, want %+v", got, refreshed)
	}
	if _, err := s.UpdateInstallation(ctx, installation("T404")); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("update of no installation: %v, want ErrNotFound", err)
	}
	// Uninstalled meanwhile: an update never brings it back, even once it
	// is installed again.
	must(t, s.DeleteInstallation(ctx, bot.Slack, "T1"))
	if _, err := s.UpdateInstallation(ctx, updated); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("update after an uninstall: %v, want ErrNotFound", err)
	}
	if _, err := s.GetInstallation(ctx, bot.Slack, "T1"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("the update brought the installation back: %v", err)
	}
	_, err = s.PutInstallation(ctx, installation("T1"))
	must(t, err)
	if _, err := s.UpdateInstallation(ctx, updated); !errors.Is(err, bot.ErrInstallationChanged) {
		t.Errorf("update of the installation before the uninstall: %v, want ErrInstallationChanged", err)
	}
}

// testInstallUpdateRace: replicas refreshing one token at once from the
// same read: one update wins, the others learn it changed.
func testInstallUpdateRace(t *testing.T, s bot.InstallationStore) {
	read, err := s.PutInstallation(ctx, installation("T1"))
	must(t, err)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := read
			in.Secret = []byte{byte(i)}
			_, errs[i] = s.UpdateInstallation(ctx, in)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, bot.ErrInstallationChanged):
			t.Errorf("a losing update: %v, want ErrInstallationChanged", err)
		}
	}
	if won != 1 {
		t.Errorf("%d updates won, want 1", won)
	}
}

func testInstallDelete(t *testing.T, s bot.InstallationStore) {
	if err := s.DeleteInstallation(ctx, bot.Slack, "T1"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("delete of no installation: %v, want ErrNotFound", err)
	}
	_, err := s.PutInstallation(ctx, installation("T1"))
	must(t, err)
	_, err = s.PutInstallation(ctx, installation("T2"))
	must(t, err)
	must(t, s.DeleteInstallation(ctx, bot.Slack, "T1"))
	if _, err := s.GetInstallation(ctx, bot.Slack, "T1"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("Get after delete: %v, want ErrNotFound", err)
	}
	if err := s.DeleteInstallation(ctx, bot.Slack, "T1"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
	if _, err := s.GetInstallation(ctx, bot.Slack, "T2"); err != nil {
		t.Errorf("the other workspace went too: %v", err)
	}
}

func testInstallList(t *testing.T, s bot.InstallationStore) {
	got, err := s.ListInstallations(ctx, bot.Slack)
	must(t, err)
	if len(got) != 0 {
		t.Fatalf("empty store lists %d installations", len(got))
	}
	for _, tenant := range []string{"T3", "E1", "T1"} {
		_, err := s.PutInstallation(ctx, installation(tenant))
		must(t, err)
	}
	other := installation("T2")
	other.Platform = bot.Discord
	_, err = s.PutInstallation(ctx, other)
	must(t, err)
	got, err = s.ListInstallations(ctx, bot.Slack)
	must(t, err)
	var tenants []string
	for _, in := range got {
		tenants = append(tenants, in.Tenant)
		if !equalInstall(in, installation(in.Tenant)) {
			t.Errorf("listed %+v, want %+v", in, installation(in.Tenant))
		}
	}
	if want := "E1 T1 T3"; strings.Join(tenants, " ") != want {
		t.Errorf("List = %s, want %s (by tenant, one platform)", strings.Join(tenants, " "), want)
	}
}

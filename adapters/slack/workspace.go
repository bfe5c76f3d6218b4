package slack

import (
	"context"
	"errors"

	slackapi "github.com/slack-go/slack"

	"github.com/industrybot/industrybot/bot"
)

// workspace is where a request came from, as the adapter acts there: a
// workspace (or Enterprise Grid organisation) installed through OAuth, or
// the workspace of the static bot token.
type workspace struct {
	// tenant is the installation's (Installation.Tenant); "" for the
	// static token's workspace.
	tenant string
	// installer installed the app there: an admin of its daily picks.
	installer string
}

// channel is the key the core knows a channel of the workspace by.
func (w workspace) channel(id string) string {
	if w.tenant == "" {
		return id
	}
	return ChannelKey(w.tenant, id)
}

// workspace finds the workspace of a request from team (on Enterprise
// Grid, of enterprise; orgWide for an org-wide install): its installation
// when the adapter has Installs and the app is installed there, else the
// static token's. ErrNotInstalled when there is neither.
func (a *Adapter) workspace(ctx context.Context, team, enterprise string, orgWide bool) (workspace, error) {
	if a.inst == nil {
		return workspace{}, nil
	}
	in, err := a.inst.lookup(ctx, team, enterprise, orgWide)
	switch {
	case err == nil:
		return workspace{tenant: in.Tenant, installer: in.InstalledBy}, nil
	case errors.Is(err, ErrNotInstalled) && a.botTok != "":
		return workspace{}, nil
	}
	return workspace{}, err
}

// tenantWorkspace is the workspace of a tenant's channels ("" for the
// static token's).
func (a *Adapter) tenantWorkspace(ctx context.Context, tenant string) (workspace, error) {
	if tenant == "" || a.inst == nil {
		return workspace{}, nil
	}
	in, err := a.inst.store.GetInstallation(ctx, bot.Slack, tenant)
	if errors.Is(err, bot.ErrNotFound) {
		return workspace{}, ErrNotInstalled
	}
	return workspace{tenant: in.Tenant, installer: in.InstalledBy}, err
}

// unserved answers a request the adapter cannot serve: from a workspace
// the app is not installed to (any more), or when the store failed.
func (a *Adapter) unserved(err error, team string) bot.Reply {
	if errors.Is(err, ErrNotInstalled) {
		a.log.Info("slack: a request from a workspace the app is not installed to", "team", team)
		return bot.Reply{Private: true, Error: "industrybot is not installed in this Slack workspace.", Text: "Install it again: " + a.inst.InstallURL()}
	}
	a.log.Error("slack: finding the workspace of a request failed", "team", team, "err", err)
	return bot.Failure()
}

// webAPI returns a Web API client with a workspace's bot token, and the
// token for scrubbing errors; nil when the workspace has none (HTTP mode
// without slack.bot_token).
func (a *Adapter) webAPI(ctx context.Context, ws workspace) (*slackapi.Client, string, error) {
	if ws.tenant == "" {
		return a.api, a.botTok, nil
	}
	tok, err := a.inst.Token(ctx, ws.tenant)
	if err != nil {
		return nil, "", err
	}
	return slackapi.New(tok, a.opts...), tok, nil
}

package slack

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"
)

// maxCachedUsers bounds the admin cache; past it, expired entries go.
const maxCachedUsers = 1024

// isAdmin reports whether a user may manage the channel's daily pick in
// workspace ws: a user listed in slack.admins, the user who installed the
// app to ws through OAuth, or an admin or owner of ws according to
// users.info with ws's token (which needs the users:read scope). Answers
// from users.info are cached, per workspace, for the adapter's AdminTTL; a
// lookup that fails is logged and answers no, uncached.
func (a *Adapter) isAdmin(ctx context.Context, ws workspace, userID string) bool {
	if userID == "" {
		return false
	}
	if slices.Contains(a.admins, userID) || ws.installer != "" && ws.installer == userID {
		return true
	}
	now := a.now()
	key := ws.tenant + "/" + userID
	if admin, ok := a.cache.get(key, now); ok {
		return admin
	}
	api, tok, err := a.webAPI(ctx, ws)
	if err != nil {
		a.log.Warn("slack: no token to tell whether a user is a workspace admin", "tenant", ws.tenant, "user", userID, "err", err)
		return false
	}
	if api == nil {
		return false
	}
	var u *slackapi.User
	err = a.retry(ctx, func() error {
		var err error
		u, err = api.GetUserInfoContext(ctx, userID, slackapi.GetUserInfoOptionIncludeLocale(false))
		return err
	})
	if err != nil {
		hint := "only users in slack.admins may manage daily picks until it works"
		var se slackapi.SlackErrorResponse
		if errors.As(err, &se) && se.Err == "missing_scope" {
			hint = "the bot token lacks users:read: add it to the app (industrybot slack manifest has it) and reinstall, or list admins in slack.admins"
		}
		a.log.Warn("slack: could not tell whether a user is a workspace admin", "tenant", ws.tenant, "user", userID, "err", scrub(err, a.botTok, a.appTok, tok), "hint", hint)
		return false
	}
	admin := u.IsAdmin || u.IsOwner || u.IsPrimaryOwner
	a.cache.put(key, admin, now)
	return admin
}

// adminCache remembers for a while who is a workspace admin.
type adminCache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]adminEntry
}

type adminEntry struct {
	admin bool
	until time.Time
}

func newAdminCache(ttl time.Duration) *adminCache {
	return &adminCache{ttl: ttl, m: map[string]adminEntry{}}
}

func (c *adminCache) get(user string, now time.Time) (admin, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[user]
	if !ok || !now.Before(e.until) {
		return false, false
	}
	return e.admin, true
}

func (c *adminCache) put(user string, admin bool, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCachedUsers {
		for k, e := range c.m {
			if !now.Before(e.until) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= maxCachedUsers {
			clear(c.m)
		}
	}
	c.m[user] = adminEntry{admin: admin, until: now.Add(c.ttl)}
}

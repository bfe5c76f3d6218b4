package slack_test

import (
	"context"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/industrybot/industrybot/adapters/slack"
	"github.com/industrybot/industrybot/adapters/slack/slacktest"
	"github.com/industrybot/industrybot/bot"
)

// lastRequest sends a line from user and returns the request the core got.
func lastRequest(t *testing.T, r *httpRig, h *spy, user, line string) bot.Request {
	t.Helper()
	r.commandFrom(t, user, line)
	reqs := h.requests()
	if len(reqs) == 0 {
		t.Fatalf("%s: the core got no request", line)
	}
	return reqs[len(reqs)-1]
}

// TestDailyAdmins: /daily is passed on with its text, and with Admin set
// for users in slack.admins and workspace admins and owners (users.info,
// cached for AdminTTL).
func TestDailyAdmins(t *testing.T) {
	h := &spy{reply: bot.Reply{Text: "ok"}}
	r := newHTTPRig(t, h, func(c *slack.Config) {
		c.BotToken = slacktest.BotToken
		c.Admins = []string{"UCONF"}
	})
	for _, u := range []slacktest.User{
		{ID: "UADMIN", Name: "ada", IsAdmin: true},
		{ID: "UOWNER", Name: "olga", IsOwner: true},
		{ID: "UPRIME", Name: "pia", IsOwner: true, IsPrimaryOwner: true},
		{ID: "UMEMBER", Name: "max"},
	} {
		r.fake.AddUser(u)
	}

	// The text goes to the core as typed, for it to read.
	req := lastRequest(t, r, h, "UCONF", "/daily subscribe 9:30 Europe/Paris")
	want := map[string]string{bot.OptAction: bot.DailySubscribe, bot.OptTime: "09:30", bot.OptTimezone: "Europe/Paris"}
	opts, err := bot.ParseText(req.Command, req.Text)
	if req.Command != bot.CmdDaily || req.Options != nil || err != nil || !maps.Equal(opts, want) || req.Platform != bot.Slack || req.Channel != "C1" {
		t.Errorf("request = %+v, want /daily with the text of %v in C1", req, want)
	}

	tests := []struct {
		user  string
		admin bool
		calls int // users.info calls so far
	}{
		{"UCONF", true, 0}, // slack.admins: no lookup
		{"UADMIN", true, 1},
		{"UADMIN", true, 1}, // cached
		{"UOWNER", true, 2},
		{"UPRIME", true, 3},
		{"UMEMBER", false, 4},
		{"UMEMBER", false, 4}, // a no is cached too
		{"UNOBODY", false, 5}, // user_not_found
		{"UNOBODY", false, 6}, // a failed lookup is not cached
	}
	for _, tc := range tests {
		req := lastRequest(t, r, h, tc.user, "/daily status")
		if req.User.Admin != tc.admin || req.User.ID != tc.user {
			t.Errorf("%s: user %+v, want admin %v", tc.user, req.User, tc.admin)
		}
		if got := r.fake.Calls(slacktest.MethodUsersInfo); got != tc.calls {
			t.Errorf("%s: %d users.info calls, want %d", tc.user, got, tc.calls)
		}
	}

	t.Run("other commands look nobody up", func(t *testing.T) {
		before := r.fake.Calls(slacktest.MethodUsersInfo)
		if req := lastRequest(t, r, h, "UOWNER", "/random"); req.User.Admin {
			t.Errorf("/random from an owner: Admin set, want it only for /daily")
		}
		if got := r.fake.Calls(slacktest.MethodUsersInfo); got != before {
			t.Errorf("%d users.info calls for /random", got-before)
		}
	})
	t.Run("the cache expires", func(t *testing.T) {
		before := r.fake.Calls(slacktest.MethodUsersInfo)
		r.clock.Add(slack.DefaultAdminTTL)
		if req := lastRequest(t, r, h, "UADMIN", "/daily status"); !req.User.Admin {
			t.Error("admin after the cache expired: Admin not set")
		}
		if got := r.fake.Calls(slacktest.MethodUsersInfo); got != before+1 {
			t.Errorf("%d users.info calls after expiry, want 1", got-before)
		}
	})
	t.Run("missing users:read scope", func(t *testing.T) {
		r.clock.Add(slack.DefaultAdminTTL)
		r.fake.Fail(slacktest.MethodUsersInfo, "", slacktest.Failure{Error: "missing_scope", Needed: "users:read", Times: 1})
		if req := lastRequest(t, r, h, "UADMIN", "/daily status"); req.User.Admin {
			t.Error("lookup failed: Admin set, want it unset")
		}
		if req := lastRequest(t, r, h, "UCONF", "/daily status"); !req.User.Admin {
			t.Error("slack.admins must count when users.info fails")
		}
		if req := lastRequest(t, r, h, "UADMIN", "/daily status"); !req.User.Admin {
			t.Error("lookup works again: Admin not set")
		}
	})
}

// TestDailyAdminsRateLimited: a 429 from users.info is waited out for its
// Retry-After, then the lookup is retried.
func TestDailyAdminsRateLimited(t *testing.T) {
	h := &spy{reply: bot.Reply{Text: "ok"}}
	r := newHTTPRig(t, h, func(c *slack.Config) { c.BotToken = slacktest.BotToken })
	waits := recordSleeps(r.a)
	r.fake.AddUser(slacktest.User{ID: "UADMIN", IsAdmin: true})
	f := slacktest.RateLimited(3 * time.Second)
	f.Times = 1
	r.fake.Fail(slacktest.MethodUsersInfo, "", f)
	if req := lastRequest(t, r, h, "UADMIN", "/daily status"); !req.User.Admin {
		t.Error("Admin not set after the retry")
	}
	if got := waits(); !slices.Equal(got, []time.Duration{3 * time.Second}) {
		t.Errorf("waited %v, want [3s]", got)
	}
}

// TestDailyAdminsWithoutBotToken: with no bot token only slack.admins
// count, and users.info is never called.
func TestDailyAdminsWithoutBotToken(t *testing.T) {
	h := &spy{reply: bot.Reply{Text: "ok"}}
	r := newHTTPRig(t, h, func(c *slack.Config) { c.Admins = []string{"UCONF"} })
	r.fake.AddUser(slacktest.User{ID: "UADMIN", IsAdmin: true})
	if req := lastRequest(t, r, h, "UCONF", "/daily status"); !req.User.Admin {
		t.Error("slack.admins: Admin not set")
	}
	if req := lastRequest(t, r, h, "UADMIN", "/daily status"); req.User.Admin {
		t.Error("workspace admin without a bot token: Admin set, want only slack.admins to count")
	}
	if got := r.fake.Calls(slacktest.MethodUsersInfo); got != 0 {
		t.Errorf("%d users.info calls without a bot token", got)
	}
}

// recordSleeps makes a record its waits instead of sleeping.
func recordSleeps(a *slack.Adapter) func() []time.Duration {
	var mu sync.Mutex
	var waits []time.Duration
	slack.SetSleep(a, func(_ context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		waits = append(waits, d)
		return nil
	})
	return func() []time.Duration {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(waits)
	}
}

package prometheus_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/industrybot/industrybot/adapters/prometheus"
	"github.com/industrybot/industrybot/bot"
)

type handlerFunc func(context.Context, bot.Request) bot.Reply

func (f handlerFunc) Handle(ctx context.Context, r bot.Request) bot.Reply { return f(ctx, r) }

func TestCommandsByOutcome(t *testing.T) {
	m := prometheus.New()
	h := m.Bot(handlerFunc(func(_ context.Context, r bot.Request) bot.Reply {
		switch r.Opt("title") {
		case "zzz":
			return bot.Reply{Error: "No title matches"}
		case "boom":
			return bot.Failure()
		}
		return bot.Reply{}
	}))
	for _, title := range []string{"heat", "kids", "zzz", "boom"} {
		h.Handle(context.Background(), bot.Request{Platform: bot.Slack, Command: "why", Options: map[string]string{"title": title}})
	}
	h.Handle(context.Background(), bot.Request{Platform: bot.Discord, Command: "made-up-by-a-client"})
	out := gather(t, m)
	for _, want := range []string{
		`industrybot_commands_total{command="why",outcome="ok",platform="slack"} 2`,
		`industrybot_commands_total{command="why",outcome="rejected",platform="slack"} 1`,
		`industrybot_commands_total{command="why",outcome="error",platform="slack"} 1`,
		`industrybot_commands_total{command="unknown",outcome="ok",platform="discord"} 1`,
		`industrybot_command_duration_seconds_count{command="why",platform="slack"} 4`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s", want)
		}
	}
}

func gather(t *testing.T, m *prometheus.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	return string(body)
}

type failingStore struct{ bot.Store }

func (failingStore) Recent(context.Context, bot.ChannelKey, int) ([]string, error) {
	return nil, errors.New("disk full")
}

func TestStoreErrorsAndPosts(t *testing.T) {
	m := prometheus.New()
	s := m.Store(failingStore{bot.NewMemoryStore()})
	ctx := context.Background()
	ch := bot.ChannelKey{Platform: bot.Slack, Channel: "C1"}
	s.Recent(ctx, ch, 1)
	s.Recent(ctx, ch, 1)
	if _, err := s.GetSubscription(ctx, ch); !errors.Is(err, bot.ErrNotFound) {
		t.Fatal(err)
	}
	now := time.Now()
	p, _, _ := s.ClaimPost(ctx, bot.Post{Channel: ch, Date: "2026-11-26", Pick: "heat", State: bot.PostClaimed, Owner: "a", Due: now, ClaimedAt: now}, now)
	p.State = bot.PostSent
	if err := s.FinishPost(ctx, p, nil); err != nil {
		t.Fatal(err)
	}
	// A post whose answer was lost and could not be looked for: being sent
	// is no result, unknown is one.
	q, _, _ := s.ClaimPost(ctx, bot.Post{Channel: ch, Date: "2026-11-27", Pick: "kids", State: bot.PostClaimed, Owner: "a", Due: now, ClaimedAt: now}, now)
	q.State, q.Sending = bot.PostSending, now
	if err := s.MarkSending(ctx, q); err != nil {
		t.Fatal(err)
	}
	q.State = bot.PostUnknown
	if err := s.FinishPost(ctx, q, nil); err != nil {
		t.Fatal(err)
	}
	out := gather(t, m)
	if strings.Contains(out, `result="sending"`) {
		t.Error("a post being sent was counted as a result")
	}
	for _, want := range []string{
		`industrybot_store_errors_total{op="recent"} 2`,
		`industrybot_daily_posts_total{platform="slack",result="sent"} 1`,
		`industrybot_daily_posts_total{platform="slack",result="unknown"} 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in\n%s", want, grep(out, "industrybot_"))
		}
	}
	if strings.Contains(out, `op="get_subscription"`) {
		t.Error("a not-found answer counted as a store error")
	}
}

type posterFunc func() error

func (f posterFunc) Post(context.Context, string, string, bot.Reply) error { return f() }

func (f posterFunc) Look(context.Context, string, string, time.Time) (bool, error) {
	return false, bot.ErrCannotLook
}

func (f posterFunc) Dedup() time.Duration { return 0 }

func TestPosterRetries(t *testing.T) {
	m := prometheus.New()
	errs := []error{&bot.PostError{Err: errors.New("503")}, &bot.PostError{Permanent: true, Err: errors.New("gone")}, nil, errors.New("reset")}
	i := 0
	p := m.Poster(bot.Discord, posterFunc(func() error { i++; return errs[i-1] }))
	for range errs {
		p.Post(context.Background(), "1", "key", bot.Reply{})
	}
	if !strings.Contains(gather(t, m), `industrybot_daily_post_retries_total{platform="discord"} 2`) {
		t.Errorf("want two transient failures counted:\n%s", grep(gather(t, m), "retries"))
	}
}

// lookPoster finds every post and says its platform drops copies for a
// minute.
type lookPoster struct{ posterFunc }

func (lookPoster) Look(context.Context, string, string, time.Time) (bool, error) { return true, nil }

func (lookPoster) Dedup() time.Duration { return time.Minute }

// TestPosterPassesLookAndDedup: the scheduler settles a post in doubt
// through the measured poster, so it must answer as the platform's.
func TestPosterPassesLookAndDedup(t *testing.T) {
	p := prometheus.New().Poster(bot.Slack, lookPoster{posterFunc(func() error { return nil })})
	if found, err := p.Look(context.Background(), "C1", "key", time.Now()); !found || err != nil {
		t.Errorf("Look = %v, %v; want the wrapped poster's true", found, err)
	}
	if d := p.Dedup(); d != time.Minute {
		t.Errorf("Dedup = %s, want the wrapped poster's 1m", d)
	}
}

func TestHTTPByRoute(t *testing.T) {
	m := prometheus.New()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/commands", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusUnauthorized) })
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	h := m.HTTP(mux)
	for _, r := range []*http.Request{
		httptest.NewRequest("POST", "/slack/commands", nil),
		httptest.NewRequest("GET", "/healthz", nil),
		httptest.NewRequest("GET", "/healthz", nil),
		httptest.NewRequest("GET", "/nope", nil),
	} {
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	out := gather(t, m)
	for _, want := range []string{
		`industrybot_http_requests_total{code="401",route="POST /slack/commands"} 1`,
		`industrybot_http_requests_total{code="200",route="GET /healthz"} 2`,
		`industrybot_http_requests_total{code="404",route="unmatched"} 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in\n%s", want, grep(out, "http_requests"))
		}
	}
	if n := testutil.CollectAndCount(m.Registry(), "industrybot_http_request_duration_seconds"); n != 3 {
		t.Errorf("%d latency series, want 3", n)
	}
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// BenchmarkMeasure is what measuring costs one answered command: the HTTP
// request's count and latency, the command's count and latency, around
// handlers that do nothing.
func BenchmarkMeasure(b *testing.B) {
	m := prometheus.New()
	h := m.Bot(handlerFunc(func(context.Context, bot.Request) bot.Reply { return bot.Reply{} }))
	req := bot.Request{Platform: bot.Slack, Command: bot.CmdWhy}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/commands", func(w http.ResponseWriter, r *http.Request) {
		h.Handle(r.Context(), req)
	})
	srv := m.HTTP(mux)
	r := httptest.NewRequest(http.MethodPost, "/slack/commands", nil)
	var w discard
	b.ReportAllocs()
	for b.Loop() {
		srv.ServeHTTP(w, r)
	}
}

type discard struct{}

func (discard) Header() http.Header         { return nil }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

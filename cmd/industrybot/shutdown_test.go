package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestServeLameDuck stops serve as SIGTERM does: /readyz turns 503 at
// once while every route goes on answering, on connections open before
// and opened since, until http.shutdown_delay is over; only then does
// serve drain and stop. The delay is the test's to end.
func TestServeLameDuck(t *testing.T) {
	t.Setenv("INDUSTRYBOT_HTTP_SHUTDOWN_DELAY", "7s")
	delays := make(chan time.Duration, 1)
	release := make(chan time.Time)
	addrs := make(chan net.Addr, 1)
	errb := &syncBuffer{}
	e := &env{
		stdin: strings.NewReader(""), stdout: io.Discard, stderr: errb,
		listening: func(a net.Addr) { addrs <- a },
		after: func(d time.Duration) <-chan time.Time {
			delays <- d
			return release
		},
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	done := make(chan int, 1)
	go func() {
		done <- e.execute(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--store-driver", "memory"})
	}()
	var base string
	select {
	case a := <-addrs:
		base = "http://" + a.String()
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, errb.String())
	}
	// A balancer's client, with a keep-alive connection open before the
	// signal.
	lb := &http.Client{Transport: &http.Transport{}}
	defer lb.CloseIdleConnections()
	get := func(c *http.Client, path string) (*http.Response, string) {
		t.Helper()
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	if resp, body := get(lb, "/readyz"); resp.StatusCode != http.StatusOK || resp.Close {
		t.Fatalf("/readyz before the signal: %d %q, close %v", resp.StatusCode, body, resp.Close)
	}

	stop() // SIGTERM
	select {
	case d := <-delays:
		if d != 7*time.Second {
			t.Errorf("delay %s, want http.shutdown_delay's 7s", d)
		}
	case code := <-done:
		t.Fatalf("serve stopped at once (exit %d), without a shutdown delay", code)
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not start its shutdown delay")
	}
	if resp, body := get(lb, "/readyz"); resp.StatusCode != http.StatusServiceUnavailable || body != "not ready: shutting down\n" {
		t.Errorf("/readyz during the delay: %d %q, want 503", resp.StatusCode, body)
	}
	resp, body := get(lb, "/healthz")
	if resp.StatusCode != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz during the delay: %d %q", resp.StatusCode, body)
	}
	if !resp.Close {
		t.Error("an answer during the delay keeps its connection open: the balancer's next request on it would be reset at the drain")
	}
	fresh := &http.Client{Transport: &http.Transport{}}
	if resp, _ := get(fresh, "/healthz"); resp.StatusCode != http.StatusOK {
		t.Errorf("a new connection during the delay: %d", resp.StatusCode)
	}
	select {
	case code := <-done:
		t.Fatalf("serve stopped (exit %d) before its delay was over", code)
	default:
	}

	close(release)
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d: %s", code, errb.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after its delay")
	}
	if _, err := fresh.Get(base + "/healthz"); err == nil {
		t.Error("serve still answers after it stopped")
	}
	if logs := errb.String(); !strings.Contains(logs, "/readyz answers 503") || !strings.Contains(logs, "delay=7s") {
		t.Errorf("logs: %s", logs)
	}
}

func TestShutdownDelayConfig(t *testing.T) {
	t.Setenv("INDUSTRYBOT_HTTP_SHUTDOWN_DELAY", "soon")
	r := runCmd(t, "", "ask", "/help")
	want := `config: http.shutdown_delay is "soon", not a duration such as 2h or 30m (0 turns it off): set http.shutdown_delay in config.yaml or INDUSTRYBOT_HTTP_SHUTDOWN_DELAY`
	if r.code != 1 || strings.TrimSpace(r.stderr) != "industrybot: "+want {
		t.Errorf("got %+v, want one line: %s", r, want)
	}
	for value, want := range map[string]time.Duration{"": 5 * time.Second, "0": 0, "30s": 30 * time.Second} {
		t.Setenv("INDUSTRYBOT_HTTP_SHUTDOWN_DELAY", value)
		e := &env{stdout: io.Discard, stderr: io.Discard}
		cfg, err := loadConfig(e.newRoot().PersistentFlags())
		if err != nil || cfg.ShutdownDelay != want {
			t.Errorf("%q: %v, %v; want %s", value, cfg.ShutdownDelay, err, want)
		}
	}
}

// TestReadinessSaysWhatIsDownAndLogsWhy: /readyz, on the public port,
// names the failing parts and nothing of their errors, which go to the
// log once each until they change.
func TestReadinessSaysWhatIsDownAndLogsWhy(t *testing.T) {
	var logs bytes.Buffer
	r := newReadiness(newLogger(&logs, "info", "text", nil))
	storeErr := errors.New("failed to connect to `user=industrybot database=prod host=db.internal`: dial tcp 10.0.0.7:5432: connection refused")
	failing := storeErr
	r.add("store", func(context.Context) error { return failing })
	r.add("slack", func(context.Context) error { return nil })
	r.add("discord gateway", func(context.Context) error { return errors.New("not connected to shard 0 of 1") })
	ready := func() (int, string) {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		return rec.Code, rec.Body.String()
	}
	for range 3 {
		if code, body := ready(); code != http.StatusServiceUnavailable || body != "not ready: store, discord gateway\n" {
			t.Errorf("got %d %q, want 503 naming the parts only", code, body)
		}
	}
	if got := logs.String(); strings.Count(got, "db.internal") != 1 || strings.Count(got, "shard 0") != 1 {
		t.Errorf("want each error logged once:\n%s", got)
	}
	failing = nil
	ready()
	if !strings.Contains(logs.String(), "ready again") {
		t.Errorf("the recovery is not logged:\n%s", logs.String())
	}
}

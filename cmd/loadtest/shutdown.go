package main

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Health checks of the simulated load balancer: /readyz every
// balancerInterval, and the bot out of the pool after balancerThreshold
// failures in a row.
const (
	balancerInterval  = 500 * time.Millisecond
	balancerThreshold = 2
)

// runShutdown sends signed requests from conns keep-alive connections
// through a simulated load balancer, stops serve with SIGTERM, and counts
// the requests that failed (reset, refused, cut short) before the
// balancer took the bot out of its pool.
func runShutdown(bin, store, delay string, conns int) error {
	var env []string
	if delay != "" {
		env = append(env, "INDUSTRYBOT_HTTP_SHUTDOWN_DELAY="+delay)
	}
	b, err := startBot(bin, store, "", env...)
	if err != nil {
		return err
	}
	defer b.stop()
	base := "http://" + b.addr
	reqs := requests(b.secret, b.priv)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConns: 2 * conns, MaxIdleConnsPerHost: 2 * conns, IdleConnTimeout: time.Minute}}

	var in atomic.Bool // in the balancer's pool
	in.Store(true)
	var outAt atomic.Int64
	checks := &http.Client{Timeout: time.Second}
	stopChecks := make(chan struct{})
	checked := make(chan struct{})
	go func() {
		defer close(checked)
		t := time.NewTicker(balancerInterval)
		defer t.Stop()
		failures := 0
		for {
			select {
			case <-stopChecks:
				return
			case <-t.C:
			}
			resp, err := checks.Get(base + "/readyz")
			ok := err == nil && resp.StatusCode == http.StatusOK
			if err == nil {
				resp.Body.Close()
			}
			if ok {
				failures = 0
				continue
			}
			if failures++; failures >= balancerThreshold && in.Load() {
				in.Store(false)
				outAt.Store(time.Now().UnixNano())
			}
		}
	}()

	// A refused connection carried no request: a balancer tries another
	// backend. A request sent and then reset, cut short or unanswered is
	// lost: it is a POST, which nobody retries.
	rec := &recorder{}
	var refused atomic.Int64
	var next atomic.Int64
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for in.Load() {
				r := reqs[int(next.Add(1))%len(reqs)]
				t := time.Now()
				err := send(client, base, true, r)
				if errors.Is(err, syscall.ECONNREFUSED) {
					refused.Add(1)
					time.Sleep(balancerInterval / 10)
					continue
				}
				rec.add(time.Since(t), err)
			}
		})
	}
	time.Sleep(2 * time.Second) // under load
	start := time.Now()
	if err := b.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	wg.Wait()
	close(stopChecks)
	<-checked
	exited := make(chan error, 1)
	go func() { exited <- b.cmd.Wait() }()
	var exitErr error
	select {
	case exitErr = <-exited:
	case <-time.After(60 * time.Second):
		return fmt.Errorf("serve did not stop within 60 s of SIGTERM")
	}
	stopped := time.Since(start)
	res := rec.result(stopped)
	out := time.Duration(outAt.Load() - start.UnixNano())
	d := delay
	if d == "" {
		d = "its default"
	}
	fmt.Printf("industrybot shutdown under load: %d keep-alive connections of signed requests behind a balancer that checks /readyz every %s and takes a backend out after %d failures; http.shutdown_delay %s\n",
		conns, balancerInterval, balancerThreshold, d)
	fmt.Printf("  the balancer took the bot out %s after SIGTERM; serve exited after %s (%v)\n", out.Round(time.Millisecond), stopped.Round(time.Millisecond), exitErr)
	fmt.Printf("  requests: %d answered, %d lost (reset, cut short or unanswered); %d connections refused, which a balancer sends elsewhere\n", len(res.latencies), res.errors, refused.Load())
	for _, e := range res.samples {
		fmt.Println("    error:", e)
	}
	fmt.Printf("\ngoal: no request lost to the shutdown: %s\n", mark(res.errors == 0))
	return nil
}

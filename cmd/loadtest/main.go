// Command loadtest drives signed Slack slash commands and signed Discord
// interactions at `industrybot serve` on 127.0.0.1 and reports throughput
// and latency, with a bare net/http handler measured in the same run as the
// reference, and the server's memory.
//
//	go run ./cmd/loadtest                  # builds industrybot, runs every phase
//	go run ./cmd/loadtest -duration 20s -rate 1000 -conns 32
//	go run ./cmd/loadtest -attack 2000     # unsigned bodies from 2,000 connections, and signed requests among them
//	go run ./cmd/loadtest -shutdown        # SIGTERM under load behind a simulated load balancer: resets counted
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	bare := flag.String("bare-server", "", "internal: serve the bare reference handler on this address")
	bin := flag.String("bin", "", "industrybot binary (default: build ./cmd/industrybot)")
	duration := flag.Duration("duration", 10*time.Second, "length of each measured phase")
	rate := flag.Int("rate", 1000, "requests per second of the fixed-rate phase")
	conns := flag.Int("conns", 32, "concurrent requests of the throughput phase")
	store := flag.String("store", "sqlite", "the bot's store.driver: sqlite or memory")
	cpus := flag.String("server-cpus", "", "run both servers on these CPUs (taskset -c), e.g. 0, and this program with taskset -c 1, so load and servers do not share cores")
	attackConns := flag.Int("attack", 0, "instead of the phases: this many connections send large bodies that are not validly signed, for -duration, while signed requests are timed among them")
	shutdown := flag.Bool("shutdown", false, "instead of the phases: stop serve with SIGTERM under load from -conns keep-alive connections behind a simulated load balancer, and count the requests reset")
	delay := flag.String("shutdown-delay", "", "the bot's http.shutdown_delay (default: its own)")
	attacker := flag.String("attacker", "", "internal: attack this address with -attack connections until standard input ends")
	flag.Parse()
	if *bare != "" {
		serveBare(*bare)
		return
	}
	if *attacker != "" {
		attack(*attacker, *attackConns)
		return
	}
	var err error
	switch {
	case *attackConns > 0:
		err = runAttack(*bin, *store, *duration, *attackConns)
	case *shutdown:
		err = runShutdown(*bin, *store, *delay, *conns)
	default:
		err = run(*bin, *store, *cpus, *duration, *rate, *conns)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

// serveBare is the reference: a net/http handler that reads the body and
// answers a small JSON object, as a handler with no work of its own would.
// Under /signed/ it first checks the request's signature as the platforms
// require (HMAC-SHA256 for Slack, Ed25519 for Discord, with the secret and
// key in LOADTEST_SLACK_SECRET and LOADTEST_DISCORD_KEY): the most any bot
// that checks signatures can serve.
func serveBare(addr string) {
	secret := []byte(os.Getenv("LOADTEST_SLACK_SECRET"))
	key, _ := hex.DecodeString(os.Getenv("LOADTEST_DISCORD_KEY"))
	answer := func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"type":4,"data":{"content":"ok"}}`)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		answer(w)
	})
	http.HandleFunc("/signed/slack/commands", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, secret)
		fmt.Fprintf(mac, "v0:%s:%s", r.Header.Get("X-Slack-Request-Timestamp"), body)
		sig, _ := hex.DecodeString(strings.TrimPrefix(r.Header.Get("X-Slack-Signature"), "v0="))
		if !hmac.Equal(sig, mac.Sum(nil)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		answer(w)
	})
	http.HandleFunc("/signed/discord/interactions", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		sig, _ := hex.DecodeString(r.Header.Get("X-Signature-Ed25519"))
		if len(key) != ed25519.PublicKeySize || !ed25519.Verify(key, append([]byte(r.Header.Get("X-Signature-Timestamp")), body...), sig) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		answer(w)
	})
	srv := &http.Server{Addr: addr, ReadHeaderTimeout: 5 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "bare server:", err)
		os.Exit(1)
	}
}

func run(bin, store, cpus string, d time.Duration, rate, conns int) error {
	b, err := startBot(bin, store, cpus)
	if err != nil {
		return err
	}
	defer b.stop()
	secret, pub, priv, botAddr, serve := b.secret, b.pub, b.priv, b.addr, b.cmd
	bareAddr := freeAddr()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	bareCmd := pinned(cpus, self, "-bare-server", bareAddr)
	bareCmd.Stderr = os.Stderr
	bareCmd.Env = append(os.Environ(), "LOADTEST_SLACK_SECRET="+secret, "LOADTEST_DISCORD_KEY="+hex.EncodeToString(pub))
	if err := bareCmd.Start(); err != nil {
		return err
	}
	defer func() { bareCmd.Process.Kill(); bareCmd.Wait() }()
	if err := waitReady("http://"+bareAddr+"/", 10*time.Second); err != nil {
		return fmt.Errorf("the bare server did not start: %w", err)
	}
	time.Sleep(time.Second) // let the server settle before reading its memory
	idle := rss(serve.Process.Pid)

	reqs := requests(secret, priv)
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 2 * conns, MaxIdleConnsPerHost: 2 * conns, IdleConnTimeout: time.Minute}}
	where := "servers and load share the machine's cores"
	if cpus != "" {
		where = "servers on CPUs " + cpus + ", load wherever this program runs"
	}
	fmt.Printf("industrybot load test: %d Slack commands and Discord interactions, signed; %d conns; %s per phase; %d cores, %s\n\n",
		len(reqs), conns, d, numCPU(), where)

	bareURL, botURL := target{"http://" + bareAddr, false}, target{"http://" + botAddr, true}
	signedURL := target{"http://" + bareAddr + "/signed", false}
	barePid, botPid := bareCmd.Process.Pid, serve.Process.Pid
	closedLoop(client, botURL, reqs, conns, d/5) // warm up: connections, caches, the SQLite file
	bareMax := measure(barePid, func() result { return closedLoop(client, bareURL, reqs, conns, d) })
	signedMax := measure(barePid, func() result { return closedLoop(client, signedURL, reqs, conns, d) })
	botMax := measure(botPid, func() result { return closedLoop(client, botURL, reqs, conns, d) })
	bareRate := measure(barePid, func() result { return openLoop(client, bareURL, reqs, rate, d) })
	botRate := measure(botPid, func() result { return openLoop(client, botURL, reqs, rate, d) })
	loaded := rss(serve.Process.Pid)

	fmt.Printf("%-34s %12s %10s %10s %10s %8s %12s\n", "phase", "req/s", "p50", "p99", "max", "errors", "server CPU")
	for _, r := range []result{bareMax.named("bare net/http, max throughput"), signedMax.named("bare + signature check, max"), botMax.named("industrybot, max throughput"),
		bareRate.named(fmt.Sprintf("bare net/http, %d req/s", rate)), botRate.named(fmt.Sprintf("industrybot, %d req/s", rate))} {
		fmt.Printf("%-34s %12.0f %10s %10s %10s %8d %9.0fµs/req\n", r.name, r.throughput, r.p(0.50), r.p(0.99), r.p(1), r.errors, r.cpuPerRequest())
	}
	fmt.Printf("\nindustrybot RSS: %.1f MB idle after start, %.1f MB after the load\n", float64(idle)/(1<<20), float64(loaded)/(1<<20))
	ratio := botMax.throughput / bareMax.throughput
	fmt.Printf("\nthroughput against bare net/http: bare + signature check %.0f%%, industrybot %.0f%%\n", 100*signedMax.throughput/bareMax.throughput, 100*ratio)
	fmt.Printf("\ngoals: throughput >= 50%% of bare: %.0f%% %s; p99 < 10ms at %d req/s: %s %s; no errors: %d %s; idle RSS < 40 MB: %.1f MB %s\n",
		100*ratio, mark(ratio >= 0.5), rate, botRate.p(0.99), mark(botRate.percentile(0.99) < 10*time.Millisecond),
		botMax.errors+botRate.errors, mark(botMax.errors+botRate.errors == 0), float64(idle)/(1<<20), mark(idle < 40<<20))
	for _, e := range append(botMax.samples, botRate.samples...) {
		fmt.Println("  error:", e)
	}
	return nil
}

// bot is a running `industrybot serve` in HTTP modes, with the secrets
// its requests are signed with.
type bot struct {
	dir    string
	addr   string
	secret string
	pub    ed25519.PublicKey
	priv   ed25519.PrivateKey
	cmd    *exec.Cmd
	log    *syncBuffer
}

// startBot builds industrybot unless bin names it, starts serve on a free
// port of 127.0.0.1 with the extra environment, and waits until it is
// ready.
func startBot(bin, store, cpus string, env ...string) (*bot, error) {
	dir, err := os.MkdirTemp("", "industrybot-load")
	if err != nil {
		return nil, err
	}
	b := &bot{dir: dir, addr: freeAddr(), secret: randomHex(16), log: &syncBuffer{}}
	if bin == "" {
		bin = filepath.Join(dir, "industrybot")
		build := exec.Command("go", "build", "-o", bin, "./cmd/industrybot")
		build.Stdout, build.Stderr = os.Stdout, os.Stderr
		if err := build.Run(); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("building industrybot (run from the repository root): %w", err)
		}
	}
	if b.pub, b.priv, err = ed25519.GenerateKey(rand.Reader); err != nil {
		return nil, err
	}
	b.cmd = pinned(cpus, bin, "serve")
	b.cmd.Dir = dir
	b.cmd.Env = append(append(os.Environ(),
		"INDUSTRYBOT_HTTP_ADDR="+b.addr,
		"INDUSTRYBOT_STORE_DRIVER="+store,
		"INDUSTRYBOT_STORE_DSN="+filepath.Join(dir, "industrybot.db"),
		"INDUSTRYBOT_SLACK_MODE=http",
		"INDUSTRYBOT_SLACK_SIGNING_SECRET="+b.secret,
		"INDUSTRYBOT_DISCORD_MODE=http",
		"INDUSTRYBOT_DISCORD_PUBLIC_KEY="+hex.EncodeToString(b.pub),
		"INDUSTRYBOT_LOG_LEVEL=warn",
	), env...)
	b.cmd.Stdout, b.cmd.Stderr = b.log, b.log
	if err := b.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := waitReady("http://"+b.addr+"/readyz", 30*time.Second); err != nil {
		b.stop()
		return nil, fmt.Errorf("industrybot serve did not become ready: %w\n%s", err, b.log.String())
	}
	return b, nil
}

// stop ends serve, if it still runs, and removes its directory.
func (b *bot) stop() {
	b.cmd.Process.Signal(syscall.SIGTERM)
	b.cmd.Wait()
	os.RemoveAll(b.dir)
}

// syncBuffer collects a process's output while the load test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// pinned returns a command, run on the given CPUs when cpus is set.
func pinned(cpus, name string, args ...string) *exec.Cmd {
	if cpus == "" {
		return exec.Command(name, args...)
	}
	return exec.Command("taskset", append([]string{"-c", cpus, name}, args...)...)
}

func mark(ok bool) string {
	if ok {
		return "(met)"
	}
	return "(NOT met)"
}

// request is one prepared, signed request.
type request struct {
	path        string
	contentType string
	header      http.Header
	body        []byte
	want        string // a substring of a good answer
}

// requests prepares a mix of Slack commands and Discord interactions,
// signed now (both platforms accept 5 minutes).
func requests(secret string, key ed25519.PrivateKey) []request {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	var out []request
	slackCmds := [][2]string{{"/recommend", "something tense"}, {"/recommend", "talky kind:film"}, {"/why", "heat"}, {"/why", "social netwrok"}, {"/random", "tv"}, {"/recommend", "like Succession"}}
	for i, c := range slackCmds {
		for ch := range 8 {
			form := url.Values{
				"token": {"x"}, "team_id": {"T1"}, "team_domain": {"load"}, "channel_id": {fmt.Sprintf("C%d", ch)},
				"channel_name": {"load"}, "user_id": {fmt.Sprintf("U%d", i)}, "user_name": {"load"}, "command": {c[0]},
				"text": {c[1]}, "response_url": {"http://127.0.0.1:1/unused"}, "trigger_id": {"1.2.3"},
			}
			body := []byte(form.Encode())
			mac := hmac.New(sha256.New, []byte(secret))
			fmt.Fprintf(mac, "v0:%s:%s", ts, body)
			h := http.Header{}
			h.Set("X-Slack-Request-Timestamp", ts)
			h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
			out = append(out, request{"/slack/commands", "application/x-www-form-urlencoded", h, body, "blocks"})
		}
	}
	discordCmds := []struct {
		name string
		opt  string
		val  string
	}{{"recommend", "query", "something tense"}, {"recommend", "query", "british comedy"}, {"why", "title", "heat"}, {"why", "title", "mad man"}, {"random", "kind", "film"}, {"recommend", "query", "like Succession"}}
	for i, c := range discordCmds {
		for ch := range 8 {
			in := map[string]any{
				"id": fmt.Sprint(1000 + i*10 + ch), "application_id": "1", "type": 2, "token": "interaction-token", "version": 1,
				"channel_id": fmt.Sprint(500 + ch), "guild_id": "42",
				"member": map[string]any{"user": map[string]any{"id": fmt.Sprint(77 + i), "username": "load"}, "permissions": "0"},
				"data":   map[string]any{"id": "9", "name": c.name, "type": 1, "options": []any{map[string]any{"name": c.opt, "type": 3, "value": c.val}}},
			}
			body, _ := json.Marshal(in)
			h := http.Header{}
			h.Set("X-Signature-Timestamp", ts)
			h.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(key, append([]byte(ts), body...))))
			out = append(out, request{"/discord/interactions", "application/json", h, body, `"type":4`})
		}
	}
	// Interleave the platforms.
	var mixed []request
	half := len(out) / 2
	for i := range half {
		mixed = append(mixed, out[i], out[half+i])
	}
	return mixed
}

type result struct {
	name       string
	throughput float64
	latencies  []time.Duration
	errors     int
	samples    []string
	cpu        time.Duration // the server's CPU time (user and system) over the phase
}

// cpuPerRequest is the server's CPU time per request in microseconds:
// steadier than throughput on a shared machine, where other work takes
// cores away from the load and the servers alike.
func (r result) cpuPerRequest() float64 {
	n := len(r.latencies) + r.errors
	if n == 0 || r.cpu == 0 {
		return 0
	}
	return float64(r.cpu.Microseconds()) / float64(n)
}

// measure runs a phase and records the CPU time the server process pid
// spent in it.
func measure(pid int, phase func() result) result {
	before := cpuTime(pid)
	r := phase()
	r.cpu = cpuTime(pid) - before
	return r
}

// cpuTime reads a process's user and system CPU time from /proc; 0 where
// there is no /proc.
func cpuTime(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces: count from after it.
	_, rest, ok := strings.Cut(string(data), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ is 100 on Linux
}

func (r result) named(n string) result { r.name = n; return r }

func (r result) percentile(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(q * float64(len(r.latencies)-1))
	return r.latencies[i]
}

func (r result) p(q float64) string {
	d := r.percentile(q)
	switch {
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%dµs", d.Microseconds())
	}
}

// recorder collects latencies and errors from many goroutines.
type recorder struct {
	mu        sync.Mutex
	latencies []time.Duration
	errors    int
	samples   []string
}

func (rec *recorder) add(d time.Duration, err error) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if err != nil {
		rec.errors++
		if len(rec.samples) < 5 {
			rec.samples = append(rec.samples, err.Error())
		}
		return
	}
	rec.latencies = append(rec.latencies, d)
}

func (rec *recorder) result(elapsed time.Duration) result {
	slices.Sort(rec.latencies)
	return result{throughput: float64(len(rec.latencies)+rec.errors) / elapsed.Seconds(), latencies: rec.latencies, errors: rec.errors, samples: rec.samples}
}

// target is a server under load; check says whether its answers must be
// the bot's.
type target struct {
	base  string
	check bool
}

func send(client *http.Client, to target, r request) error {
	req, err := http.NewRequest("POST", to.base+r.path, bytes.NewReader(r.body))
	if err != nil {
		return err
	}
	req.Header = r.header.Clone()
	req.Header.Set("Content-Type", r.contentType)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d: %.200s", r.path, resp.StatusCode, body)
	}
	if to.check && !bytes.Contains(body, []byte(r.want)) {
		return fmt.Errorf("%s: unexpected answer: %.200s", r.path, body)
	}
	return nil
}

// closedLoop keeps conns requests in flight for d: the most the server
// can take.
func closedLoop(client *http.Client, to target, reqs []request, conns int, d time.Duration) result {
	rec := &recorder{}
	var next atomic.Int64
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				r := reqs[int(next.Add(1))%len(reqs)]
				t := time.Now()
				err := send(client, to, r)
				rec.add(time.Since(t), err)
			}
		})
	}
	wg.Wait()
	return rec.result(time.Since(start))
}

// openLoop sends rate requests a second for d, each at its scheduled time
// whatever the answers before it; latency counts from the scheduled time,
// so a stalled server shows in the percentiles instead of slowing the load.
func openLoop(client *http.Client, to target, reqs []request, rate int, d time.Duration) result {
	rec := &recorder{}
	n := int(d.Seconds() * float64(rate))
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		at := start.Add(time.Duration(i) * interval)
		if wait := time.Until(at); wait > 0 {
			time.Sleep(wait)
		}
		r := reqs[i%len(reqs)]
		wg.Go(func() {
			err := send(client, to, r)
			rec.add(time.Since(at), err)
		})
	}
	wg.Wait()
	return rec.result(time.Since(start))
}

func waitReady(u string, within time.Duration) error {
	deadline := time.Now().Add(within)
	var last error
	for time.Now().Before(deadline) {
		resp, err := http.Get(u)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Errorf("HTTP %d", resp.StatusCode)
		} else {
			last = err
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.Join(errors.New("timed out"), last)
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// rss reads a process's resident memory from /proc.
func rss(pid int) int64 { return procStatus(pid, "VmRSS:") }

// procStatus reads a memory figure, in bytes, from /proc/PID/status.
func procStatus(pid int, field string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func numCPU() int {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	return strings.Count(string(data), "processor\t:")
}

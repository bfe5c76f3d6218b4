// Command loadtest drives signed Slack slash commands and signed Discord
// interactions at `industrybot serve` on 127.0.0.1 and reports, for a
// Slack /why mix, a Slack mix, a Discord mix and the two half and half:
// the most each server serves, its CPU per request, p50 and p99 at a fixed
// rate, and the bot's memory. In the same run it measures the references:
// a bare net/http handler, the same handler checking each request's
// signature as the platforms require, and, when node is there and npm can
// install it, Bolt for JavaScript acknowledging Slack's commands.
//
// "× bare" is a server's throughput over the bare handler's in the same
// round (the median and range over -rounds). The load generator shares
// the machine with the servers, so it also says what the load cost
// itself ("load CPU", per request), and the server CPU column's "× bare"
// is the bare handler's CPU per request over the server's: the throughput
// ratio a load generator that cost nothing would see.
//
//	go run ./cmd/loadtest                  # builds industrybot, runs every phase
//	go run ./cmd/loadtest -rounds 3 -duration 10s -baseline HEAD~3   # before and after, same run
//	go run ./cmd/loadtest -profile /tmp/prof   # CPU profiles of each mix, top entries printed
//	go run ./cmd/loadtest -client wrk      # the max-throughput phases sent by wrk, as issue 18 measured
//	go run ./cmd/loadtest -attack 2000     # unsigned bodies from 2,000 connections, and signed requests among them
//	go run ./cmd/loadtest -shutdown        # SIGTERM under load behind a simulated load balancer: resets counted
package main

import (
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	bare := flag.String("bare-server", "", "internal: serve the bare reference handler on this address")
	bin := flag.String("bin", "", "industrybot binary (default: build ./cmd/industrybot)")
	baseline := flag.String("baseline", "", "also measure this industrybot, a binary or a git revision of this repository (built from git archive), in the same run: a before-and-after table")
	duration := flag.Duration("duration", 5*time.Second, "length of each measured phase")
	rounds := flag.Int("rounds", 1, "how often each mix's max-throughput phases run, the servers in turn: the table gives the median and the range")
	rate := flag.Int("rate", 1000, "requests per second of the fixed-rate phases")
	conns := flag.Int("conns", 32, "concurrent requests of the max-throughput phases")
	store := flag.String("store", "sqlite", "the bot's store.driver: sqlite or memory")
	cpus := flag.String("server-cpus", "", "run the servers on these CPUs (taskset -c), e.g. 0, and this program with taskset -c 1, so load and servers do not share cores")
	only := flag.String("mixes", "", "run only these mixes, by name, comma-separated (slack-why, slack, discord, half)")
	profile := flag.String("profile", "", "build industrybot (and the baseline) with net/http/pprof, write a CPU profile of each mix (of the bare handler with signature checks too) into this directory, and print its top entries")
	client := flag.String("client", "raw", "what sends the max-throughput phases: raw (this program's keep-alive connections, which check every answer) or wrk (2 threads, as issue 18 measured; status codes only)")
	withBolt := flag.Bool("bolt", true, "measure Bolt for JavaScript on the Slack mixes when node is there (npm installs @slack/bolt into a temporary directory)")
	memory := flag.Int("memory", 100_000, "requests sent after the phases, three times over, RSS read after each, to see whether they add lasting memory")
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
		err = run(options{bin: *bin, baseline: *baseline, store: *store, cpus: *cpus, only: *only, profile: *profile, client: *client,
			bolt: *withBolt, d: *duration, rounds: max(1, *rounds), rate: *rate, conns: *conns, memory: *memory})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type options struct {
	bin, baseline, store, cpus, only, profile, client string
	bolt                                              bool
	d                                                 time.Duration
	rounds, rate, conns, memory                       int
}

// server is one server measured on a mix: a target and what the run
// recorded of it.
type server struct {
	target
	max    []result // one a round
	atRate result
}

func run(o options) error {
	switch o.client {
	case "raw":
	case "wrk":
		if _, err := exec.LookPath("wrk"); err != nil {
			return fmt.Errorf("-client wrk: no wrk on PATH (apt-get install wrk)")
		}
	default:
		return fmt.Errorf("-client %q is neither raw nor wrk", o.client)
	}
	k := newKeys()
	tmp, err := os.MkdirTemp("", "industrybot-loadtest")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	profiling := o.profile != ""
	if profiling {
		if err := os.MkdirAll(o.profile, 0o755); err != nil {
			return err
		}
	}
	bin := o.bin
	if bin == "" {
		bin = filepath.Join(tmp, "industrybot")
		if err := buildBot(".", bin, profiling); err != nil {
			return fmt.Errorf("%w (run from the repository root)", err)
		}
	}
	var baseBin string
	if o.baseline != "" {
		if baseBin, err = baselineBinary(o.baseline, filepath.Join(tmp, "baseline"), profiling); err != nil {
			return err
		}
	}

	b, err := startBotKeys(bin, o.store, o.cpus, k, profiling)
	if err != nil {
		return err
	}
	defer b.stop()
	var base *bot
	if baseBin != "" {
		if base, err = startBotKeys(baseBin, o.store, o.cpus, k, profiling); err != nil {
			return fmt.Errorf("the baseline: %w", err)
		}
		defer base.stop()
	}
	bareAddr := freeAddr()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	bareCmd := pinned(o.cpus, self, "-bare-server", bareAddr)
	bareCmd.Stderr = os.Stderr
	bareCmd.Env = append(os.Environ(), "LOADTEST_SLACK_SECRET="+k.secret, "LOADTEST_DISCORD_KEY="+hex.EncodeToString(k.pub))
	var barePprof string
	if profiling {
		barePprof = freeAddr()
		bareCmd.Env = append(bareCmd.Env, "LOADTEST_PPROF="+barePprof)
	}
	if err := bareCmd.Start(); err != nil {
		return err
	}
	defer func() { bareCmd.Process.Kill(); bareCmd.Wait() }()
	if err := waitReady("http://"+bareAddr+"/", 10*time.Second); err != nil {
		return fmt.Errorf("the bare server did not start: %w", err)
	}
	var bo *bolt
	boltNote := "Bolt for JavaScript: not measured (-bolt=false)"
	if o.bolt {
		if bo, err = startBolt(k.secret, o.cpus); err != nil {
			boltNote = "Bolt for JavaScript: skipped: " + err.Error()
		} else {
			defer bo.stop()
			boltNote = "Bolt for JavaScript " + bo.version + " on node, HTTP mode, signature checks on, acknowledging every command with a fixed reply"
		}
	}
	time.Sleep(time.Second) // let the servers settle before reading their memory
	idle, idleSplit := rss(b.cmd.Process.Pid), residentSplit(b.cmd.Process.Pid)
	var baseIdle int64
	var baseSplit string
	if base != nil {
		baseIdle, baseSplit = rss(base.cmd.Process.Pid), residentSplit(base.cmd.Process.Pid)
	}

	where := "servers and load share the machine's cores"
	if o.cpus != "" {
		where = "servers on CPUs " + o.cpus + ", load wherever this program runs"
	}
	fmt.Printf("industrybot load test: signed requests from %d keep-alive connections (%s), %d round(s) of %s per server and mix, then %s at %d req/s; %d cores, %s; store %s\n",
		o.conns, o.client, o.rounds, o.d, o.d, o.rate, numCPU(), where, o.store)
	if base != nil {
		fmt.Printf("baseline: %s\n", o.baseline)
	}
	fmt.Println(boltNote)

	// Warm up: connections, caches, the SQLite file, node's compiler.
	for _, bb := range []*bot{b, base} {
		if bb != nil {
			closedLoop(target{addr: bb.addr, check: true}, requests(k.secret, k.priv), o.conns, o.d/2, 0)
		}
	}
	if bo != nil {
		closedLoop(target{addr: bo.addr}, slackRequests(k.secret, slackCommands), o.conns, o.d, 0)
	}

	var report []mixReport
	for _, m := range mixes() {
		if !selected(o.only, m.name) {
			continue
		}
		servers := []*server{
			{target: target{name: "bare net/http", addr: bareAddr, pid: bareCmd.Process.Pid}},
			{target: target{name: "bare + signature check", addr: bareAddr, prefix: "/signed", pid: bareCmd.Process.Pid}},
			{target: target{name: "industrybot", addr: b.addr, check: true, pid: b.cmd.Process.Pid}},
		}
		if base != nil {
			servers = append(servers, &server{target: target{name: "industrybot baseline", addr: base.addr, check: true, pid: base.cmd.Process.Pid}})
		}
		if bo != nil && m.slack {
			servers = append(servers, &server{target: target{name: "Bolt-JS " + bo.version, addr: bo.addr, pid: bo.cmd.Process.Pid}})
		}
		fmt.Fprintf(os.Stderr, "mix %s: ", m.name)
		for range o.rounds {
			for _, s := range servers {
				fmt.Fprint(os.Stderr, ".")
				reqs := m.make(k.secret, k.priv) // signed now: both platforms accept 5 minutes
				s.max = append(s.max, measure(s.pid, func() result {
					if o.client == "wrk" {
						return wrkLoop(s.target, reqs, o.conns, o.d)
					}
					return closedLoop(s.target, reqs, o.conns, o.d, 0)
				}))
			}
		}
		for _, s := range servers {
			fmt.Fprint(os.Stderr, ":")
			reqs := m.make(k.secret, k.priv)
			s.atRate = measure(s.pid, func() result { return openLoop(s.target, reqs, o.rate, o.d) })
		}
		fmt.Fprintln(os.Stderr)
		r := mixReport{mix: m, servers: servers}
		if profiling {
			type profiled struct {
				name, pprof string
				t           target
			}
			targets := []profiled{{"bare-signed", barePprof, target{addr: bareAddr, prefix: "/signed"}}, {"industrybot", b.pprof, target{addr: b.addr, check: true}}}
			if base != nil {
				targets = append(targets, profiled{"baseline", base.pprof, target{addr: base.addr, check: true}})
			}
			for _, p := range targets {
				file := filepath.Join(o.profile, slug(m.name)+"-"+p.name+".pprof")
				reqs := m.make(k.secret, k.priv)
				secs := max(1, int(o.d.Seconds()))
				if err := profileCPU(p.pprof, file, secs, func() { closedLoop(p.t, reqs, o.conns, time.Duration(secs)*time.Second+500*time.Millisecond, 0) }); err != nil {
					fmt.Fprintf(os.Stderr, "profiling %s on %s: %v\n", p.name, m.name, err)
					continue
				}
				r.profiles = append(r.profiles, file)
			}
		}
		report = append(report, r)
	}

	// Memory: what the phases left, and whether more requests add to it.
	loaded := rss(b.cmd.Process.Pid)
	mem := memoryCheck(b, k, o)
	var baseLoaded int64
	var baseMem []int64
	if base != nil {
		baseLoaded = rss(base.cmd.Process.Pid)
		baseMem = memoryCheck(base, k, o)
	}

	for _, r := range report {
		r.print(o)
	}
	fmt.Printf("\nindustrybot RSS: %.1f MB idle after start (%s), %.1f MB after the phases; %d × %d requests more (half and half): %s\n",
		mb(idle), idleSplit, mb(loaded), memoryBatches, o.memory, memoryLine(mem))
	if base != nil {
		fmt.Printf("baseline RSS:    %.1f MB idle after start (%s), %.1f MB after the phases; %d × %d requests more (half and half): %s\n",
			mb(baseIdle), baseSplit, mb(baseLoaded), memoryBatches, o.memory, memoryLine(baseMem))
	}
	printGoals(report, idle, mem)
	for _, r := range report {
		for _, f := range r.profiles {
			top(f)
		}
	}
	return nil
}

// memoryBatches is how many times memoryCheck sends o.memory requests:
// RSS is read after each, so memory that lasts shows as growth that goes
// on, and a GC cycle's swing (a few MB at serve's GOGC) as one that does
// not.
const memoryBatches = 3

// memoryCheck sends memoryBatches × o.memory requests to the bot and
// returns its RSS before them and after each batch.
func memoryCheck(b *bot, k keys, o options) []int64 {
	pid := b.cmd.Process.Pid
	out := []int64{rss(pid)}
	t := target{addr: b.addr, check: true}
	for range memoryBatches {
		for sent := 0; sent < o.memory; {
			// A batch of at most a minute, signed afresh.
			r := closedLoop(t, requests(k.secret, k.priv), o.conns, time.Minute, int64(o.memory-sent))
			sent += r.requests
			if r.requests == 0 {
				break
			}
		}
		time.Sleep(time.Second)
		out = append(out, rss(pid))
	}
	return out
}

// memoryLine says what memoryCheck read: "a → b → c → d MB (+x MB)".
func memoryLine(mem []int64) string {
	var parts []string
	for _, m := range mem {
		parts = append(parts, fmt.Sprintf("%.1f", mb(m)))
	}
	return fmt.Sprintf("%s MB (%+.1f MB)", strings.Join(parts, " → "), mb(mem[len(mem)-1]-mem[0]))
}

type mixReport struct {
	mix      mix
	servers  []*server
	profiles []string
}

func (r mixReport) server(prefix string) *server {
	for _, s := range r.servers {
		if s.name == prefix || strings.HasPrefix(s.name, prefix) {
			return s
		}
	}
	return nil
}

// ratio is the median, over the rounds, of a's throughput over b's in the
// same round, and its range.
func ratio(a, b *server) (median, lo, hi float64) {
	var rs []float64
	for i := range min(len(a.max), len(b.max)) {
		if b.max[i].throughput > 0 {
			rs = append(rs, a.max[i].throughput/b.max[i].throughput)
		}
	}
	if len(rs) == 0 {
		return 0, 0, 0
	}
	slices.Sort(rs)
	return rs[len(rs)/2], rs[0], rs[len(rs)-1]
}

func medianBy(rs []result, f func(result) float64) (median, lo, hi float64) {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	return v[len(v)/2], v[0], v[len(v)-1]
}

func (r mixReport) print(o options) {
	fmt.Printf("\n%s: %s\n", r.mix.name, r.mix.about)
	fmt.Printf("  %-24s %-24s %-17s %-23s %-10s %-21s %s\n", "", "max req/s (range)", "× bare (range)", "server CPU/req (× bare)", "load CPU", fmt.Sprintf("p50 / p99 @ %d/s", o.rate), "errors")
	bare := r.servers[0]
	bareCPU, _, _ := medianBy(bare.max, result.cpuPerRequest)
	for _, s := range r.servers {
		med, lo, hi := medianBy(s.max, func(x result) float64 { return x.throughput })
		cpu, _, _ := medianBy(s.max, result.cpuPerRequest)
		load, _, _ := medianBy(s.max, result.loadCPUPerRequest)
		rm, rl, rh := ratio(s, bare)
		errs := s.atRate.errors
		for _, m := range s.max {
			errs += m.errors
		}
		fmt.Printf("  %-24s %-24s %-17s %-23s %-10s %-21s %d\n", s.name,
			fmt.Sprintf("%s (%s–%s)", thousands(med), thousands(lo), thousands(hi)),
			fmt.Sprintf("%.2f (%.2f–%.2f)", rm, rl, rh),
			fmt.Sprintf("%.0f µs (%.2f)", cpu, bareCPU/cpu), fmt.Sprintf("%.0f µs", load),
			s.atRate.p(0.5)+" / "+s.atRate.p(0.99), errs)
		var samples []string
		for _, m := range append(s.max, s.atRate) {
			samples = append(samples, m.samples...)
		}
		for _, e := range samples[:min(3, len(samples))] {
			fmt.Println("      error:", e)
		}
	}
}

// printGoals says which of issue 18's goals this run met.
func printGoals(report []mixReport, idle int64, mem []int64) {
	fmt.Println("\ngoals (same run):")
	for _, r := range report {
		bot := r.server("industrybot")
		switch r.mix.name {
		case "Slack /why":
			q, _, _ := ratio(bot, r.servers[0])
			fmt.Printf("  Slack /why ≥ 0.5× bare: %.2f× %s\n", q, mark(q >= 0.5))
			if bolt := r.server("Bolt-JS"); bolt != nil {
				q, _, _ := ratio(bot, bolt)
				fmt.Printf("  Slack /why ≥ 5× Bolt-JS: %.1f× %s\n", q, mark(q >= 5))
			} else {
				fmt.Println("  Slack /why ≥ 5× Bolt-JS: not measured")
			}
			p99 := bot.atRate.percentile(0.99)
			fmt.Printf("  Slack /why p99 < 10 ms at the fixed rate, no errors: %s, %d errors %s\n", ms(p99), bot.atRate.errors, mark(p99 < 10*time.Millisecond && bot.atRate.errors == 0))
		case "Discord":
			q, _, _ := ratio(bot, r.servers[1])
			fmt.Printf("  Discord ≥ 0.7× bare + signature check: %.2f× %s\n", q, mark(q >= 0.7))
		}
	}
	fmt.Printf("  idle RSS < 25 MB: %.1f MB %s\n", mb(idle), mark(idle < 25<<20))
	growth, after := lastingGrowth(mem)
	fmt.Printf("  requests add no lasting memory (RSS grows < 2 MB over the %d batches after the first): %+.1f MB %s (%+.1f MB with the first)\n",
		after, mb(growth), mark(growth < 2<<20), mb(mem[len(mem)-1]-mem[0]))
}

// lastingGrowth is what memoryCheck's batches after the first added to
// RSS, and how many they were. The first batch opens its connections and
// brings the heap to its goal at full concurrency (a collector cycle's
// swing, a few MB at GOGC=200, which later batches do not repeat); memory
// that lasts is growth that goes on after it.
func lastingGrowth(mem []int64) (growth int64, batches int) {
	if len(mem) < 3 {
		return mem[len(mem)-1] - mem[0], len(mem) - 1
	}
	return mem[len(mem)-1] - mem[1], len(mem) - 2
}

// top prints a profile's top entries, by their own time and with what
// they call.
func top(file string) {
	fmt.Printf("\nprofile %s, top entries (go tool pprof -top):\n", file)
	for _, flag := range []string{"-top", "-top -cum"} {
		args := append([]string{"tool", "pprof"}, strings.Fields(flag)...)
		out, err := exec.Command("go", append(args, "-nodecount=25", file)...).Output()
		if err != nil {
			fmt.Println("  go tool pprof:", err)
			return
		}
		lines := strings.Split(string(out), "\n")
		for i, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), "flat") {
				lines = lines[i:]
				break
			}
		}
		fmt.Println(strings.Join(lines, "\n"))
	}
}

func selected(only, name string) bool {
	if only == "" {
		return true
	}
	return slices.Contains(strings.Split(only, ","), slug(name))
}

// slug is a mix's name in a file name or a flag: "slack-why".
func slug(name string) string {
	s := strings.ToLower(strings.NewReplacer("/", "", " ", "-").Replace(name))
	s = strings.ReplaceAll(s, "--", "-")
	if s == "half-and-half" {
		return "half"
	}
	return s
}

func mark(ok bool) string {
	if ok {
		return "(met)"
	}
	return "(NOT met)"
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }

func thousands(f float64) string {
	s := strconv.FormatInt(int64(f+0.5), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// cpuTime reads a process's user and system CPU time from /proc (this
// process's for pid 0); 0 where there is no /proc.
func cpuTime(pid int) time.Duration {
	p := "self"
	if pid != 0 {
		p = strconv.Itoa(pid)
	}
	data, err := os.ReadFile("/proc/" + p + "/stat")
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

// rss reads a process's resident memory from /proc.
func rss(pid int) int64 { return procStatus(pid, "VmRSS:") }

// residentSplit says how much of a process's resident memory is its own
// (anonymous: heap, stacks, the runtime's) and how much is pages of files
// mapped in: for serve, almost all of it its binary's, which Linux maps 64
// KB around every page first touched, and which are shared and clean.
func residentSplit(pid int) string {
	return fmt.Sprintf("%.1f MB anonymous, %.1f MB of files", mb(procStatus(pid, "RssAnon:")), mb(procStatus(pid, "RssFile:")))
}

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

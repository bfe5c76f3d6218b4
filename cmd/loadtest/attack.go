package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// attacker is one kind of hostile request: a route, headers that are not a
// valid signature, and a body.
type attacker struct {
	name   string
	path   string
	header func(ts string) string // the signature headers, "" for none
	length int                    // the body's Content-Length
	// trickle, when set, sends the body this many bytes a second instead of
	// at once.
	trickle int
}

// attackers are the hostile requests of the attack, in equal shares of
// the connections: unsigned bodies of 1 MiB; bodies as large as each route
// takes, or 1 MiB, with signature headers that are well-formed and fresh
// but forged, which a bot must read to refuse; and such bodies sent slowly
// (64 KiB or 1 KiB a second), so that they are all being read at once and
// hold what they have sent, or a read slot, as long as they can.
func attackers() []attacker {
	forgedSlack := func(ts string) string {
		return "X-Slack-Request-Timestamp: " + ts + "\r\nX-Slack-Signature: v0=" + randomHex(32) + "\r\n"
	}
	forgedDiscord := func(ts string) string {
		return "X-Signature-Timestamp: " + ts + "\r\nX-Signature-Ed25519: " + randomHex(64) + "\r\n"
	}
	none := func(string) string { return "" }
	return []attacker{
		{"unsigned, 1 MiB, Slack", "/slack/commands", none, 1 << 20, 0},
		{"unsigned, 1 MiB, Discord", "/discord/interactions", none, 1 << 20, 0},
		{"forged, 256 KiB, Slack interactions", "/slack/interactions", forgedSlack, 256 << 10, 0},
		{"forged, 256 KiB, Discord", "/discord/interactions", forgedDiscord, 256 << 10, 0},
		{"forged, 1 MiB at 64 KiB/s, Slack", "/slack/commands", forgedSlack, 1 << 20, 64 << 10},
		{"forged, 1 MiB at 64 KiB/s, Discord", "/discord/interactions", forgedDiscord, 1 << 20, 64 << 10},
		{"forged, 256 KiB at 1 KiB/s, Discord", "/discord/interactions", forgedDiscord, 256 << 10, 1 << 10},
	}
}

// runAttack starts serve and points conns connections at it, spread over
// the attackers, for d, while one client sends signed requests, 20 a
// second, and times them, first alone for reference. It reports the bot's
// peak memory and those requests' latency. The attack runs in a process
// of its own at the lowest CPU priority (nice 19): an attacker's machine
// is not the bot's, and on a machine of two cores an attack at full
// priority would measure how the kernel shares them, not the bot.
func runAttack(bin, store string, d time.Duration, conns int) error {
	b, err := startBot(bin, store, "")
	if err != nil {
		return err
	}
	defer b.stop()
	pid := b.cmd.Process.Pid
	idle := rss(pid)
	reqs := requests(b.secret, b.priv)
	signed := target{name: "industrybot", addr: b.addr, check: true}
	alone := openLoop(signed, reqs, 20, d/2)

	self, err := os.Executable()
	if err != nil {
		return err
	}
	var attackOut syncBuffer
	atk := exec.Command("nice", "-n", "19", self, "-attacker", b.addr, "-attack", strconv.Itoa(conns))
	atk.Stdout, atk.Stderr = &attackOut, os.Stderr
	stdin, err := atk.StdinPipe()
	if err != nil {
		return err
	}
	if err := atk.Start(); err != nil {
		return err
	}
	// Memory, sampled through the attack.
	var peak atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if m := rss(pid); m > peak.Load() {
					peak.Store(m)
				}
			}
		}
	}()
	time.Sleep(d / 5) // let the attack build up
	cpu := cpuTime(pid)
	res := openLoop(signed, reqs, 20, d)
	cpu = cpuTime(pid) - cpu
	stdin.Close() // the attacker stops at the end of its input
	atk.Wait()
	close(stop)
	<-sampled
	hwm := hwm(pid)
	kinds := attackers()
	fmt.Printf("industrybot under attack: %d connections for %s, at nice 19 (%d each of:", conns, d+d/5, conns/len(kinds))
	for i, k := range kinds {
		sep := ","
		if i == len(kinds)-1 {
			sep = ")"
		}
		fmt.Printf(" %s%s", k.name, sep)
	}
	fmt.Printf("\n  %s", attackOut.String())
	fmt.Printf("  the bot's CPU: %.0f%% of a core\n", 100*cpu.Seconds()/d.Seconds())
	fmt.Printf("  RSS: %.1f MB idle, %.1f MB peak sampled, %.1f MB high-water mark\n", float64(idle)/(1<<20), float64(peak.Load())/(1<<20), float64(hwm)/(1<<20))
	fmt.Printf("  signed requests at 20/s, alone:       %4d, p50 %s, p99 %s, max %s, errors %d\n", len(alone.latencies)+alone.errors, alone.p(0.5), alone.p(0.99), alone.p(1), alone.errors)
	fmt.Printf("  signed requests at 20/s, among them:  %4d, p50 %s, p99 %s, max %s, errors %d\n", len(res.latencies)+res.errors, res.p(0.5), res.p(0.99), res.p(1), res.errors)
	for _, e := range res.samples {
		fmt.Println("    error:", e)
	}
	fmt.Printf("\ngoals: RSS < 300 MB: %s; signed requests answered within 1 s: %s\n",
		mark(hwm < 300<<20), mark(res.errors == 0 && res.percentile(1) < time.Second))
	return nil
}

// attack is the attacker process: conns connections spread over the
// attackers, until its standard input ends; then it prints what they did.
func attack(addr string, conns int) {
	kinds := attackers()
	body := bytes.Repeat([]byte("a"), 1<<20)
	stop := make(chan struct{})
	var sent, refused, failed atomic.Int64
	var wg sync.WaitGroup
	for i := range conns {
		k := kinds[i%len(kinds)]
		wg.Go(func() { k.run(addr, body[:k.length], stop, &sent, &refused, &failed) })
	}
	io.Copy(io.Discard, os.Stdin)
	close(stop)
	wg.Wait()
	fmt.Printf("hostile requests answered: %d (refused 401/413/503: %d), connection errors: %d\n", sent.Load(), refused.Load(), failed.Load())
}

// run sends k's request over and over on one connection, dialling again
// when the bot closes it, until stop.
func (k attacker) run(addr string, body []byte, stop <-chan struct{}, sent, refused, failed *atomic.Int64) {
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	for !stopped() {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			failed.Add(1)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		br := bufio.NewReader(c)
		for !stopped() {
			c.SetDeadline(time.Now().Add(30 * time.Second))
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			head := "POST " + k.path + " HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
				k.header(ts) + "Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
			if _, err := io.WriteString(c, head); err != nil {
				break
			}
			if err := k.send(c, body, stop); err != nil {
				// The bot may refuse the request before its body is in
				// and close the connection: that is what it should do.
			}
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				break
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			sent.Add(1)
			if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusRequestEntityTooLarge || resp.StatusCode == http.StatusServiceUnavailable {
				refused.Add(1)
			}
			if resp.Close {
				break
			}
		}
		c.Close()
	}
}

func (k attacker) send(c net.Conn, body []byte, stop <-chan struct{}) error {
	if k.trickle == 0 {
		_, err := c.Write(body)
		return err
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for len(body) > 0 {
		n := min(k.trickle, len(body))
		if _, err := c.Write(body[:n]); err != nil {
			return err
		}
		body = body[n:]
		select {
		case <-stop:
			return nil
		case <-t.C:
		}
	}
	return nil
}

// hwm reads a process's peak resident memory from /proc.
func hwm(pid int) int64 { return procStatus(pid, "VmHWM:") }

package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// The load is sent from raw keep-alive connections, each request written
// whole from bytes prepared before the phase and each answer read with a
// minimal HTTP/1.1 parser, instead of through net/http's client. On a
// machine of two cores the load generator shares the cores with the
// servers, and the less it spends on a request the less it flatters the
// slower server: a client that costs as much as the bare handler makes
// any server look half as fast as bare at worst.

// target is a server under load: where it listens, the prefix of its
// routes, and whether its answers must be the bot's.
type target struct {
	name   string
	addr   string
	prefix string
	check  bool
	pid    int
}

// prepared is a request as it goes on the wire to one target.
type prepared struct {
	raw  []byte
	want []byte // a substring of a good answer; nil: any 200
	path string
}

func prepare(t target, reqs []request) []prepared {
	out := make([]prepared, len(reqs))
	for i, r := range reqs {
		var b bytes.Buffer
		fmt.Fprintf(&b, "POST %s%s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n", t.prefix, r.path, t.addr, r.contentType, len(r.body))
		for k, vs := range r.header {
			for _, v := range vs {
				fmt.Fprintf(&b, "%s: %s\r\n", k, v)
			}
		}
		b.WriteString("\r\n")
		b.Write(r.body)
		out[i] = prepared{raw: b.Bytes(), path: r.path}
		if t.check {
			out[i].want = []byte(r.want)
		}
	}
	return out
}

// conn is one keep-alive connection of the load.
type conn struct {
	c    net.Conn
	br   *bufio.Reader
	body []byte
}

func dial(addr string) (*conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &conn{c: c, br: bufio.NewReaderSize(c, 16<<10)}, nil
}

// do sends one request and reads its answer. closed says the server
// closes the connection after it (or it broke): dial again.
func (c *conn) do(p *prepared, deadline time.Time) (closed bool, err error) {
	c.c.SetDeadline(deadline)
	if _, err := c.c.Write(p.raw); err != nil {
		return true, err
	}
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		return true, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return true, fmt.Errorf("%s: not an HTTP answer: %q", p.path, line)
	}
	status, _ := strconv.Atoi(string(line[9:12]))
	length, chunked := -1, false
	for {
		h, err := c.br.ReadSlice('\n')
		if err != nil {
			return true, err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, _ := bytes.Cut(h, []byte(":"))
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			length, _ = strconv.Atoi(string(value))
		case bytes.EqualFold(name, []byte("Connection")):
			closed = closed || bytes.EqualFold(value, []byte("close"))
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		}
	}
	c.body = c.body[:0]
	switch {
	case chunked:
		if c.body, err = readChunked(c.br, c.body); err != nil {
			return true, err
		}
	case length >= 0:
		c.body = slices.Grow(c.body, length)[:length]
		if _, err := io.ReadFull(c.br, c.body); err != nil {
			return true, err
		}
	default: // to the end of the connection
		if c.body, err = io.ReadAll(c.br); err != nil {
			return true, err
		}
		closed = true
	}
	if status != http.StatusOK {
		return closed, fmt.Errorf("%s: HTTP %d: %.200s", p.path, status, c.body)
	}
	if p.want != nil && !bytes.Contains(c.body, p.want) {
		return closed, fmt.Errorf("%s: unexpected answer: %.200s", p.path, c.body)
	}
	return closed, nil
}

func readChunked(br *bufio.Reader, body []byte) ([]byte, error) {
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return body, err
		}
		size, _, _ := bytes.Cut(bytes.TrimSpace(line), []byte(";"))
		n, err := strconv.ParseInt(string(size), 16, 32)
		if err != nil {
			return body, fmt.Errorf("bad chunk size %q", line)
		}
		if n == 0 {
			for { // trailers, up to the blank line
				l, err := br.ReadSlice('\n')
				if err != nil || len(bytes.TrimSpace(l)) == 0 {
					return body, err
				}
			}
		}
		start := len(body)
		body = slices.Grow(body, int(n))[:start+int(n)]
		if _, err := io.ReadFull(br, body[start:]); err != nil {
			return body, err
		}
		if _, err := br.Discard(2); err != nil { // CRLF
			return body, err
		}
	}
}

func (c *conn) close() { c.c.Close() }

type result struct {
	name       string
	requests   int
	throughput float64
	latencies  []time.Duration
	errors     int
	samples    []string
	cpu        time.Duration // the server's CPU time (user and system) over the phase
	loadCPU    time.Duration // the load generator's
}

// cpuPerRequest is the server's CPU time per request in microseconds:
// steadier than throughput on a shared machine, where other work takes
// cores away from the load and the servers alike.
func (r result) cpuPerRequest() float64 {
	if r.requests == 0 || r.cpu == 0 {
		return 0
	}
	return float64(r.cpu.Microseconds()) / float64(r.requests)
}

func (r result) loadCPUPerRequest() float64 {
	if r.requests == 0 {
		return 0
	}
	return float64(r.loadCPU.Microseconds()) / float64(r.requests)
}

// measure runs a phase and records the CPU time the server process pid
// and this process spent in it.
func measure(pid int, phase func() result) result {
	before, self := cpuTime(pid), cpuTime(0)
	r := phase()
	r.cpu = cpuTime(pid) - before
	r.loadCPU += cpuTime(0) - self // and the load's own, when another program sends it
	return r
}

func (r result) percentile(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(q * float64(len(r.latencies)-1))
	return r.latencies[i]
}

func (r result) p(q float64) string { return ms(r.percentile(q)) }

func ms(d time.Duration) string {
	if d >= time.Millisecond {
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%dµs", d.Microseconds())
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
	rec.addLocked(d, err)
}

func (rec *recorder) addLocked(d time.Duration, err error) {
	if err != nil {
		rec.errors++
		if len(rec.samples) < 5 {
			rec.samples = append(rec.samples, err.Error())
		}
		return
	}
	rec.latencies = append(rec.latencies, d)
}

// merge adds another recorder's figures, which nobody else writes to.
func (rec *recorder) merge(o *recorder) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.latencies = append(rec.latencies, o.latencies...)
	rec.errors += o.errors
	for _, s := range o.samples {
		if len(rec.samples) < 5 {
			rec.samples = append(rec.samples, s)
		}
	}
}

func (rec *recorder) result(elapsed time.Duration) result {
	slices.Sort(rec.latencies)
	n := len(rec.latencies) + rec.errors
	return result{requests: n, throughput: float64(n) / elapsed.Seconds(), latencies: rec.latencies, errors: rec.errors, samples: rec.samples}
}

// requestTimeout bounds one request of the load.
const requestTimeout = 10 * time.Second

// closedLoop keeps conns requests in flight for d, or until limit
// requests have been sent when limit is above 0: the most the server can
// take.
func closedLoop(t target, reqs []request, conns int, d time.Duration, limit int64) result {
	ps := prepare(t, reqs)
	all := &recorder{}
	var next atomic.Int64
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			rec := &recorder{}
			defer all.merge(rec)
			var c *conn
			defer func() {
				if c != nil {
					c.close()
				}
			}()
			for time.Now().Before(deadline) {
				n := next.Add(1)
				if limit > 0 && n > limit {
					return
				}
				p := &ps[int(n)%len(ps)]
				began := time.Now()
				if c == nil {
					var err error
					if c, err = dial(t.addr); err != nil {
						rec.addLocked(0, err)
						time.Sleep(10 * time.Millisecond)
						continue
					}
				}
				closed, err := c.do(p, began.Add(requestTimeout))
				rec.addLocked(time.Since(began), err)
				if closed {
					c.close()
					c = nil
				}
			}
		})
	}
	wg.Wait()
	return all.result(time.Since(start))
}

// openLoop sends rate requests a second for d, each at its scheduled time
// whatever the answers before it, over as many connections as are busy at
// once; latency counts from the scheduled time, so a stalled server shows
// in the percentiles instead of slowing the load.
func openLoop(t target, reqs []request, rate int, d time.Duration) result {
	ps := prepare(t, reqs)
	rec := &recorder{}
	idle := make(chan *conn, 1024)
	defer func() {
		close(idle)
		for c := range idle {
			c.close()
		}
	}()
	n := int(d.Seconds() * float64(rate))
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		at := start.Add(time.Duration(i) * interval)
		if wait := time.Until(at); wait > 0 {
			time.Sleep(wait)
		}
		p := &ps[i%len(ps)]
		wg.Go(func() {
			var c *conn
			select {
			case c = <-idle:
			default:
				var err error
				if c, err = dial(t.addr); err != nil {
					rec.add(time.Since(at), err)
					return
				}
			}
			closed, err := c.do(p, time.Now().Add(requestTimeout))
			rec.add(time.Since(at), err)
			if closed {
				c.close()
				return
			}
			select {
			case idle <- c:
			default:
				c.close()
			}
		})
	}
	wg.Wait()
	return rec.result(time.Since(start))
}

// send sends one request through a net/http client, as a load balancer
// would (the shutdown test), and checks the answer when check is set.
func send(client *http.Client, base string, check bool, r request) error {
	req, err := http.NewRequest("POST", base+r.path, bytes.NewReader(r.body))
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
	if check && !bytes.Contains(body, []byte(r.want)) {
		return fmt.Errorf("%s: unexpected answer: %.200s", r.path, body)
	}
	return nil
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

// waitListening waits until something accepts connections on addr.
func waitListening(addr string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

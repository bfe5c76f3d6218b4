package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// wrkLoop is closedLoop with wrk (-client wrk): 2 threads and conns
// connections for d, cycling through the requests, as the figures of
// issue 18 were measured. wrk costs less per request than any Go client,
// so on two shared cores it leaves more of them to the servers; it checks
// status codes only, not the answers.
func wrkLoop(t target, reqs []request, conns int, d time.Duration) result {
	script, err := wrkScript(t, reqs)
	if err != nil {
		return result{errors: 1, samples: []string{err.Error()}}
	}
	defer os.Remove(script)
	cmd := exec.Command("wrk", "-t2", "-c"+strconv.Itoa(conns), "-d"+strconv.Itoa(max(1, int(d.Seconds())))+"s",
		"-s", script, "http://"+t.addr)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return result{errors: 1, samples: []string{fmt.Sprintf("wrk: %v: %s", err, out)}}
	}
	r := result{loadCPU: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	total := regexp.MustCompile(`(\d+) requests in ([\d.]+)(\w+)`).FindSubmatch(out)
	if total == nil {
		return result{errors: 1, samples: []string{fmt.Sprintf("wrk said: %s", out)}}
	}
	r.requests, _ = strconv.Atoi(string(total[1]))
	elapsed, _ := time.ParseDuration(string(total[2]) + string(total[3]))
	if elapsed > 0 {
		r.throughput = float64(r.requests) / elapsed.Seconds()
	}
	if m := regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`).FindSubmatch(out); m != nil {
		r.errors, _ = strconv.Atoi(string(m[1]))
	}
	if m := regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`).FindSubmatch(out); m != nil {
		for _, n := range m[1:] {
			k, _ := strconv.Atoi(string(n))
			r.errors += k
		}
	}
	if r.errors > 0 {
		r.samples = []string{"wrk: " + strings.Join(strings.Fields(string(out)), " ")}
	}
	return r
}

// wrkScript writes the Lua script that has wrk send the requests in turn.
func wrkScript(t target, reqs []request) (string, error) {
	var b bytes.Buffer
	b.WriteString("local reqs = {}\ninit = function()\n")
	for _, r := range reqs {
		b.WriteString("  reqs[#reqs+1] = wrk.format(\"POST\", ")
		b.WriteString(strconv.Quote(t.prefix + r.path))
		fmt.Fprintf(&b, ", {[\"Content-Type\"] = %q", r.contentType)
		for k, vs := range r.header {
			fmt.Fprintf(&b, ", [%q] = %q", k, vs[0])
		}
		b.WriteString("}, ")
		b.WriteString(luaString(r.body))
		b.WriteString(")\n")
	}
	b.WriteString("end\nlocal i = 0\nrequest = function()\n  i = i + 1\n  return reqs[(i % #reqs) + 1]\nend\n")
	f, err := os.CreateTemp("", "loadtest-*.lua")
	if err != nil {
		return "", err
	}
	defer f.Close()
	_, err = f.Write(b.Bytes())
	return filepath.Clean(f.Name()), err
}

// luaString quotes b as a Lua string, every byte that is not printable
// ASCII escaped as \ddd.
func luaString(b []byte) string {
	var s strings.Builder
	s.WriteByte('"')
	for _, c := range b {
		switch {
		case c == '"' || c == '\\':
			s.WriteByte('\\')
			s.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			s.WriteByte(c)
		default:
			fmt.Fprintf(&s, "\\%03d", c)
		}
	}
	s.WriteByte('"')
	return s.String()
}

package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof" // the bare server's profiles (-profile), on a listener of their own
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

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
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		answer(w)
	})
	mux.HandleFunc("/signed/slack/commands", func(w http.ResponseWriter, r *http.Request) {
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
	mux.HandleFunc("/signed/discord/interactions", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		sig, _ := hex.DecodeString(r.Header.Get("X-Signature-Ed25519"))
		if len(key) != ed25519.PublicKeySize || !ed25519.Verify(key, append([]byte(r.Header.Get("X-Signature-Timestamp")), body...), sig) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		answer(w)
	})
	if pprofAddr := os.Getenv("LOADTEST_PPROF"); pprofAddr != "" {
		go http.ListenAndServe(pprofAddr, nil) // net/http/pprof's, on a listener of its own
	}
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "bare server:", err)
		os.Exit(1)
	}
}

// pprofSource is added to industrybot's main package when the load test
// profiles it (-profile): a build of the load test's own, never the
// product's, that serves net/http/pprof where LOADTEST_PPROF says.
const pprofSource = `package main

import (
	"net/http"
	_ "net/http/pprof"
	"os"
)

func init() {
	if addr := os.Getenv("LOADTEST_PPROF"); addr != "" {
		go http.ListenAndServe(addr, nil)
	}
}
`

// buildBot builds industrybot from the module in src into out, with
// net/http/pprof added through an overlay when profile is set.
func buildBot(src, out string, profile bool) error {
	args := []string{"build", "-o", out}
	if profile {
		dir := filepath.Dir(out)
		file := filepath.Join(dir, "pprof.go")
		if err := os.WriteFile(file, []byte(pprofSource), 0o644); err != nil {
			return err
		}
		abs, err := filepath.Abs(filepath.Join(src, "cmd", "industrybot", "zz_loadtest_pprof.go"))
		if err != nil {
			return err
		}
		overlay, _ := json.Marshal(map[string]map[string]string{"Replace": {abs: file}})
		ov := filepath.Join(dir, "overlay.json")
		if err := os.WriteFile(ov, overlay, 0o644); err != nil {
			return err
		}
		args = append(args, "-overlay", ov)
	}
	build := exec.Command("go", append(args, "./cmd/industrybot")...)
	build.Dir = src
	build.Env = append(os.Environ(), "CGO_ENABLED=0") // as README.md builds it
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building industrybot in %s: %w", src, err)
	}
	return nil
}

// baselineBinary returns the industrybot to compare with: bin itself when
// it names a file, else bin read as a git revision of this repository,
// extracted with git archive (the work tree is left alone) and built into
// dir.
func baselineBinary(bin, dir string, profile bool) (string, error) {
	if st, err := os.Stat(bin); err == nil && !st.IsDir() {
		return bin, nil
	}
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return "", err
	}
	archive := exec.Command("git", "archive", "--format=tar", bin)
	archive.Stderr = os.Stderr
	tar := exec.Command("tar", "-x", "-C", src)
	pipe, err := archive.StdoutPipe()
	if err != nil {
		return "", err
	}
	tar.Stdin = pipe
	tar.Stderr = os.Stderr
	if err := tar.Start(); err != nil {
		return "", err
	}
	if err := archive.Run(); err != nil {
		tar.Wait()
		return "", fmt.Errorf("-baseline %q is neither a file nor a git revision: %w", bin, err)
	}
	if err := tar.Wait(); err != nil {
		return "", err
	}
	out := filepath.Join(dir, "industrybot-baseline")
	return out, buildBot(src, out, profile)
}

// bot is a running `industrybot serve` in HTTP modes, with the secrets
// its requests are signed with.
type bot struct {
	dir    string
	addr   string
	pprof  string // where its profiles are served; "" when not built to
	secret string
	pub    ed25519.PublicKey
	priv   ed25519.PrivateKey
	cmd    *exec.Cmd
	log    *syncBuffer
}

// keys are the secrets every server of a run checks signatures with.
type keys struct {
	secret string
	pub    ed25519.PublicKey
	priv   ed25519.PrivateKey
}

func newKeys() keys {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return keys{randomHex(16), pub, priv}
}

// startBot starts serve of the industrybot at bin, building it first when
// bin is "", on a free port of 127.0.0.1 with the extra environment, and
// waits until it is ready.
func startBot(bin, store, cpus string, env ...string) (*bot, error) {
	return startBotKeys(bin, store, cpus, newKeys(), false, env...)
}

func startBotKeys(bin, store, cpus string, k keys, profile bool, env ...string) (*bot, error) {
	dir, err := os.MkdirTemp("", "industrybot-load")
	if err != nil {
		return nil, err
	}
	b := &bot{dir: dir, addr: freeAddr(), secret: k.secret, pub: k.pub, priv: k.priv, log: &syncBuffer{}}
	if bin == "" {
		bin = filepath.Join(dir, "industrybot")
		if err := buildBot(".", bin, profile); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("%w (run from the repository root)", err)
		}
	}
	if profile {
		b.pprof = freeAddr()
		env = append(env, "LOADTEST_PPROF="+b.pprof)
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

// profileCPU fetches a CPU profile of seconds from the net/http/pprof at
// addr into file while phase runs.
func profileCPU(addr, file string, seconds int, phase func()) error {
	got := make(chan error, 1)
	go func() {
		resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, seconds))
		if err != nil {
			got <- err
			return
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("pprof: HTTP %d: %s", resp.StatusCode, data)
		}
		if err == nil {
			err = os.WriteFile(file, data, 0o644)
		}
		got <- err
	}()
	phase()
	return <-got
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

// boltApp is the Bolt reference: Bolt for JavaScript in HTTP mode,
// checking every request's signature, acknowledging every command with a
// fixed reply. authorize answers without the Web API, which Bolt would
// otherwise call (auth.test) on the first request.
const boltApp = `const { App, LogLevel } = require('@slack/bolt');
const app = new App({
  signingSecret: process.env.LOADTEST_SLACK_SECRET,
  authorize: async () => ({ botToken: 'xoxb-loadtest', botId: 'B1', botUserId: 'U1', teamId: 'T1' }),
  endpoints: '/slack/commands',
  logLevel: LogLevel.ERROR,
});
app.command(/.*/, async ({ ack }) => {
  await ack({ response_type: 'in_channel', text: 'ok', blocks: [] });
});
(async () => {
  await app.start(Number(process.env.LOADTEST_PORT));
})();
`

// bolt is a running Bolt reference.
type bolt struct {
	dir     string
	addr    string
	version string
	cmd     *exec.Cmd
}

// startBolt runs the Bolt reference with node, installing @slack/bolt with
// npm into a temporary directory unless node finds it already. It returns
// why not when it cannot.
func startBolt(secret, cpus string) (*bolt, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("no node on PATH")
	}
	dir, err := os.MkdirTemp("", "industrybot-bolt")
	if err != nil {
		return nil, err
	}
	b := &bolt{dir: dir, addr: freeAddr()}
	fail := func(err error) (*bolt, error) { os.RemoveAll(dir); return nil, err }
	if err := os.WriteFile(filepath.Join(dir, "app.js"), []byte(boltApp), 0o644); err != nil {
		return fail(err)
	}
	resolve := func() ([]byte, error) {
		c := exec.Command(node, "-p", "require.resolve('@slack/bolt/package.json')")
		c.Dir = dir
		return c.Output()
	}
	out, err := resolve()
	if err != nil {
		npm, err := exec.LookPath("npm")
		if err != nil {
			return fail(fmt.Errorf("@slack/bolt is not installed and there is no npm to install it"))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		install := exec.CommandContext(ctx, npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "@slack/bolt")
		install.Dir = dir
		if msg, err := install.CombinedOutput(); err != nil {
			return fail(fmt.Errorf("npm install @slack/bolt failed: %v: %.300s", err, msg))
		}
		if out, err = resolve(); err != nil {
			return fail(fmt.Errorf("@slack/bolt installed but node cannot find it: %v", err))
		}
	}
	var pkg struct{ Version string }
	if data, err := os.ReadFile(strings.TrimSpace(string(out))); err == nil {
		json.Unmarshal(data, &pkg)
	}
	b.version = pkg.Version
	_, port, _ := net.SplitHostPort(b.addr)
	b.cmd = pinned(cpus, node, "app.js")
	b.cmd.Dir = dir
	b.cmd.Env = append(os.Environ(), "LOADTEST_SLACK_SECRET="+secret, "LOADTEST_PORT="+port, "NODE_ENV=production")
	b.cmd.Stderr = os.Stderr
	if err := b.cmd.Start(); err != nil {
		return fail(err)
	}
	if err := waitListening(b.addr, 20*time.Second); err != nil {
		b.stop()
		return nil, fmt.Errorf("Bolt did not start listening: %w", err)
	}
	return b, nil
}

func (b *bolt) stop() {
	b.cmd.Process.Kill()
	b.cmd.Wait()
	os.RemoveAll(b.dir)
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

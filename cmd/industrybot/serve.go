package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/industrybot/industrybot/adapters/prometheus"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/internal/httpbody"
)

func (e *env) serveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Serve Discord and Slack and the HTTP routes on http.addr until SIGINT or SIGTERM",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := e.app(cmd)
			if err != nil {
				return err
			}
			return a.serve(cmd.Context())
		},
	}
}

// server is what the platforms get to wire themselves into serve.
type server struct {
	*app
	bot    bot.Handler
	engine *bot.Engine // the bot's, for autocompletion
	mux    *http.ServeMux
	checks *readiness
	// bodies reads the bodies of the platforms' HTTP routes, a bounded
	// number of large ones at a time across all of them.
	bodies *httpbody.Reader
	// posters send daily picks; a platform adds itself when it has the
	// credentials to post (a Discord bot token, a Slack bot token).
	posters map[bot.Platform]bot.Poster
	// store is the store itself, not wrapped for metrics: it keeps the
	// installations of Slack's OAuth installs too.
	store bot.Store
	daily *bot.Scheduler
}

// component is a long-running part of serve, such as a gateway connection.
// run returns when ctx ends; an error from it stops serve.
type component struct {
	name string
	run  func(ctx context.Context) error
}

// platform is a chat adapter as serve wires it: Discord's and Slack's
// have the same shape.
type platform interface {
	// Run answers until ctx ends, then waits a little for the answers
	// still being sent.
	Run(ctx context.Context) error
	// Ready says whether the adapter can take commands (its connection is
	// up), for /readyz.
	Ready(ctx context.Context) error
	// Handler serves the adapter's HTTP routes, or is nil when its mode
	// has none.
	Handler() http.Handler
}

// wire mounts a platform's HTTP routes under prefix, or, when it has none
// and so holds a connection instead, makes /readyz ask whether that is up;
// and it returns the component that runs the platform.
func (s *server) wire(name, prefix string, p platform) component {
	if h := p.Handler(); h != nil {
		s.mux.Handle(prefix, h)
	} else {
		s.checks.add(name, p.Ready)
	}
	return component{name: name, run: p.Run}
}

// Timeouts of the HTTP server: a slow client cannot hold a connection, and
// shutdown waits this long for requests in flight.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 15 * time.Second
	writeTimeout      = 15 * time.Second
	idleTimeout       = 120 * time.Second
	shutdownTimeout   = 15 * time.Second
)

// serveGCPercent is serve's GOGC unless the environment sets one. The
// bot's live heap is small (about 2 MB: the catalog's indexes), so at
// Go's default of 100 the collector runs whenever 2–3 MB more are
// allocated: about 40 times a second at full load, each cycle costing
// some 4 ms of CPU, 12% of what a request costs. At 200 it runs half as
// often, for some 4 MB more heap under load and none at rest (the load
// test: Slack /why 45 → 39 µs of CPU a request; at 400, 39 µs for 8 MB).
const serveGCPercent = 200

// tuneGC sets serveGCPercent unless GOGC is set, as lookup reads the
// environment, and returns the percent the collector runs at.
func tuneGC(lookup func(string) (string, bool)) int {
	if _, set := lookup("GOGC"); set {
		p := debug.SetGCPercent(-1) // read it back: the runtime parsed GOGC
		debug.SetGCPercent(p)
		return p
	}
	debug.SetGCPercent(serveGCPercent)
	return serveGCPercent
}

func (a *app) serve(ctx context.Context) error {
	tuneGC(os.LookupEnv)
	cat, err := a.catalog()
	if err != nil {
		return err
	}
	engine := a.engine(cat)
	metrics := prometheus.New()
	// The database may be starting next to the bot: wait a little for it.
	raw, err := a.openServeStore(ctx, 30*time.Second, "industrybot serve on "+a.cfg.HTTPAddr)
	if err != nil {
		return err
	}
	defer raw.Close()
	store := metrics.Store(raw)
	ln, err := net.Listen("tcp", a.cfg.HTTPAddr)
	if err != nil {
		return &ConfigError{"http.addr", fmt.Sprintf("%q cannot be listened on: %v", a.cfg.HTTPAddr, errors.Unwrap(err))}
	}
	defer ln.Close()
	posters := map[bot.Platform]bot.Poster{}
	sched := a.scheduler(store, cat, posters, owner(ln.Addr().String()))
	b := bot.New(bot.Config{Engine: engine, Memory: store, Daily: sched, Logger: a.log, Admins: adminsFor(a.cfg)})
	s := &server{app: a, bot: metrics.Bot(b), engine: engine, mux: http.NewServeMux(), checks: newReadiness(a.log), bodies: httpbody.New(0), posters: posters,
		store: raw, daily: sched}
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	s.mux.Handle("GET /readyz", s.checks)
	s.mux.Handle("GET /metrics", metrics.Handler())
	s.checks.add("store", store.Ping)

	var comps []component
	for _, platform := range []func(*server) ([]component, error){discordComponents, slackComponents} {
		c, err := platform(s)
		if err != nil {
			return err
		}
		comps = append(comps, c...)
	}
	for p, poster := range posters {
		posters[p] = metrics.Poster(p, poster)
	}
	if err := sched.Sync(ctx, a.configuredSubscriptions()); err != nil {
		return fmt.Errorf("daily.channels: storing the configured subscriptions: %w", err)
	}
	for _, c := range a.cfg.Daily.Channels {
		if _, ok := posters[bot.Platform(c.Platform)]; !ok {
			a.log.Warn("daily.channels names a channel on a platform that cannot post: set its bot token", "platform", c.Platform, "channel", c.Channel)
		}
	}
	comps = append(comps, component{"daily picks", sched.Run})

	srv := &http.Server{
		Handler:           recoverPanics(a.log, s.checks.closing(metrics.HTTP(s.mux))),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	// The components run until the HTTP server has drained, not until the
	// signal: answers started during the shutdown delay and the drain may
	// still need them (a Slack press answered in the background, a Discord
	// follow-up). A component that fails ends serve.
	stop := ctx
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancel(nil)
	var wg sync.WaitGroup
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	for _, c := range comps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.run(ctx); err != nil && ctx.Err() == nil {
				cancel(fmt.Errorf("%s: %w", c.name, err))
			}
		}()
	}
	a.log.Info("serving", "addr", ln.Addr().String(), "discord", a.cfg.Discord.On(), "slack", a.cfg.Slack.On())
	// What starting left behind (the catalog parsed and indexed, the
	// configuration read, the store migrated) is garbage now: collect it
	// and give its pages back at once, not over minutes as the runtime's
	// scavenger would. With a large catalog that is hundreds of MB.
	debug.FreeOSMemory()
	if !a.cfg.Discord.On() && !a.cfg.Slack.On() {
		a.log.Warn(noPlatform)
	}
	if a.listening != nil {
		a.listening(ln.Addr())
	}
	select {
	case <-stop.Done():
		a.lameDuck(ctx, s.checks, serveErr, cancel)
	case <-ctx.Done():
	case err := <-serveErr:
		cancel(err)
	}
	a.log.Info("shutting down: draining requests in flight")
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer scancel()
	shutErr := srv.Shutdown(sctx)
	if errors.Is(shutErr, context.DeadlineExceeded) {
		// A slow command answers from its request's handler; one still
		// running now loses its follow-up. That is worth a warning, not a
		// failed stop.
		a.log.Warn("stopped with requests in flight: their answers may not arrive", "waited", shutdownTimeout)
		shutErr = nil
	}
	cause := context.Cause(ctx)
	cancel(nil)
	wg.Wait()
	if cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	if shutErr != nil {
		return fmt.Errorf("shutdown: %w", shutErr)
	}
	a.log.Info("stopped")
	return nil
}

// noPlatform is what serve says when no platform is configured: which
// settings turn one on.
const noPlatform = "no platform is configured, so only /healthz, /readyz and /metrics answer: " +
	"for Discord set INDUSTRYBOT_DISCORD_TOKEN (gateway) or INDUSTRYBOT_DISCORD_PUBLIC_KEY with discord.mode http; " +
	"for Slack set INDUSTRYBOT_SLACK_APP_TOKEN and INDUSTRYBOT_SLACK_BOT_TOKEN (Socket Mode), INDUSTRYBOT_SLACK_SIGNING_SECRET with slack.mode http, " +
	"or slack.client_id for installs through OAuth; the README's “Put it on Discord” and “Put it on Slack” have the steps"

// lameDuck is the first part of a shutdown asked for by a signal: /readyz
// answers 503 at once, so a load balancer takes this process out of its
// pool, while every route goes on answering for http.shutdown_delay. The
// listener closing at once instead would reset the requests the balancer
// still sends in the seconds it takes to notice, and those queued on its
// idle keep-alive connections. Answers given meanwhile close their
// connection, so that the balancer's next request opens a new one, to a
// process that stays. A failing component or listener ends the delay.
func (a *app) lameDuck(ctx context.Context, checks *readiness, serveErr <-chan error, cancel context.CancelCauseFunc) {
	checks.shutDown()
	d := a.cfg.ShutdownDelay
	if d <= 0 {
		return
	}
	a.log.Info("shutting down: /readyz answers 503; still serving for http.shutdown_delay so load balancers stop sending", "delay", d)
	after := time.After
	if a.after != nil {
		after = a.after
	}
	select {
	case <-after(d):
	case <-ctx.Done():
	case err := <-serveErr:
		cancel(err)
	}
}

// recoverPanics answers a request whose handler panicked with a 500 and
// logs the panic, instead of dropping the connection without a word.
func recoverPanics(log *slog.Logger, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.Error("HTTP handler panicked", "route", r.Pattern, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// readiness answers /readyz: 200 when every check passes, 503 when one
// fails or serve is shutting down. The answer names the parts that are
// down and nothing more: /readyz shares its port with the public routes,
// and an error can carry a database's host, name and user. The errors go
// to the log, each once until it changes.
type readiness struct {
	log      *slog.Logger
	stopping atomic.Bool

	mu     sync.Mutex
	checks []check
	logged map[string]string // check name → the error last logged for it
}

type check struct {
	name string
	fn   func(ctx context.Context) error
}

func newReadiness(log *slog.Logger) *readiness {
	return &readiness{log: log, logged: map[string]string{}}
}

// add registers a check, such as "the gateway is connected".
func (r *readiness) add(name string, fn func(ctx context.Context) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checks = append(r.checks, check{name, fn})
}

// shutDown turns /readyz to 503 for good.
func (r *readiness) shutDown() { r.stopping.Store(true) }

// closing makes every answer close its connection once serve is shutting
// down, so that clients open their next request elsewhere.
func (r *readiness) closing(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if r.stopping.Load() {
			w.Header().Set("Connection", "close")
		}
		h.ServeHTTP(w, req)
	})
}

func (r *readiness) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if r.stopping.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "not ready: shutting down")
		return
	}
	r.mu.Lock()
	checks := append([]check(nil), r.checks...)
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(req.Context(), 2*time.Second)
	defer cancel()
	var failed []string
	for _, c := range checks {
		err := c.fn(ctx)
		r.note(c.name, err)
		if err != nil {
			failed = append(failed, c.name)
		}
	}
	if len(failed) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "not ready: "+strings.Join(failed, ", "))
		return
	}
	fmt.Fprintln(w, "ready")
}

// note logs a check's error when it differs from the last one logged, and
// its recovery.
func (r *readiness) note(name string, err error) {
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	r.mu.Lock()
	last := r.logged[name]
	r.logged[name] = msg
	r.mu.Unlock()
	switch {
	case msg == last:
	case err != nil:
		r.log.Warn("not ready", "part", name, "err", err)
	default:
		r.log.Info("ready again", "part", name)
	}
}

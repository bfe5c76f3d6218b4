package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/industrybot/industrybot/adapters/prometheus"
	"github.com/industrybot/industrybot/bot"
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
	// posters send daily picks; a platform adds itself when it has the
	// credentials to post (a Discord bot token, a Slack bot token).
	posters map[bot.Platform]bot.Poster
}

// component is a long-running part of serve, such as a gateway connection.
// run returns when ctx ends; an error from it stops serve.
type component struct {
	name string
	run  func(ctx context.Context) error
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

func (a *app) serve(ctx context.Context) error {
	cat, err := a.catalog()
	if err != nil {
		return err
	}
	engine := bot.NewEngine(cat)
	metrics := prometheus.New()
	// The database may be starting next to the bot: wait a little for it.
	raw, err := a.openStore(ctx, 30*time.Second)
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
	sched := a.scheduler(store, engine, posters, owner(ln.Addr().String()))
	b := bot.New(bot.Config{Engine: engine, Memory: store, Daily: sched, Logger: a.log})
	s := &server{app: a, bot: metrics.Bot(b), engine: engine, mux: http.NewServeMux(), checks: &readiness{}, posters: posters}
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
		Handler:           recoverPanics(a.log, metrics.HTTP(s.mux)),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	ctx, cancel := context.WithCancelCause(ctx)
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
	if a.listening != nil {
		a.listening(ln.Addr())
	}
	select {
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
	wg.Wait()
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	if shutErr != nil {
		return fmt.Errorf("shutdown: %w", shutErr)
	}
	a.log.Info("stopped")
	return nil
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

// readiness answers /readyz: ready when every check passes.
type readiness struct {
	mu     sync.Mutex
	checks []check
}

type check struct {
	name string
	fn   func(ctx context.Context) error
}

// add registers a check, such as "the gateway is connected".
func (r *readiness) add(name string, fn func(ctx context.Context) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checks = append(r.checks, check{name, fn})
}

func (r *readiness) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	checks := append([]check(nil), r.checks...)
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(req.Context(), 2*time.Second)
	defer cancel()
	var failed []string
	for _, c := range checks {
		if err := c.fn(ctx); err != nil {
			failed = append(failed, c.name+": "+err.Error())
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if len(failed) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "not ready: "+strings.Join(failed, "; "))
		return
	}
	fmt.Fprintln(w, "ready")
}

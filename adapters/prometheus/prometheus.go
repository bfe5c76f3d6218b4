// Package prometheus measures the bot for Prometheus: commands by platform,
// command and outcome, answer latency, daily posts, store errors and HTTP
// requests, served at /metrics.
package prometheus

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/industrybot/industrybot/bot"
)

// Metrics holds the bot's metrics on a registry of their own.
type Metrics struct {
	reg         *prom.Registry
	commands    *prom.CounterVec
	latency     *prom.HistogramVec
	posts       *prom.CounterVec
	retries     *prom.CounterVec
	storeErrors *prom.CounterVec
	requests    *prom.CounterVec
	reqLatency  *prom.HistogramVec

	// The series every answer and request counts in, by their labels, so
	// that a request finds them with one lookup instead of hashing its
	// labels into four vectors. Both label sets are bounded, as the
	// vectors are: a command outside the core's table counts as unknown,
	// and a route is a pattern of the server's.
	byCommand sync.Map // commandLabels → *commandSeries
	byRoute   sync.Map // routeLabels → *routeSeries
}

type commandLabels struct{ platform, command string }

type commandSeries struct {
	latency               prom.Observer
	ok, rejected, failure prom.Counter
}

type routeLabels struct {
	route string
	code  int
}

type routeSeries struct {
	requests prom.Counter
	latency  prom.Observer
}

func (m *Metrics) command(l commandLabels) *commandSeries {
	if s, ok := m.byCommand.Load(l); ok {
		return s.(*commandSeries)
	}
	s, _ := m.byCommand.LoadOrStore(l, &commandSeries{
		latency:  m.latency.WithLabelValues(l.platform, l.command),
		ok:       m.commands.WithLabelValues(l.platform, l.command, "ok"),
		rejected: m.commands.WithLabelValues(l.platform, l.command, "rejected"),
		failure:  m.commands.WithLabelValues(l.platform, l.command, "error"),
	})
	return s.(*commandSeries)
}

func (m *Metrics) route(l routeLabels) *routeSeries {
	if s, ok := m.byRoute.Load(l); ok {
		return s.(*routeSeries)
	}
	s, _ := m.byRoute.LoadOrStore(l, &routeSeries{
		requests: m.requests.WithLabelValues(l.route, strconv.Itoa(l.code)),
		latency:  m.reqLatency.WithLabelValues(l.route),
	})
	return s.(*routeSeries)
}

// New returns the metrics, with the Go runtime's and the process's.
func New() *Metrics {
	m := &Metrics{
		reg: prom.NewRegistry(),
		commands: prom.NewCounterVec(prom.CounterOpts{
			Name: "industrybot_commands_total",
			Help: "Commands answered, by platform, command and outcome (ok, rejected: the user's input could not be answered as asked, error: the bot failed).",
		}, []string{"platform", "command", "outcome"}),
		latency: prom.NewHistogramVec(prom.HistogramOpts{
			Name:    "industrybot_command_duration_seconds",
			Help:    "Time the core took to answer a command.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"platform", "command"}),
		posts: prom.NewCounterVec(prom.CounterOpts{
			Name: "industrybot_daily_posts_total",
			Help: "Daily posts by platform and result: sent, missed (too late), failed (permanently; the subscription is paused), pending (a failure the platform answered, left for the next tick), unknown (the platform's answer was lost and the post could not be looked for: it may or may not be in the channel, and is not sent again).",
		}, []string{"platform", "result"}),
		retries: prom.NewCounterVec(prom.CounterOpts{
			Name: "industrybot_daily_post_retries_total",
			Help: "Daily post attempts that failed transiently and were retried.",
		}, []string{"platform"}),
		storeErrors: prom.NewCounterVec(prom.CounterOpts{
			Name: "industrybot_store_errors_total",
			Help: "Store calls that failed, by operation.",
		}, []string{"op"}),
		requests: prom.NewCounterVec(prom.CounterOpts{
			Name: "industrybot_http_requests_total",
			Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		reqLatency: prom.NewHistogramVec(prom.HistogramOpts{
			Name:    "industrybot_http_request_duration_seconds",
			Help:    "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
	}
	m.reg.MustRegister(m.commands, m.latency, m.posts, m.retries, m.storeErrors, m.requests, m.reqLatency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry the metrics are on.
func (m *Metrics) Registry() *prom.Registry { return m.reg }

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Bot measures every command h answers.
func (m *Metrics) Bot(h bot.Handler) bot.Handler { return &handler{h, m} }

type handler struct {
	next bot.Handler
	m    *Metrics
}

var failure = bot.Failure().Error

func (h *handler) Handle(ctx context.Context, req bot.Request) bot.Reply {
	start := time.Now()
	r := h.next.Handle(ctx, req)
	platform, command := string(req.Platform), req.Command
	switch command {
	case bot.CmdRecommend, bot.CmdWhy, bot.CmdRandom, bot.CmdHelp, bot.CmdDaily:
	default:
		command = "unknown" // keep the label set bounded
	}
	s := h.m.command(commandLabels{platform, command})
	s.latency.Observe(time.Since(start).Seconds())
	switch {
	case r.Error == failure:
		s.failure.Inc()
	case r.Error != "":
		s.rejected.Inc()
	default:
		s.ok.Inc()
	}
	return r
}

// Poster counts a platform's transient post failures, which the scheduler
// retries.
func (m *Metrics) Poster(platform bot.Platform, p bot.Poster) bot.Poster {
	return &poster{p, m.retries.WithLabelValues(string(platform))}
}

type poster struct {
	next    bot.Poster
	retries prom.Counter
}

func (p *poster) Post(ctx context.Context, channel, key string, r bot.Reply) error {
	err := p.next.Post(ctx, channel, key, r)
	var perr *bot.PostError
	if err != nil && !(errors.As(err, &perr) && perr.Permanent) {
		p.retries.Inc()
	}
	return err
}

func (p *poster) Look(ctx context.Context, channel, key string, since time.Time) (bool, error) {
	return p.next.Look(ctx, channel, key, since)
}

func (p *poster) Dedup() time.Duration { return p.next.Dedup() }

// HTTP measures the requests h serves, labelled by the ServeMux pattern
// that matched them.
func (m *Metrics) HTTP(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		s := m.route(routeLabels{route, sw.code})
		s.requests.Inc()
		s.latency.Observe(time.Since(start).Seconds())
	})
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

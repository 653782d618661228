// Package ops provides what an operator probes: the Prometheus metrics every part of
// mentorbot records into, and the /healthz, /readyz and /metrics endpoints.
package ops

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are mentorbot's collectors, all prefixed mentorbot_, in a registry of their
// own so tests can make as many as they like.
type Metrics struct {
	Registry *prometheus.Registry

	// Commands counts slash commands by command ("/mentor help") and outcome
	// ("ok", "invalid", "forbidden", "error", "panic").
	Commands *prometheus.CounterVec
	// Envelopes counts Socket Mode envelopes by type and outcome ("handled", "duplicate").
	Envelopes *prometheus.CounterVec
	// AckLatency is the time from reading an envelope to writing its ack, by type.
	AckLatency *prometheus.HistogramVec
	// APICalls counts Web API calls by method and outcome ("ok", a Slack error name,
	// "rate_limited", "http_<status>", "transport_error").
	APICalls *prometheus.CounterVec
	// Sends counts queued messages (intros, notices, check-ins) by kind and outcome
	// ("sent", "already_sent", "rate_limited", "retry", "failed").
	Sends *prometheus.CounterVec
	// RateLimit is the rate each Slack method is paced at, learned from Slack's 429s,
	// in calls per second (absent while a method is unpaced).
	RateLimit *prometheus.GaugeVec
	// DirectoryFailures counts reads of Slack's directory of people (users.list pages
	// for a fan-out's away check, users.info lookups) that failed: each failed away
	// check leaves the people it was about for the scheduler's next tick.
	DirectoryFailures prometheus.Counter
	// ErasuresFailed counts erasures that could not be finished at once (the file
	// could not be rewritten, say); they are retried. ErasuresPending is how many
	// wait: alert when it stays above 0.
	ErasuresFailed  prometheus.Counter
	ErasuresPending prometheus.Gauge
	// Reconnects counts Socket Mode connections after the first.
	Reconnects prometheus.Counter
	// Panics counts handler panics that were recovered.
	Panics prometheus.Counter
	// Connected is 1 while the Socket Mode connection is up.
	Connected prometheus.Gauge
}

// NewMetrics registers mentorbot's collectors plus the Go and process collectors.
func NewMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f := promauto.With(reg)
	return &Metrics{
		Registry: reg,
		Commands: f.NewCounterVec(prometheus.CounterOpts{
			Name: "mentorbot_commands_total", Help: "Slash commands by command and outcome.",
		}, []string{"command", "outcome"}),
		Envelopes: f.NewCounterVec(prometheus.CounterOpts{
			Name: "mentorbot_envelopes_total", Help: "Socket Mode envelopes by type and outcome.",
		}, []string{"type", "outcome"}),
		AckLatency: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "mentorbot_ack_latency_seconds",
			Help:    "Time from reading a Socket Mode envelope to acknowledging it (Slack allows 3 s).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2, 3},
		}, []string{"type"}),
		APICalls: f.NewCounterVec(prometheus.CounterOpts{
			Name: "mentorbot_slack_api_calls_total", Help: "Slack Web API calls by method and outcome.",
		}, []string{"method", "outcome"}),
		Sends: f.NewCounterVec(prometheus.CounterOpts{
			Name: "mentorbot_messages_total", Help: "Queued messages by kind and outcome.",
		}, []string{"kind", "outcome"}),
		RateLimit: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "mentorbot_slack_rate_limit", Help: "Calls per second each Slack method is paced at, learned from 429s.",
		}, []string{"method"}),
		DirectoryFailures: f.NewCounter(prometheus.CounterOpts{
			Name: "mentorbot_directory_failures_total", Help: "Reads of Slack's directory of people (users.list, users.info) that failed.",
		}),
		ErasuresFailed: f.NewCounter(prometheus.CounterOpts{
			Name: "mentorbot_erasures_failed_total", Help: "Erasures that could not be finished at once and are retried.",
		}),
		ErasuresPending: f.NewGauge(prometheus.GaugeOpts{
			Name: "mentorbot_erasures_pending", Help: "Erasures asked for and not yet finished (file rewrite included).",
		}),
		Reconnects: f.NewCounter(prometheus.CounterOpts{
			Name: "mentorbot_socket_reconnects_total", Help: "Socket Mode connections after the first.",
		}),
		Panics: f.NewCounter(prometheus.CounterOpts{
			Name: "mentorbot_handler_panics_total", Help: "Handler panics recovered.",
		}),
		Connected: f.NewGauge(prometheus.GaugeOpts{
			Name: "mentorbot_socket_connected", Help: "1 while the Socket Mode connection is up.",
		}),
	}
}

// ReadyFunc reports why the process cannot serve yet, or nil when it can. It should
// return soon after ctx ends.
type ReadyFunc func(ctx context.Context) error

// ReadyTimeout is how long /readyz waits for its ReadyFunc: a probe must be answered
// (within a second) even while the database is busy, and a check that has not
// finished by then is itself the answer: not ready.
const ReadyTimeout = 500 * time.Millisecond

// Handler serves /healthz (200 while the process runs), /readyz (200 when ready, else
// 503 with the reason) and /metrics (Prometheus text format).
func Handler(m *Metrics, ready ReadyFunc) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), ReadyTimeout)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		// The answer does not wait for a ReadyFunc that ignores ctx; one that heeds it
		// has a moment to say why it gave up.
		done := make(chan error, 1)
		go func() { done <- ready(ctx) }()
		grace := time.NewTimer(ReadyTimeout + 100*time.Millisecond)
		defer grace.Stop()
		var err error
		select {
		case err = <-done:
		case <-grace.C:
			err = fmt.Errorf("the readiness check did not finish within %v", ReadyTimeout)
		}
		if err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("not ready: " + err.Error() + "\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry}))
	return mux
}

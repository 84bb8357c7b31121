package api

import (
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics, in a registry of their own
// so that servers in one process (tests) do not share counters.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(limits *rateLimiter, pools DBPools) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coalition_http_requests_total",
			Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "coalition_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by method and route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"method", "route"}),
	}
	m.registry.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for kind, b := range map[string]*buckets{"anonymous": limits.anonymous, "key": limits.key} {
		m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "coalition_rate_limit_clients",
			Help:        "Callers (client addresses, or API keys) whose rate-limit bucket this process keeps, by kind.",
			ConstLabels: prometheus.Labels{"kind": kind},
		}, func() float64 { return float64(b.len()) }))
	}
	if pools != nil {
		// go_sql_* with the pool's name as db_name, read at each scrape.
		for name, db := range pools.Pools() {
			m.registry.MustRegister(collectors.NewDBStatsCollector(db, name))
		}
	}
	return m
}

// middleware counts and times every request by its route pattern (never
// the raw path, which would make one series per organization). It hands
// errors to the error handler itself, so that the status it counts is the
// one sent, and every error is handled exactly once; a request whose client
// went away before its answer was complete counts (and is logged) as 499.
func (m *metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		switch {
		case err != nil:
			c.Error(err) // write the problem now, so its status is counted
		case clientGone(c, nil):
			// A handler that ignores a failed write (a file server) ends as
			// if it had answered; net/http cancels the request when a write
			// to its connection fails or the client closes it.
			c.Response().Status = statusClientClosedRequest
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		status := strconv.Itoa(c.Response().Status)
		m.requests.WithLabelValues(c.Request().Method, route, status).Inc()
		m.duration.WithLabelValues(c.Request().Method, route).Observe(time.Since(start).Seconds())
		return nil
	}
}

// handleMetrics serves the metrics for Prometheus.
//
//	@Summary		Prometheus metrics
//	@Description	Request counts and latencies by route; the database's connection pools (go_sql_*, labelled db_name: write, read, export); the callers whose rate-limit buckets are kept; Go runtime and process metrics. In the Prometheus text format.
//	@ID				getMetrics
//	@Tags			operations
//	@Produce		plain,application/problem+json
//	@Success		200	{string}	string	"Metrics in the Prometheus text format"
//	@Failure		413	{object}	Problem	"The request body is over 1 MiB"
//	@Failure		500	{object}	Problem	"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Router			/metrics [get]
func handleMetrics(m *metrics) echo.HandlerFunc {
	// The Gzip middleware compresses; promhttp must not do it a second time.
	h := promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{DisableCompression: true})
	return func(c echo.Context) error {
		h.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}

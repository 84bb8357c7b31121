package api

import (
	"database/sql"
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
		m.registry.MustRegister(newPoolCollector(pools))
	}
	return m
}

// poolCollector reports the statistics of the database's connection
// pools, read at each scrape, under the names and help of client_golang's
// collectors.NewDBStatsCollector (go_sql_*), so that dashboards made for it
// work; its db_name label is the pool's name.
type poolCollector struct {
	pools DBPools
	descs []poolDesc
}

// poolDesc is one series of a pool and how to read it.
type poolDesc struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(sql.DBStats) float64
}

func newPoolCollector(pools DBPools) *poolCollector {
	d := func(name, help string, kind prometheus.ValueType, value func(sql.DBStats) float64) poolDesc {
		return poolDesc{prometheus.NewDesc("go_sql_"+name, help, []string{"db_name"}, nil), kind, value}
	}
	gauge, counter := prometheus.GaugeValue, prometheus.CounterValue
	return &poolCollector{pools: pools, descs: []poolDesc{
		d("max_open_connections", "Maximum number of open connections to the database.", gauge,
			func(s sql.DBStats) float64 { return float64(s.MaxOpenConnections) }),
		d("open_connections", "The number of established connections both in use and idle.", gauge,
			func(s sql.DBStats) float64 { return float64(s.OpenConnections) }),
		d("in_use_connections", "The number of connections currently in use.", gauge,
			func(s sql.DBStats) float64 { return float64(s.InUse) }),
		d("idle_connections", "The number of idle connections.", gauge,
			func(s sql.DBStats) float64 { return float64(s.Idle) }),
		d("wait_count_total", "The total number of connections waited for.", counter,
			func(s sql.DBStats) float64 { return float64(s.WaitCount) }),
		d("wait_duration_seconds_total", "The total time blocked waiting for a new connection.", counter,
			func(s sql.DBStats) float64 { return s.WaitDuration.Seconds() }),
		d("max_idle_closed_total", "The total number of connections closed due to SetMaxIdleConns.", counter,
			func(s sql.DBStats) float64 { return float64(s.MaxIdleClosed) }),
		d("max_idle_time_closed_total", "The total number of connections closed due to SetConnMaxIdleTime.", counter,
			func(s sql.DBStats) float64 { return float64(s.MaxIdleTimeClosed) }),
		d("max_lifetime_closed_total", "The total number of connections closed due to SetConnMaxLifetime.", counter,
			func(s sql.DBStats) float64 { return float64(s.MaxLifetimeClosed) }),
	}}
}

// Describe implements prometheus.Collector.
func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d.desc
	}
}

// Collect implements prometheus.Collector: it reads every pool's
// statistics now.
func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	for name, stats := range c.pools.PoolStats() {
		for _, d := range c.descs {
			ch <- prometheus.MustNewConstMetric(d.desc, d.kind, d.value(stats), name)
		}
	}
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

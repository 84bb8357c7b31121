package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkServeLoad is a load test: it starts `coalition serve` on
// 127.0.0.1 with the demo directory and sends b.N requests from 8
// concurrent clients, a mix of what partners and frontends ask (lists,
// filters, searches in Russian, one organization, reference data). It
// reports throughput and latency percentiles. Only loopback is targeted,
// and the request count is bounded by b.N.
//
//	go test ./cmd/coalition -run '^$' -bench ServeLoad -benchtime 20000x
func BenchmarkServeLoad(b *testing.B) {
	base, stop := startServe(b, nil, "--db", filepath.Join(b.TempDir(), "load.db"), "--log-level", "error")
	defer stop()
	paths := []string{
		"/api/v1/organizations",
		"/api/v1/organizations?country=RU&focus_area=shelter,hotline",
		"/api/v1/organizations?q=" + url.QueryEscape("центр помощи"),
		"/api/v1/organizations?q=" + url.QueryEscape("приют") + "&lang=en",
		"/api/v1/organizations?region=RU-NIZ&per_page=5",
		"/api/v1/organizations/nadezhda-nizhny-novgorod",
		"/api/v1/focus-areas",
		"/api/v1/countries/RU/regions",
		"/api/v1/stats",
	}
	const clients = 8
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	latencies := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				t0 := time.Now()
				res, err := client.Get(base + paths[i%len(paths)])
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					b.Errorf("%s: %d", paths[i%len(paths)], res.StatusCode)
					return
				}
				latencies[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	if testing.Verbose() {
		fmt.Printf("%d requests in %v\n", b.N, elapsed)
	}
}

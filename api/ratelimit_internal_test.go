package api

import (
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// BenchmarkRateLimit measures what the limiter adds to a request: taking
// from the bucket of one of n clients, from every core at once. With 1,000
// clients every bucket is kept; with 100,000, more than the buckets kept,
// each is forgotten before its client comes again and made anew.
func BenchmarkRateLimit(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(strconv.Itoa(n)+"-clients", func(b *testing.B) {
			bk, err := newBuckets(Rate{PerSecond: 10, Burst: 20}, defaultMaxClients)
			if err != nil {
				b.Fatal(err)
			}
			clients := make([]string, n)
			for i := range clients {
				clients[i] = clientOf("10." + strconv.Itoa(i>>16&255) + "." + strconv.Itoa(i>>8&255) + "." + strconv.Itoa(i&255))
			}
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					bk.take(clients[i%n], time.Now())
					i += 7919 // a prime: the clients come in a scattered order
				}
			})
		})
	}
}

// BenchmarkRateLimitMemory reports the memory the buckets hold when full:
// defaultMaxClients IPv6 clients (the longer names), in bytes per bucket.
func BenchmarkRateLimitMemory(b *testing.B) {
	for range b.N {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		bk, err := newBuckets(Rate{PerSecond: 10, Burst: 20}, defaultMaxClients)
		if err != nil {
			b.Fatal(err)
		}
		now := time.Now()
		for i := range defaultMaxClients {
			bk.take(clientOf(fmt.Sprintf("2001:db8:%x:%x::1", i>>16, i&0xffff)), now)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(bk.len()), "B/bucket")
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB")
		runtime.KeepAlive(bk)
	}
}

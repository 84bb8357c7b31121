package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/directory"
)

// slowRate refills one request an hour: within a test, a bucket's burst is
// all it has.
const slowRate = 1.0 / 3600

// wantTooMany fails the test unless r is a 429 problem whose Retry-After
// is the whole seconds until an emptied bucket at slowRate has a request
// again: an hour, less the little time the test has taken.
func wantTooMany(t *testing.T, r response) {
	t.Helper()
	wantStatus(t, r, http.StatusTooManyRequests)
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("429 sent as %q", ct)
	}
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || secs < 3000 || secs > 3600 {
		t.Errorf("Retry-After %q: want whole seconds, about 3600", r.Header.Get("Retry-After"))
	}
	var p api.Problem
	if err := json.Unmarshal(r.body, &p); err != nil || p.Status != http.StatusTooManyRequests || p.Detail == "" {
		t.Errorf("429 body is not a 429 problem: %s", r.body)
	}
}

func TestAnonymousRateLimit(t *testing.T) {
	t.Parallel()
	s := newTestServerWith(t, searchFixtures(), api.Options{RateLimits: api.RateLimits{
		Anonymous: api.Rate{PerSecond: slowRate, Burst: 3},
	}})
	partner := s.key(directory.RolePartner)
	for i := range 3 {
		wantStatus(t, s.get(fmt.Sprintf("/api/v1/organizations?page=%d", i+1)), http.StatusOK)
	}
	wantTooMany(t, s.get("/api/v1/organizations"))
	wantTooMany(t, s.get("/api/v1/countries/RU")) // the bucket is the client's, not the route's
	wantTooMany(t, s.get("/openapi.yaml"))

	// A key holder from the same address is unaffected: keys have buckets
	// of their own (and no limit here).
	for range 5 {
		wantStatus(t, s.do(http.MethodGet, "/api/v1/organizations", bearer(partner), nil), http.StatusOK)
	}
	// A key that fails counts as anonymous: guessing keys is limited too.
	wantTooMany(t, s.do(http.MethodGet, "/api/v1/organizations", bearer("not-a-key"), nil))
	// Operators' probes are never limited.
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		wantStatus(t, s.get(path), http.StatusOK)
	}
	metrics := s.get("/metrics")
	if !strings.Contains(string(metrics.body), `coalition_http_requests_total{method="GET",route="/api/v1/organizations",status="429"} 2`) {
		t.Errorf("/metrics does not count the 429")
	}
}

func TestKeyRateLimit(t *testing.T) {
	t.Parallel()
	s := newTestServerWith(t, searchFixtures(), api.Options{RateLimits: api.RateLimits{
		Anonymous: api.Rate{PerSecond: slowRate, Burst: 2},
		Key:       api.Rate{PerSecond: slowRate, Burst: 2},
	}})
	first, second := s.key(directory.RolePartner), s.key(directory.RoleEditor)
	for range 2 {
		wantStatus(t, s.do(http.MethodGet, "/api/v1/stats", bearer(first), nil), http.StatusOK)
	}
	wantTooMany(t, s.do(http.MethodGet, "/api/v1/stats", bearer(first), nil))
	// Another key, and anonymous callers, have their own buckets.
	for range 2 {
		wantStatus(t, s.do(http.MethodGet, "/api/v1/stats", bearer(second), nil), http.StatusOK)
		wantStatus(t, s.get("/api/v1/stats"), http.StatusOK)
	}
	wantTooMany(t, s.do(http.MethodGet, "/api/v1/stats", bearer(second), nil))
	wantTooMany(t, s.get("/api/v1/stats"))
}

// forwarded is a header that says the request was forwarded for addrs.
func forwarded(addrs string) http.Header { return http.Header{"X-Forwarded-For": {addrs}} }

func TestForwardedForFromAnUntrustedPeerIsIgnored(t *testing.T) {
	t.Parallel()
	for name, proxies := range map[string][]netip.Prefix{
		"no proxies":         nil,
		"another proxy":      {netip.MustParsePrefix("192.0.2.0/24")},
		"private nets alone": {netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newTestServerWith(t, searchFixtures(), api.Options{RateLimits: api.RateLimits{
				Anonymous:      api.Rate{PerSecond: slowRate, Burst: 2},
				TrustedProxies: proxies,
			}})
			// The test's client is 127.0.0.1, not a trusted proxy: whatever
			// X-Forwarded-For it sends, it is one client.
			wantStatus(t, s.do(http.MethodGet, "/api/v1/stats", forwarded("203.0.113.1"), nil), http.StatusOK)
			wantStatus(t, s.do(http.MethodGet, "/api/v1/stats", forwarded("203.0.113.2"), nil), http.StatusOK)
			wantTooMany(t, s.do(http.MethodGet, "/api/v1/stats", forwarded("203.0.113.3"), nil))
			wantTooMany(t, s.do(http.MethodGet, "/api/v1/stats", forwarded("2001:db8::1, 198.51.100.1"), nil))
			wantTooMany(t, s.get("/api/v1/stats"))
		})
	}
}

func TestForwardedForFromATrustedProxyNamesTheClient(t *testing.T) {
	t.Parallel()
	s := newTestServerWith(t, searchFixtures(), api.Options{RateLimits: api.RateLimits{
		Anonymous:      api.Rate{PerSecond: slowRate, Burst: 2},
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.1.0.0/16")},
	}})
	get := func(xff string) response {
		t.Helper()
		return s.do(http.MethodGet, "/api/v1/stats", forwarded(xff), nil)
	}
	wantStatus(t, get("203.0.113.1"), http.StatusOK)
	wantStatus(t, get("203.0.113.1"), http.StatusOK)
	wantTooMany(t, get("203.0.113.1"))
	// The client is the rightmost address no trusted proxy has: one the
	// client wrote further left changes nothing, and trusted hops are skipped.
	wantTooMany(t, get("198.51.100.7, 203.0.113.1"))
	wantTooMany(t, get("203.0.113.1, 10.1.2.3"))
	// Another client behind the proxy has a bucket of its own, and so does
	// the proxy's own traffic.
	wantStatus(t, get("203.0.113.2"), http.StatusOK)
	wantStatus(t, get("203.0.113.1, 203.0.113.2"), http.StatusOK)
	wantTooMany(t, get("203.0.113.2"))
	wantStatus(t, s.get("/api/v1/stats"), http.StatusOK)
	// IPv6 clients are counted by /64: the addresses one subscriber has.
	wantStatus(t, get("2001:db8:1:2::1"), http.StatusOK)
	wantStatus(t, get("2001:db8:1:2::ffff"), http.StatusOK)
	wantTooMany(t, get("2001:db8:1:2:abcd::9"))
	wantStatus(t, get("2001:db8:1:3::1"), http.StatusOK)
}

func TestRateLimitBucketsAreBounded(t *testing.T) {
	t.Parallel()
	const maxClients = 10
	s := newTestServerWith(t, searchFixtures(), api.Options{RateLimits: api.RateLimits{
		Anonymous:      api.Rate{PerSecond: slowRate, Burst: 1},
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
		MaxClients:     maxClients,
	}})
	for i := range 5 * maxClients {
		wantStatus(t, s.do(http.MethodGet, "/healthz", forwarded(fmt.Sprintf("198.51.100.%d", i)), nil), http.StatusOK) // not counted
		wantStatus(t, s.do(http.MethodGet, "/api/v1/stats", forwarded(fmt.Sprintf("203.0.113.%d", i)), nil), http.StatusOK)
	}
	gauge := regexp.MustCompile(`(?m)^coalition_rate_limit_clients\{kind="anonymous"\} (\d+)$`)
	m := gauge.FindStringSubmatch(string(s.get("/metrics").body))
	if m == nil || m[1] != strconv.Itoa(maxClients) {
		t.Errorf("anonymous buckets after %d clients: %v, want %d", 5*maxClients, m, maxClients)
	}
	// The most recent clients are remembered; the least recent forgotten.
	wantTooMany(t, s.do(http.MethodGet, "/api/v1/stats", forwarded(fmt.Sprintf("203.0.113.%d", 5*maxClients-1)), nil))
	wantStatus(t, s.do(http.MethodGet, "/api/v1/stats", forwarded("203.0.113.0"), nil), http.StatusOK)
}

func TestBadRateLimitsAreRefused(t *testing.T) {
	t.Parallel()
	for _, limits := range []api.RateLimits{
		{Anonymous: api.Rate{PerSecond: -1, Burst: 1}},
		{Key: api.Rate{PerSecond: 5}},
		{MaxClients: -1},
	} {
		if _, err := api.NewServer(nil, nil, nil, api.Options{RateLimits: limits}); err == nil {
			t.Errorf("%+v: NewServer accepted it", limits)
		}
	}
}

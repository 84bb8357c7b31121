package main

import (
	"context"
	"io"
	"net/http"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/coalition-directory/coalition/api"
)

func TestParseRate(t *testing.T) {
	t.Parallel()
	tests := map[string]api.Rate{
		"":         {},
		"0":        {},
		"5":        {PerSecond: 5, Burst: 5},
		"0.5":      {PerSecond: 0.5, Burst: 1},
		"2.5":      {PerSecond: 2.5, Burst: 3},
		"5:50":     {PerSecond: 5, Burst: 50},
		" 1 : 20 ": {PerSecond: 1, Burst: 20},
	}
	for in, want := range tests {
		got, err := parseRate(in)
		if err != nil || got != want {
			t.Errorf("parseRate(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
}

func TestParsePrefixes(t *testing.T) {
	t.Parallel()
	got, err := parsePrefixes(" 10.0.0.0/8, 192.0.2.7,fd00::/8 ,::ffff:198.51.100.1, 172.16.5.4/12")
	want := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("192.0.2.7/32"),
		netip.MustParsePrefix("fd00::/8"),
		netip.MustParsePrefix("198.51.100.1/32"),
		netip.MustParsePrefix("172.16.0.0/12"),
	}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("got %v, %v; want %v", got, err, want)
	}
}

// TestBadRateLimitFlagsStopServe checks that every bad rate-limit setting
// stops serve before it starts, with a usage error naming the flag and the
// value, all of them at once.
func TestBadRateLimitFlagsStopServe(t *testing.T) {
	t.Parallel()
	tests := []serveUsage{
		{args: []string{"--rate-limit-anonymous", "fast"}, want: []string{"--rate-limit-anonymous", `"fast"`}},
		{args: []string{"--rate-limit-anonymous", "-1"}, want: []string{"--rate-limit-anonymous", `"-1"`}},
		{args: []string{"--rate-limit-anonymous", "5:0"}, want: []string{"--rate-limit-anonymous", "burst"}},
		{args: []string{"--rate-limit-key", "5:many"}, want: []string{"--rate-limit-key", "burst"}},
		{args: []string{"--rate-limit-key", "0:10"}, want: []string{"--rate-limit-key", "above 0"}},
		{args: []string{"--rate-limit-key", "Inf"}, want: []string{"--rate-limit-key"}},
		{args: []string{"--trusted-proxies", "10.0.0.0/33"}, want: []string{"--trusted-proxies", `"10.0.0.0/33"`}},
		{args: []string{"--trusted-proxies", "10.0.0.1,proxy.example.org"}, want: []string{"--trusted-proxies", `"proxy.example.org"`}},
		{env: map[string]string{"COALITION_RATE_LIMIT_ANONYMOUS": "1/s"}, want: []string{"--rate-limit-anonymous", `"1/s"`}},
		{
			args: []string{"--rate-limit-anonymous", "x", "--trusted-proxies", "y"},
			want: []string{"--rate-limit-anonymous", `"x"`, "--trusted-proxies", `"y"`},
		},
	}
	wantServeUsageErrors(t, tests)
}

// TestBadFrameAncestorsStopServe checks that a --frame-ancestors value (or
// COALITION_FRAME_ANCESTORS) that is not a CSP source expression stops
// serve with a usage error naming it, rather than going into the embed
// page's Content-Security-Policy as it is and adding directives to it.
func TestBadFrameAncestorsStopServe(t *testing.T) {
	t.Parallel()
	tests := []serveUsage{
		{args: []string{"--frame-ancestors", "https://a.example; script-src *"}, want: []string{"--frame-ancestors", `"https://a.example;"`}},
		{args: []string{"--frame-ancestors", "https://a.example,'unsafe-inline'"}, want: []string{"--frame-ancestors", `"'unsafe-inline'"`}},
		{args: []string{"--frame-ancestors", "'none' https://a.example"}, want: []string{"--frame-ancestors", `"'none'"`}},
		{env: map[string]string{"COALITION_FRAME_ANCESTORS": "https://a.example;report-uri https://evil.example"},
			want: []string{"--frame-ancestors", `"https://a.example;report-uri"`}},
		{
			args: []string{"--frame-ancestors", "https://a.example/;x, https://b.example\\"},
			want: []string{`"https://a.example/;x"`, `"https://b.example\\"`},
		},
	}
	wantServeUsageErrors(t, tests)
}

// TestServeRateLimits runs serve with limits from the environment and
// checks that they apply to the API and the pages, and not to the probes.
func TestServeRateLimits(t *testing.T) {
	t.Parallel()
	base, _ := startServe(t, map[string]string{
		"COALITION_RATE_LIMIT_ANONYMOUS": "0.001:3",
		"COALITION_TRUSTED_PROXIES":      "127.0.0.1",
	}, "--db", filepath.Join(t.TempDir(), "rl.db"), "--no-demo")
	get := func(path, client string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Forwarded-For", client)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	for _, path := range []string{"/api/v1/stats", "/", "/en/"} {
		if res := get(path, "203.0.113.5"); res.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d within the burst", path, res.StatusCode)
		}
	}
	for _, path := range []string{"/api/v1/stats", "/en/"} {
		res := get(path, "203.0.113.5")
		secs, err := strconv.Atoi(res.Header.Get("Retry-After"))
		if res.StatusCode != http.StatusTooManyRequests || err != nil || secs < 1 || secs > 1000 {
			t.Errorf("%s over the limit: status %d, Retry-After %q", path, res.StatusCode, res.Header.Get("Retry-After"))
		}
	}
	if res := get("/healthz", "203.0.113.5"); res.StatusCode != http.StatusOK {
		t.Errorf("/healthz over the limit: status %d", res.StatusCode)
	}
	if res := get("/api/v1/stats", "203.0.113.6"); res.StatusCode != http.StatusOK {
		t.Errorf("another client behind the trusted proxy: status %d", res.StatusCode)
	}
}

// serveUsage is a serve command line (its flags after serve's own, and its
// environment) that must stop with a usage error whose text holds every
// string of want.
type serveUsage struct {
	args []string
	env  map[string]string
	want []string
}

// wantServeUsageErrors runs serve with each of tests on a new database and
// checks that it stops before serving with exit code 2 and an error
// naming what want lists.
func wantServeUsageErrors(t *testing.T, tests []serveUsage) {
	t.Helper()
	for _, tt := range tests {
		args := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "x.db")}, tt.args...)
		err := run(context.Background(), args, func(k string) string { return tt.env[k] }, nil, io.Discard, io.Discard)
		if err == nil || exitCode(err) != 2 {
			t.Errorf("%q %v: got %v (exit %d), want a usage error", tt.args, tt.env, err, exitCode(err))
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q %v: error %q does not name %s", tt.args, tt.env, err, w)
			}
		}
	}
}

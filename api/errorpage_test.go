package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/coalition-directory/coalition/api"
)

// TestPageErrorsArePages checks that an error that stops a page request
// before the page runs (too many requests, an oversized form) is an HTML
// page in the pages' look, language and headers, keeping Retry-After, while
// the API's answers to the same client stay problem+json.
func TestPageErrorsArePages(t *testing.T) {
	t.Parallel()
	s := newTestServerWithPages(t, api.Options{RateLimits: api.RateLimits{Anonymous: api.Rate{PerSecond: slowRate, Burst: 3}}})
	// The body limit comes before the rate limit: this takes no request of the burst.
	big := s.page(http.MethodPost, "/signin", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, bytes.NewReader(bytes.Repeat([]byte("a"), 1<<20+1)))
	wantPage(t, big, http.StatusRequestEntityTooLarge, "Что-то пошло не так")
	for _, path := range []string{"/", "/en/", "/org/nadezhda"} {
		wantStatus(t, s.page(http.MethodGet, path, nil, nil), http.StatusOK)
	}

	// A 429 says so, not "something went wrong", and when to retry, in the
	// page's language.
	for path, want := range map[string][2]string{
		"/":             {"Слишком много запросов", "Попробуйте ещё раз через %s секунд"},
		"/en/":          {"Too many requests", "Please try again in %s second"},
		"/org/nadezhda": {"Слишком много запросов", "Попробуйте ещё раз через %s секунд"},
	} {
		r := s.page(http.MethodGet, path, http.Header{"Accept": {"text/html"}}, nil)
		wantPage(t, r, http.StatusTooManyRequests, want[0])
		after := r.Header.Get("Retry-After")
		if after == "" {
			t.Errorf("%s: 429 page without Retry-After", path)
		}
		if text := fmt.Sprintf(want[1], after); !strings.Contains(string(r.body), text) {
			t.Errorf("%s: the 429 page does not say %q: %.600s", path, text, r.body)
		}
	}
	for _, path := range []string{"/api/v1/organizations", "/openapi.yaml"} {
		r := s.do(http.MethodGet, path, http.Header{"Accept": {"text/html"}}, nil)
		wantStatus(t, r, http.StatusTooManyRequests)
		if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("%s: 429 as %q, want a problem", path, ct)
		}
	}
}

// wantPage fails the test unless r is an HTML page of the directory with
// status, title in its heading, and the pages' own security policy.
func wantPage(t *testing.T, r response, status int, title string) {
	t.Helper()
	what := r.Request.Method + " " + r.Request.URL.Path
	if r.StatusCode != status {
		t.Errorf("%s: status %d, want %d: %.300s", what, r.StatusCode, status, r.body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("%s: %d as %q, want an HTML page", what, r.StatusCode, ct)
		return
	}
	body := string(r.body)
	if !strings.Contains(body, "<h1>"+title+"</h1>") || !strings.Contains(body, `rel="stylesheet"`) {
		t.Errorf("%s: not the directory's error page with %q: %.500s", what, title, body)
	}
	if csp := r.Header.Get("Content-Security-Policy"); csp == apiPolicy || !strings.Contains(csp, "style-src 'self'") {
		t.Errorf("%s: Content-Security-Policy %q, want the pages'", what, csp)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("%s: Cache-Control %q, want no-store", what, cc)
	}
}

// TestForwardedProtoOnlyFromTrustedProxies checks that X-Forwarded-Proto
// sets the scheme of a page's canonical link only when a trusted proxy
// sends it: any client could send it to a server that has none.
func TestForwardedProtoOnlyFromTrustedProxies(t *testing.T) {
	t.Parallel()
	proto := http.Header{"X-Forwarded-Proto": {"https"}}
	direct := newTestServerWithPages(t, api.Options{})
	if r := direct.page(http.MethodGet, "/", proto, nil); !strings.Contains(string(r.body), `rel="canonical" href="http://`) {
		t.Errorf("without trusted proxies the header chose the canonical link: %.600s", r.body)
	}
	proxied := newTestServerWithPages(t, api.Options{RateLimits: api.RateLimits{TrustedProxies: loopback}})
	if r := proxied.page(http.MethodGet, "/", proto, nil); !strings.Contains(string(r.body), `rel="canonical" href="https://`) {
		t.Errorf("a trusted proxy's header was not believed: %.600s", r.body)
	}
	if r := proxied.page(http.MethodGet, "/", nil, nil); !strings.Contains(string(r.body), `rel="canonical" href="http://`) {
		t.Errorf("without the header: %.600s", r.body)
	}
}

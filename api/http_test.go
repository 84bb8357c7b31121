package api_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/directory"
)

func TestConditionalGet(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	for _, path := range []string{
		"/api/v1/organizations?q=надежда",
		"/api/v1/organizations/nadezhda",
		"/api/v1/focus-areas",
		"/api/v1/countries/RU/regions",
		"/api/v1/stats",
		"/openapi.yaml",
	} {
		t.Run(path, func(t *testing.T) {
			first := s.get(path)
			wantStatus(t, first, http.StatusOK)
			etag := first.Header.Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			if cc := first.Header.Get("Cache-Control"); cc != "public, max-age=60" {
				t.Errorf("Cache-Control %q", cc)
			}
			again := s.do(http.MethodGet, path, http.Header{"If-None-Match": {etag}}, nil)
			wantStatus(t, again, http.StatusNotModified)
			if len(again.body) != 0 || again.Header.Get("ETag") != etag {
				t.Errorf("304 with body %q and ETag %q", again.body, again.Header.Get("ETag"))
			}
			other := s.do(http.MethodGet, path, http.Header{"If-None-Match": {`W/"something-else"`}}, nil)
			wantStatus(t, other, http.StatusOK)
		})
	}
	t.Run("another language is another entity", func(t *testing.T) {
		ru := s.get("/api/v1/organizations/nadezhda?lang=ru")
		en := s.get("/api/v1/organizations/nadezhda?lang=en")
		if ru.Header.Get("ETag") == en.Header.Get("ETag") {
			t.Error("ru and en representations share an ETag")
		}
		if vary := strings.Join(en.Header.Values("Vary"), ","); !strings.Contains(vary, "Accept-Language") {
			t.Errorf("Vary %q lacks Accept-Language", vary)
		}
	})
}

func TestErrorsAreProblems(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	tests := []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/nope", http.StatusNotFound},
		{http.MethodGet, "/api/v1/nope", http.StatusNotFound},
		{http.MethodGet, "/api/v1/countries/XX", http.StatusNotFound},
		{http.MethodGet, "/api/v1/countries/XX/regions", http.StatusNotFound},
		{http.MethodGet, "/api/v1/regions/RU-XXX", http.StatusNotFound},
		{http.MethodGet, "/api/v1/countries?lang=fr", http.StatusBadRequest},
		{http.MethodPut, "/api/v1/organizations", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/api/v1/stats", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := s.do(tt.method, tt.path, nil, nil)
			wantStatus(t, r, tt.status)
			if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("content type %q", ct)
			}
			p := decode[api.Problem](t, r)
			if p.Status != tt.status || p.Title != http.StatusText(tt.status) || p.Type == "" {
				t.Errorf("problem %+v", p)
			}
			if r.Header.Get("ETag") != "" {
				t.Error("an error response has an ETag")
			}
		})
	}
}

func TestCORS(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	r := s.do(http.MethodGet, "/api/v1/organizations", http.Header{"Origin": {"https://map.example.org"}}, nil)
	wantStatus(t, r, http.StatusOK)
	if got := r.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("Access-Control-Allow-Origin %q, want *", got)
	}
	exposed := strings.Split(r.Header.Get("Access-Control-Expose-Headers"), ",")
	for i := range exposed {
		exposed[i] = http.CanonicalHeaderKey(strings.TrimSpace(exposed[i]))
	}
	for _, h := range []string{"Etag", "Link", "Location", "Content-Language", "X-Request-Id", "Content-Disposition", "Www-Authenticate", "Retry-After"} {
		if !slices.Contains(exposed, h) {
			t.Errorf("Access-Control-Expose-Headers %q lacks %s", exposed, h)
		}
	}
	req, _ := http.NewRequest(http.MethodOptions, s.url+"/api/v1/organizations", nil)
	req.Header.Set("Origin", "https://map.example.org")
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("Access-Control-Request-Headers", "If-None-Match")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent || !strings.Contains(res.Header.Get("Access-Control-Allow-Headers"), "If-None-Match") {
		t.Errorf("preflight: %d, allow headers %q", res.StatusCode, res.Header.Get("Access-Control-Allow-Headers"))
	}
}

// TestCORSOnEarlyErrors checks that answers given before any handler runs
// (an unknown or badly encoded query parameter, a body over the limit) carry
// Access-Control-Allow-Origin too: without it a browser hides the problem
// from the script that must show it.
func TestCORSOnEarlyErrors(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	editor := s.key(directory.RoleEditor)
	origin := http.Header{"Origin": {"https://map.example.org"}}
	big := bytes.Repeat([]byte("a"), 2<<20)
	for _, tc := range []struct {
		name, method, path string
		header             http.Header
		body               []byte
		status             int
	}{
		{"unknown parameter", http.MethodGet, "/api/v1/organizations?bogus=1", nil, nil, http.StatusBadRequest},
		{"query not UTF-8", http.MethodGet, "/api/v1/organizations?q=%ff", nil, nil, http.StatusBadRequest},
		{"body over the limit", http.MethodPost, "/api/v1/organizations", http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + editor}}, big, http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := origin.Clone()
			maps.Copy(h, tc.header)
			r := s.do(tc.method, tc.path, h, bytes.NewReader(tc.body))
			wantStatus(t, r, tc.status)
			if got := r.Header.Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("Access-Control-Allow-Origin %q, want *", got)
			}
		})
	}
}

func TestCompression(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, nil)
	plain := s.get("/api/v1/organizations?per_page=50")
	wantStatus(t, plain, http.StatusOK)
	zipped := s.do(http.MethodGet, "/api/v1/organizations?per_page=50", http.Header{"Accept-Encoding": {"gzip"}}, nil)
	wantStatus(t, zipped, http.StatusOK)
	if ce := zipped.Header.Get("Content-Encoding"); ce != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", ce)
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped.body))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(unzipped, plain.body) {
		t.Error("the gzipped body differs from the plain one")
	}
	if len(zipped.body)*3 > len(plain.body) {
		t.Errorf("gzip made %d bytes of %d", len(zipped.body), len(plain.body))
	}
	if zipped.Header.Get("ETag") != plain.Header.Get("ETag") {
		t.Error("compression changed the weak ETag")
	}
}

func TestSwaggerUI(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	for _, path := range []string{"/docs", "/docs/"} {
		res, err := http.Get(s.url + path) // follows the redirect
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !bytes.Contains(body, []byte("swagger-ui")) || !bytes.Contains(body, []byte("/openapi.yaml")) {
			t.Errorf("%s: status %d, body %.200s", path, res.StatusCode, body)
		}
	}
	res, err := http.Get(s.url + "/docs/swagger-ui-bundle.js")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("swagger-ui-bundle.js: status %d", res.StatusCode)
	}
	spec := s.get("/openapi.yaml")
	wantStatus(t, spec, http.StatusOK)
	if !bytes.HasPrefix(spec.body, []byte("components:")) || !bytes.Contains(spec.body, []byte("openapi: 3.")) {
		t.Errorf("/openapi.yaml is not the OpenAPI 3 spec: %.100s", spec.body)
	}
}

func TestProbes(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	for _, path := range []string{"/healthz", "/readyz"} {
		r := s.get(path)
		wantStatus(t, r, http.StatusOK)
		if got := decode[api.Health](t, r); got.Status != "ok" {
			t.Errorf("%s: %+v", path, got)
		}
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	s.get("/api/v1/organizations/nadezhda")
	s.get("/api/v1/organizations/no-such-org")
	r := s.get("/metrics")
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{
		`coalition_http_requests_total{method="GET",route="/api/v1/organizations/:id",status="200"} 1`,
		`coalition_http_requests_total{method="GET",route="/api/v1/organizations/:id",status="404"} 1`,
		`coalition_http_request_duration_seconds_bucket{method="GET",route="/api/v1/organizations/:id",le="+Inf"} 2`,
		"go_goroutines",
	} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

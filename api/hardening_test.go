package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/web"
)

// apiPolicy is the Content-Security-Policy of every answer but the pages'
// and the docs'.
const apiPolicy = "default-src 'none'; frame-ancestors 'none'"

// newTestServerWithPages is newTestServer with the web pages served too.
func newTestServerWithPages(t *testing.T, opts api.Options) *testServer {
	t.Helper()
	var pages *web.Handler // made once the server's directory is
	opts.Pages = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { pages.ServeHTTP(w, r) })
	opts.ErrorPages = errorPagesFunc(func(w http.ResponseWriter, r *http.Request, status int) { pages.ServeError(w, r, status) })
	s := newTestServerWith(t, searchFixtures(), opts)
	h, err := web.New(slog.New(slog.NewTextHandler(io.Discard, nil)), s.dir, web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pages = h
	return s
}

// errorPagesFunc is a function as an api.ErrorPages.
type errorPagesFunc func(w http.ResponseWriter, r *http.Request, status int)

func (f errorPagesFunc) ServeError(w http.ResponseWriter, r *http.Request, status int) {
	f(w, r, status)
}

// page sends a request to a route outside the spec (a page, the docs) and
// returns the answer, unchecked.
func (s *testServer) page(method, path string, header http.Header, body io.Reader) response {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, body)
	if err != nil {
		s.t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return response{Response: res, body: raw}
}

// wantSecurityHeaders fails the test unless r has the headers every
// response has, and policy as its Content-Security-Policy ("" for any).
func wantSecurityHeaders(t *testing.T, r response, policy string) {
	t.Helper()
	what := r.Request.Method + " " + r.Request.URL.RequestURI()
	if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s (%d): X-Content-Type-Options %q", what, r.StatusCode, got)
	}
	if got := r.Header.Get("Referrer-Policy"); got == "" {
		t.Errorf("%s (%d): no Referrer-Policy", what, r.StatusCode)
	}
	csp := r.Header.Values("Content-Security-Policy")
	switch {
	case len(csp) != 1:
		t.Errorf("%s (%d): Content-Security-Policy %q, want one", what, r.StatusCode, csp)
	case policy != "" && csp[0] != policy:
		t.Errorf("%s (%d): Content-Security-Policy %q, want %q", what, r.StatusCode, csp[0], policy)
	}
}

// TestEveryRouteSendsSecurityHeaders walks every operation of openapi.yaml
// (as anonymous, as an admin, and with an oversized body) and the pages,
// and checks each answer's security headers.
func TestEveryRouteSendsSecurityHeaders(t *testing.T) {
	t.Parallel()
	s := newTestServerWithPages(t, api.Options{})
	admin := s.key(directory.RoleAdmin)
	doc, err := openapi3.NewLoader().LoadFromFile(filepath.Join("..", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{"id": "nadezhda", "contact_id": "no-such-contact", "code": "RU", "slug": "shelter"}
	param := regexp.MustCompile(`\{([a-z_]+)\}`)
	oversized := bytes.Repeat([]byte(" "), 1<<20+1)
	operations := 0
	for path, item := range doc.Paths.Map() {
		url := param.ReplaceAllStringFunc(path, func(p string) string { return values[strings.Trim(p, "{}")] })
		for method := range item.Operations() {
			operations++
			if method == http.MethodDelete {
				// Archiving would change what the other requests see; as
				// anonymous it is refused before anything is done.
				wantSecurityHeaders(t, s.do(method, url, nil, nil), apiPolicy)
				continue
			}
			for _, h := range []http.Header{nil, bearer(admin)} {
				var body io.Reader
				if method != http.MethodGet {
					h = h.Clone()
					if h == nil {
						h = http.Header{}
					}
					h.Set("Content-Type", "application/json")
					body = strings.NewReader("{}")
				}
				wantSecurityHeaders(t, s.do(method, url, h, body), apiPolicy)
			}
			big := s.do(method, url, http.Header{"Content-Type": {"application/json"}}, bytes.NewReader(oversized))
			if path != "/api/v1/import" {
				wantStatus(t, big, http.StatusRequestEntityTooLarge)
			}
			wantSecurityHeaders(t, big, apiPolicy)
		}
	}
	if operations < 30 {
		t.Fatalf("walked %d operations: the spec's listing is broken", operations)
	}
	// Errors outside the spec's routes, and the pages and docs with their own policies.
	for _, path := range []string{"/api/v1/no-such-route", "/api/v2/organizations"} {
		wantSecurityHeaders(t, s.get(path), apiPolicy)
	}
	for _, path := range []string{"/", "/en/", "/org/nadezhda", "/no-such-page", "/assets/style.css", "/docs/", "/docs/reference", "/docs/swagger-ui-bundle.js"} {
		r := s.page(http.MethodGet, path, nil, nil)
		wantSecurityHeaders(t, r, "")
		if policy := r.Header.Get("Content-Security-Policy"); policy == apiPolicy || !strings.Contains(policy, "script-src 'self'") {
			t.Errorf("%s: Content-Security-Policy %q, want the page's own", path, policy)
		}
	}
	wantStatus(t, s.page(http.MethodPost, "/signin", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, bytes.NewReader(oversized)),
		http.StatusRequestEntityTooLarge)
}

// TestServerErrorsShowNoInternals closes the database under the running
// server: every failing answer must be the generic problem, with nothing of
// the driver, the SQL or the stack in it.
func TestServerErrorsShowNoInternals(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	editor := s.key(directory.RoleEditor)
	if err := s.db.Close(); err != nil {
		t.Fatal(err)
	}
	s.serverErrorsExpected = true
	requests := []struct {
		method, path, key, body string
	}{
		{http.MethodGet, "/api/v1/organizations?q=приют&country=RU", "", ""},
		{http.MethodGet, "/api/v1/organizations/zelenyj-svet", "", ""},
		{http.MethodGet, "/api/v1/stats", "", ""},
		{http.MethodGet, "/api/v1/focus-areas?lang=en", "", ""},
		{http.MethodGet, "/api/v1/organizations", editor, ""},
		{http.MethodPost, "/api/v1/organizations", editor, `{"name": "Новая", "country_code": "RU", "original_language": "ru"}`},
		{http.MethodGet, "/readyz", "", ""},
	}
	failed := 0
	for _, req := range requests {
		var body any
		if req.body != "" {
			body = req.body
		}
		r := s.send(req.method, req.path, req.key, body)
		if r.StatusCode < 500 {
			t.Errorf("%s %s on a closed database: status %d", req.method, req.path, r.StatusCode)
			continue
		}
		failed++
		var p api.Problem
		dec := json.NewDecoder(bytes.NewReader(r.body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil || p.Status != r.StatusCode || len(p.Errors) != 0 {
			t.Errorf("%s %s: not a plain problem: %s", req.method, req.path, r.body)
		}
		generic := []string{
			"internal error; the X-Request-Id response header identifies it in the server log",
			"the database does not answer",
		}
		if !slices.Contains(generic, p.Detail) {
			t.Errorf("%s %s: %d detail %q, want the generic one", req.method, req.path, r.StatusCode, p.Detail)
		}
		lower := strings.ToLower(string(r.body))
		for _, leak := range []string{"sql", "database is closed", "gorm", "driver", "select", "goroutine", ".go:", "panic"} {
			if strings.Contains(lower, leak) {
				t.Errorf("%s %s: the answer shows %q: %s", req.method, req.path, leak, r.body)
			}
		}
		if r.Header.Get("X-Request-Id") == "" {
			t.Errorf("%s %s: no X-Request-Id to find the cause by", req.method, req.path)
		}
	}
	if failed == 0 {
		t.Fatal("no request failed on the closed database")
	}
}

package api_test

import (
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/coalition-directory/coalition/internal/directory"
)

// TestUnknownQueryParametersAreNamed checks that a query parameter a route
// does not take is a 400 naming it, with every other unknown one, on every
// /api/v1 operation of openapi.yaml, as anonymous and as an admin, before
// anything is read or written: a misspelt filter must not answer as if it
// had been applied.
func TestUnknownQueryParametersAreNamed(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	admin := s.key(directory.RoleAdmin)

	r := s.get("/api/v1/organizations?contry=RU&country=RU&focus=shelter")
	p := wantProblem(t, r, "contry", "focus")
	if msg := p.Errors[0].Message; !strings.Contains(msg, "country") || !strings.Contains(msg, "focus_area") {
		t.Errorf("the message does not name the parameters the route takes: %q", msg)
	}
	// HEAD is the GET's answer; the parameters the route takes pass.
	if r := s.page(http.MethodHead, "/api/v1/organizations?contry=RU", nil, nil); r.StatusCode != http.StatusBadRequest {
		t.Errorf("HEAD with an unknown parameter: status %d, want 400", r.StatusCode)
	}
	wantStatus(t, s.get("/api/v1/organizations?country=RU&focus_area=shelter&lang=en&page=1&per_page=5&sort=name"), http.StatusOK)
	// Export takes the list's filters but not its paging.
	wantProblem(t, s.do(http.MethodGet, "/api/v1/export?country=RU&page=2", bearer(admin), nil), "page")

	doc, err := openapi3.NewLoader().LoadFromFile(filepath.Join("..", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{"id": "no-such-thing", "contact_id": "no-such-contact", "code": "RU", "slug": "no-such-area"}
	param := regexp.MustCompile(`\{([a-z_]+)\}`)
	operations := 0
	for path, item := range doc.Paths.Map() {
		if !strings.HasPrefix(path, "/api/v1/") {
			continue
		}
		url := param.ReplaceAllStringFunc(path, func(p string) string { return values[strings.Trim(p, "{}")] })
		for method := range item.Operations() {
			operations++
			for _, secret := range []string{"", admin} {
				h := bearer(secret)
				h.Set("Content-Type", "application/json")
				r := s.do(method, url+"?zz_unknown=1&lang_=en", h, strings.NewReader("{}"))
				wantProblem(t, r, "lang_", "zz_unknown")
			}
		}
	}
	if operations < 25 {
		t.Fatalf("walked %d /api/v1 operations: the spec's listing is broken", operations)
	}
	// Nothing was written.
	if got := len(s.listAll("", 100)); got != len(searchFixtures()) {
		t.Errorf("%d organizations after the refused requests, want %d", got, len(searchFixtures()))
	}
}

// TestRepeatedSingleParametersAreRefused gives a parameter that takes one
// value twice: it is a 400 naming it, not read for its first value alone
// (lists take repeats: country=RU&country=KZ is country=RU,KZ).
func TestRepeatedSingleParametersAreRefused(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	admin := s.key(directory.RoleAdmin)
	wantProblem(t, s.get("/api/v1/organizations/nadezhda?lang=en&lang=ru"), "lang")
	wantProblem(t, s.get("/api/v1/countries?lang=en&lang=en"), "lang")
	wantProblem(t, s.get("/api/v1/organizations?per_page=5&per_page=50"), "per_page")
	wantProblem(t, s.do(http.MethodGet, "/api/v1/export?format=csv&format=ndjson", bearer(admin), nil), "format")
	wantProblem(t, s.importFile(admin, "text/csv", "?dry_run=true&dry_run=false", "name_ru,country_code\nЗаря,RU\n"), "dry_run")
	wantProblem(t, s.importFile(admin, "application/x-ndjson", "?mode=merge&mode=replace", "{}\n"), "mode")
	if got := len(s.listAll("", 100)); got != len(searchFixtures()) {
		t.Errorf("%d organizations after the refused import, want %d", got, len(searchFixtures()))
	}
	wantStatus(t, s.get("/api/v1/organizations?country=RU&country=KZ&lang=en"), http.StatusOK)
	partner := s.key(directory.RolePartner)
	// Each says it was given twice, whatever its values: not that a
	// sequence number or a whole number was expected, and not a search for
	// both values.
	for _, r := range []response{
		s.do(http.MethodGet, "/api/v1/changes?after=0&after=1", bearer(partner), nil),
		s.get("/api/v1/organizations?page=2&page=2"),
		s.get("/api/v1/organizations?sort=name&sort=name"),
		s.get("/api/v1/organizations?q=a&q=b"),
		s.get("/api/v1/organizations?status=member&modified_after=2020-01-01T00:00:00Z&modified_after=2020-01-01T00:00:00Z&status=associate"),
	} {
		field := strings.SplitN(strings.SplitN(r.Request.URL.RawQuery, "&", 2)[1], "=", 2)[0]
		p := wantProblem(t, r, field)
		if len(p.Errors) == 1 && !strings.Contains(p.Errors[0].Message, "more than once") {
			t.Errorf("%s: %s %q, want it to say it is given more than once", r.Request.URL.RawQuery, field, p.Errors[0].Message)
		}
	}
}

package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/geo"
	"github.com/coalition-directory/coalition/internal/sqlite"
)

// fuzzServer is the API over the demo directory on a SQLite file of its
// own, started once per fuzzing worker (the fuzz function's body runs once
// per process), with an editor and an admin key.
type fuzzServer struct {
	url           string
	dir           *directory.Service
	editor, admin string
	orgID         string // an organization the patch targets change
}

func newFuzzServer(f *testing.F) *fuzzServer {
	f.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		f.Fatal(err)
	}
	places, err := geo.Load()
	if err != nil {
		f.Fatal(err)
	}
	dir := directory.NewService(db, places)
	orgs, err := demo.Organizations()
	if err != nil {
		f.Fatal(err)
	}
	if _, err := dir.Seed(ctx, orgs); err != nil {
		f.Fatal(err)
	}
	h, err := api.NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), dir, db, api.Options{})
	if err != nil {
		f.Fatal(err)
	}
	srv := httptest.NewServer(h)
	f.Cleanup(srv.Close)
	s := &fuzzServer{url: srv.URL, dir: dir}
	for _, k := range []struct {
		role directory.Role
		to   *string
	}{{directory.RoleEditor, &s.editor}, {directory.RoleAdmin, &s.admin}} {
		if _, *k.to, err = dir.CreateKey(ctx, directory.Operator("fuzz"), "fuzz "+string(k.role), k.role); err != nil {
			f.Fatal(err)
		}
	}
	org, err := dir.Organization(ctx, orgs[0].Slug, directory.Caller{})
	if err != nil {
		f.Fatal(err)
	}
	s.orgID = org.ID
	return s
}

// do sends one fuzzed request through real HTTP and checks the answer: never
// a 5xx, a problem+json body on every 4xx, and a response that matches
// openapi.yaml. A request that Go's client refuses to send (a header with
// a newline, a URL with a space) cannot reach the server and is skipped.
func (s *fuzzServer) do(t *testing.T, method, target string, header http.Header, body []byte) response {
	t.Helper()
	req, err := http.NewRequest(method, s.url+target, bytes.NewReader(body))
	if err != nil {
		t.Skip("not a request a client can send:", err)
	}
	req.Header = header
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		if strings.Contains(err.Error(), "invalid header") || strings.Contains(err.Error(), "invalid URL") ||
			strings.Contains(err.Error(), "net/http:") {
			t.Skip("not a request a client can send:", err)
		}
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode >= 500 {
		t.Fatalf("%s %q: status %d: %s", method, target, res.StatusCode, raw)
	}
	if res.StatusCode == http.StatusBadRequest && string(raw) == "400 Bad Request" {
		// Go's client sent a request line net/http's server refuses to
		// parse (a space in the query): the handler never saw it.
		t.Skip("refused by net/http before the handler:", target)
	}
	if res.StatusCode >= 400 {
		if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("%s %q: status %d with Content-Type %q, want application/problem+json", method, target, res.StatusCode, ct)
		}
		checkProblemShape(t, raw)
	}
	(&testServer{t: t, url: s.url, dir: s.dir}).validate(req, res, raw)
	return response{Response: res, body: raw}
}

// FuzzListQuery sends any query string to the list route: filters, sort,
// paging, search text and language in every combination a client can type.
func FuzzListQuery(f *testing.F) {
	for _, q := range []string{
		"", "q=%D0%BF%D1%80%D0%B8%D1%8E%D1%82", "q=%D0%BF%D1%80", "q=ce&sort=name&page=3",
		"country=RU&focus_area=shelter,hotline&per_page=100&page=2&lang=en",
		"region=RU-NIZ&status=member&language=en&modified_after=2020-01-01T00:00:00Z&sort=-updated_at",
		"page=1048576&per_page=100", "page=0", "per_page=1000000000000000000000", "sort=relevance",
		"q=%FF%FE", "country=%C0%AF", "q=" + strings.Repeat("%5B", 300), "q=a+b+c+d+e+f+g+h+i",
		"archived=true", "archived=1", "lang=de", "q=%00", "q=%", "q=%zz&country=RU",
		"country=RU&country=KZ", "focus_area=" + strings.Repeat("shelter,", 60),
		"q=%D1%91%D0%BB%D0%BA%D0%B0", "q=*", "q=%22", "q=NEAR", "q=a%20OR%20b", "q=-x", "q=%5E",
	} {
		f.Add(q)
	}
	s := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, query string) {
		s.do(t, http.MethodGet, "/api/v1/organizations?"+requestTargetQuery(query), http.Header{}, nil)
	})
}

// requestTargetQuery percent-encodes the bytes that RFC 9112 §3.2 does not
// allow in a request-target (controls, space, non-ASCII), as a client
// would: sent raw, they make the request line malformed and net/http
// answers its own plain-text 400 before any handler runs.
func requestTargetQuery(q string) string {
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		if c := q[i]; c <= ' ' || c >= 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// FuzzCreateOrganization posts any body as a new organization.
func FuzzCreateOrganization(f *testing.F) {
	for _, b := range []string{
		`{"name":"Фонд «Вектор»","country_code":"RU","region_code":"RU-NIZ","focus_areas":["hotline"]}`,
		`{"name":"A","original_language":"en","country_code":"KZ","phones":[{"number":"8 (7172) 20-00-00","kind":"office"}],"translations":{"ru":{"name":"Б"}}}`,
		`{"name":"x","country_code":"RU","address":"a","address_hidden":true,"ADDRESS_HIDDEN":false}`,
		`{"name":"x","name":"y","country_code":"RU"}`,
		`{"name":"\xff\xfe","country_code":"RU"}`,
		`{"name":"x\u0000","country_code":"RU","slug":"-"}`,
		strings.Repeat("[", 10000),
		strings.Repeat(`{"name":`, 1000),
		`{"name":"x","country_code":"RU","phones":[` + strings.Repeat(`{"number":"1"},`, 500) + `{}]}`,
		`[]`, `null`, `{}`, `{} {}`, `"x"`, `{"id":1}`, `{"name":"x","country_code":"RU","member_since":"2026-02-30"}`,
		`{"name":"x","country_code":"RU","website":"javascript:alert(1)","email":"a@b"}`,
		`{"name":"x","country_code":"RU","region_code":"KZ-AST"}`,
		`{"name":"x","country_code":"RU","created_at":"2020-01-01T00:00:00Z","version":7}`,
	} {
		f.Add([]byte(b))
	}
	s := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		s.do(t, http.MethodPost, "/api/v1/organizations", http.Header{
			"Authorization": {"Bearer " + s.editor}, "Content-Type": {"application/json"}}, body)
	})
}

// FuzzPatchOrganization sends any merge patch with any If-Match header to
// one organization.
func FuzzPatchOrganization(f *testing.F) {
	for _, c := range []struct{ patch, ifMatch string }{
		{`{"city":"Казань"}`, ""},
		{`{"city":null,"phones":null,"translations":{"en":null}}`, "*"},
		{`{"translations":{"en":{"name":"Hope","description":null}}}`, `"v1"`},
		{`{"focus_areas":["shelter","shelter"]}`, `"v1-abc", "v2"`},
		{`{"address_hidden":true,"ADDRESS_HIDDEN":false}`, `W/"v1"`},
		{`{"city":"a","city":"b"}`, `"v99999999999999999999"`},
		{`{"name":"\xff"}`, `"v0"`},
		{strings.Repeat("[", 10000), `"v-1"`},
		{strings.Repeat(`{"translations":`, 1000), `""`},
		{`[]`, `,,,`}, {`null`, `"v1`}, {`{"id":"x"}`, `v1`}, {`{"slug":"NEW SLUG"}`, "\t\"v1\"\t"},
		{`{"country_code":"KZ"}`, `"v1-` + strings.Repeat("a", 1000) + `"`},
	} {
		f.Add([]byte(c.patch), c.ifMatch)
	}
	s := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, patch []byte, ifMatch string) {
		h := http.Header{"Authorization": {"Bearer " + s.editor}, "Content-Type": {"application/merge-patch+json"}}
		if ifMatch != "" {
			h.Set("If-Match", ifMatch)
		}
		s.do(t, http.MethodPatch, "/api/v1/organizations/"+s.orgID, h, patch)
	})
}

// FuzzConditionalGet reads one organization with any If-None-Match and
// Accept-Language: 200 or 304, and Content-Language names a language the
// directory has.
func FuzzConditionalGet(f *testing.F) {
	for _, c := range []struct{ ifNoneMatch, acceptLanguage string }{
		{"", ""}, {"*", "ru"}, {`"v1"`, "en-GB,en;q=0.9,ru;q=0.8"}, {`W/"v1-x", "v2"`, "de, *;q=0.1"},
		{`"`, "q=0.5"}, {",,,", "ru;q=abc"}, {`W/`, strings.Repeat("en-", 500)}, {"\xff", "\xff\xfe"},
		{`"v1", *`, "zh-Hant-TW;q=0.5, ru-RU;q=0.6"}, {"", "*"}, {"", "x-klingon"}, {"", strings.Repeat("a,", 2000)},
	} {
		f.Add(c.ifNoneMatch, c.acceptLanguage)
	}
	s := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, ifNoneMatch, acceptLanguage string) {
		h := http.Header{}
		if ifNoneMatch != "" {
			h.Set("If-None-Match", ifNoneMatch)
		}
		if acceptLanguage != "" {
			h.Set("Accept-Language", acceptLanguage)
		}
		r := s.do(t, http.MethodGet, "/api/v1/organizations/"+s.orgID, h, nil)
		if r.StatusCode != http.StatusOK && r.StatusCode != http.StatusNotModified {
			t.Errorf("status %d, want 200 or 304: %s", r.StatusCode, r.body)
		}
		switch cl := r.Header.Get("Content-Language"); cl {
		case "", directory.LangRU, directory.LangEN:
		default:
			t.Errorf("Content-Language %q", cl)
		}
	})
}

// FuzzImport sends any CSV or NDJSON body to a dry-run import: the readers
// and the import's validation, through the real handler.
func FuzzImport(f *testing.F) {
	for _, c := range []struct {
		csv  bool
		body string
	}{
		{false, `{"original_language":"ru","translations":{"ru":{"name":"Приют"}},"country_code":"RU","focus_areas":["shelter"]}`},
		{false, `{"original_language":"ru","translations":{"ru":{"name":"a"}},"country_code":"RU","address_hidden":true,"ADDRESS_HIDDEN":false}`},
		{false, "{\"original_language\":\"ru\",\"translations\":{\"ru\":{\"name\":\"\xff\"}},\"country_code\":\"RU\"}\n\n{}\n[]"},
		{false, strings.Repeat("[", 100000)},
		{true, "name_ru,country_code,focus_areas\nПриют,RU,\"shelter,hotline\"\n"},
		{true, "\ufeffname_ru;country_code;phone_1;phone_1_kind\nПриют;RU;8 (831) 200-00-99;office\n"},
		{true, "name_ru,country_code\n\xcf\xf0\xe8\xfe\xf2,RU\n"},
		{true, "name_ru,country_code,contact_1_name,contact_1_visibility\na,RU,b,nobody\n,,,\n\"x\n"},
		{true, "slug,name_en,country_code\nnadezhda-nizhny-novgorod,Renamed,RU\n"},
	} {
		f.Add(c.csv, []byte(c.body))
	}
	s := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, csv bool, body []byte) {
		ct := "application/x-ndjson"
		if csv {
			ct = "text/csv"
		}
		s.do(t, http.MethodPost, "/api/v1/import?dry_run=true", http.Header{
			"Authorization": {"Bearer " + s.admin}, "Content-Type": {ct}}, body)
	})
}

package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/dbtest"
	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/geo"
	"github.com/coalition-directory/coalition/internal/sqlite"
	"github.com/coalition-directory/coalition/internal/sqlstore"
)

// spec is the repository's openapi.yaml and a router over it, loaded once
// for all tests of the package.
var spec = sync.OnceValues(func() (routers.Router, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(filepath.Join("..", "openapi.yaml"))
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, err
	}
	doc.Servers = nil // match requests on any host
	// Export streams are checked by their own tests; the spec says they are strings.
	openapi3filter.RegisterBodyDecoder("application/x-ndjson", openapi3filter.FileBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/vcard", openapi3filter.PlainBodyDecoder)
	return gorillamux.NewRouter(doc)
})

// testServer is the API on a real database of its own (an SQLite file, or
// a PostgreSQL database when the environment says so: see dbtest), with a
// client that checks every response against openapi.yaml.
type testServer struct {
	t   *testing.T
	url string
	dir *directory.Service
	db  *sqlstore.DB
	// serverErrorsExpected lets a test check 5xx answers itself.
	serverErrorsExpected bool
}

// newTestServer starts the API over a fresh database loaded with orgs (the
// demo directory when orgs is nil).
func newTestServer(t *testing.T, orgs []directory.Organization) *testServer {
	t.Helper()
	return newTestServerWith(t, orgs, api.Options{})
}

// newTestServerWith is newTestServer with the server's options.
func newTestServerWith(t *testing.T, orgs []directory.Organization, opts api.Options) *testServer {
	t.Helper()
	return newTestServerOn(t, orgs, opts, nil, sqlite.Options{})
}

// newTestServerOn is newTestServerWith whose listener is wrap's, when set,
// and whose database has dbOpts: settings other than the defaults are
// SQLite's, and a test that sets them runs on SQLite only.
func newTestServerOn(t *testing.T, orgs []directory.Organization, opts api.Options, wrap func(net.Listener) net.Listener, dbOpts sqlite.Options) *testServer {
	t.Helper()
	return startTestServer(t, orgs, opts, wrap, dbOpts, nil)
}

// newTestServerLogged is newTestServerWith whose server logs, as JSON lines
// at every level, into the returned log.
func newTestServerLogged(t *testing.T, orgs []directory.Organization, opts api.Options) (*testServer, *syncBuffer) {
	t.Helper()
	var buf syncBuffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return startTestServer(t, orgs, opts, nil, sqlite.Options{}, log), &buf
}

// syncBuffer is a bytes.Buffer that a server may write while a test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	// wrote is closed by the next write (and then replaced), for waitRecord.
	wrote chan struct{}
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.wrote != nil {
		close(b.wrote)
		b.wrote = nil
	}
	return b.buf.Write(p)
}

// waitRecord returns the first record with every field of want, waiting
// for writes until one comes: by events, not a deadline (a record that
// never comes ends the test at go test's -timeout, with every goroutine's
// stack).
func (b *syncBuffer) waitRecord(t *testing.T, want map[string]any) map[string]any {
	t.Helper()
	for {
		b.mu.Lock()
		if b.wrote == nil {
			b.wrote = make(chan struct{})
		}
		wrote := b.wrote // taken before reading: a write after the read closes it
		b.mu.Unlock()
		if rec := findRecord(b.records(t), want); rec != nil {
			return rec
		}
		<-wrote
	}
}

// records returns the JSON log records written so far.
func (b *syncBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	dec := json.NewDecoder(bytes.NewReader(b.buf.Bytes()))
	for dec.More() {
		var rec map[string]any
		if err := dec.Decode(&rec); err != nil {
			t.Fatalf("log is not JSON lines: %v", err)
		}
		out = append(out, rec)
	}
	return out
}

// startTestServer is newTestServerOn with log, when set, as the server's log.
func startTestServer(t *testing.T, orgs []directory.Organization, opts api.Options, wrap func(net.Listener) net.Listener, dbOpts sqlite.Options, log *slog.Logger) *testServer {
	t.Helper()
	var db *sqlstore.DB
	if dbOpts == (sqlite.Options{}) {
		db = dbtest.Open(t)
	} else {
		db = dbtest.OpenSQLite(t, dbOpts, "a disk that fills fails writes with SQLSTATE 53100 (disk_full), which the store maps to the same 507").DB
	}
	// Every test runs over the cache the server uses, so each write
	// followed by a read checks that the write invalidated it.
	return serveStore(t, db, directory.NewCache(db, db.DataVersion, 100), orgs, opts, wrap, log)
}

// serveStore starts the API over store, which db holds, loaded with orgs
// (the demo directory when orgs is nil; none when it is empty).
func serveStore(t *testing.T, db *sqlstore.DB, store directory.Store, orgs []directory.Organization, opts api.Options, wrap func(net.Listener) net.Listener, log *slog.Logger) *testServer {
	t.Helper()
	ctx := context.Background()
	places, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	dir := directory.NewService(store, places)
	if orgs == nil {
		if orgs, err = demo.Organizations(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := dir.Seed(ctx, orgs); err != nil {
		t.Fatal(err)
	}
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
		if testing.Verbose() {
			log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		}
	}
	opts.DBPools = db // as serve does
	h, err := api.NewServer(log, dir, db, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Config = api.NewHTTPServer(h, opts, log) // the timeouts of the real server
	if wrap != nil {
		srv.Listener = wrap(srv.Listener)
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return &testServer{t: t, url: srv.URL, dir: dir, db: db}
}

// response is a finished exchange whose body has been read.
type response struct {
	*http.Response
	body []byte
}

// do sends a request and checks the response against the spec: a
// documented status, content type, headers and body schema. Requests that
// match no route must get a problem+json body.
func (s *testServer) do(method, path string, header http.Header, body io.Reader) response {
	s.t.Helper()
	res := s.page(method, path, header, body)
	if res.StatusCode >= 500 && !s.serverErrorsExpected {
		s.t.Errorf("%s %s: status %d: %s", method, path, res.StatusCode, res.body)
	}
	s.validate(res.Request, res.Response, res.body)
	return res
}

// key makes an API key with role and returns its secret.
func (s *testServer) key(role directory.Role) string {
	s.t.Helper()
	_, secret, err := s.dir.CreateKey(context.Background(), directory.Operator("test"), "test "+string(role), role)
	if err != nil {
		s.t.Fatal(err)
	}
	return secret
}

// bearer returns the header that authenticates with secret; none for "".
func bearer(secret string) http.Header {
	if secret == "" {
		return http.Header{}
	}
	return http.Header{"Authorization": {"Bearer " + secret}}
}

// send sends a JSON body (a string is sent as is) with the key secret.
func (s *testServer) send(method, path, secret string, body any) response {
	s.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			s.t.Fatal(err)
		}
	}
	h := bearer(secret)
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	return s.do(method, path, h, bytes.NewReader(raw))
}

func (s *testServer) get(path string) response {
	s.t.Helper()
	return s.do(http.MethodGet, path, nil, nil)
}

func (s *testServer) validate(req *http.Request, res *http.Response, raw []byte) {
	s.t.Helper()
	router, err := spec()
	if err != nil {
		s.t.Fatalf("load openapi.yaml: %v", err)
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		// No documented route: only an error is a right answer.
		if ct := res.Header.Get("Content-Type"); res.StatusCode < 400 || ct != "application/problem+json" {
			s.t.Errorf("%s %s: undocumented route answered %d %s", req.Method, req.URL, res.StatusCode, ct)
		}
		checkProblemShape(s.t, raw)
		return
	}
	checkMediaType(s.t, route, res, raw)
	body := raw
	if res.Header.Get("Content-Encoding") != "" {
		body = nil // compressed: the schema check runs on the other requests
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 res.StatusCode,
		Header:                 res.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if body == nil {
		input.Options.ExcludeResponseBody = true
	}
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		s.t.Errorf("%s %s: response %d does not match openapi.yaml: %v\nbody: %.500s", req.Method, req.URL, res.StatusCode, err, raw)
	}
}

// checkMediaType fails the test unless the response's media type is one
// that the spec lists for its status, exactly (no wildcards), and a status
// the spec gives no content has no body.
func checkMediaType(t *testing.T, route *routers.Route, res *http.Response, raw []byte) {
	t.Helper()
	ref := route.Operation.Responses.Status(res.StatusCode)
	if ref == nil || ref.Value == nil {
		return // ValidateResponse reports an undocumented status
	}
	content := ref.Value.Content
	ct := res.Header.Get("Content-Type")
	if len(content) == 0 {
		if len(raw) > 0 || ct != "" {
			t.Errorf("%s %s: status %d has no content in openapi.yaml, got %q with %d bytes", res.Request.Method, res.Request.URL, res.StatusCode, ct, len(raw))
		}
		return
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || content[mt] == nil {
		t.Errorf("%s %s: status %d sent as %q; openapi.yaml lists %v", res.Request.Method, res.Request.URL, res.StatusCode, ct, slices.Sorted(maps.Keys(content)))
	}
}

func checkProblemShape(t *testing.T, raw []byte) {
	t.Helper()
	var p api.Problem
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil || p.Status == 0 || p.Title == "" || p.Type == "" {
		t.Errorf("not a problem document (%v): %s", err, raw)
	}
}

// decode unmarshals a response body, failing the test when it cannot.
func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %T: %v: %.300s", v, err, r.body)
	}
	return v
}

// wantStatus fails the test when the response has another status.
func wantStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.StatusCode != want {
		t.Fatalf("%s %s: got status %d, want %d: %.500s", r.Request.Method, r.Request.URL, r.StatusCode, want, r.body)
	}
}

// listAll pages through a list with the given query and returns every item.
func (s *testServer) listAll(query string, perPage int) []api.Organization {
	s.t.Helper()
	var all []api.Organization
	for page := 1; ; page++ {
		r := s.get("/api/v1/organizations?" + query + "&per_page=" + strconv.Itoa(perPage) + "&page=" + strconv.Itoa(page))
		wantStatus(s.t, r, http.StatusOK)
		list := decode[api.OrganizationList](s.t, r)
		all = append(all, list.Items...)
		if page >= list.TotalPages {
			if len(all) != list.TotalItems {
				s.t.Errorf("%s: paged through %d items, total_items says %d", query, len(all), list.TotalItems)
			}
			return all
		}
	}
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

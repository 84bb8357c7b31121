package api_test

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/sqlite"
	"github.com/coalition-directory/coalition/internal/web"
)

// findRecord returns the first log record whose fields include want, or nil.
func findRecord(records []map[string]any, want map[string]any) map[string]any {
next:
	for _, rec := range records {
		for k, v := range want {
			if fmt.Sprint(rec[k]) != fmt.Sprint(v) {
				continue next
			}
		}
		return rec
	}
	return nil
}

// TestReadinessFailureIsLoggedWithItsCause closes the database under the
// server: /readyz answers the generic 503 and the server's log, not
// standard output, has the cause with the request's id.
func TestReadinessFailureIsLoggedWithItsCause(t *testing.T) {
	t.Parallel()
	s, log := newTestServerLogged(t, searchFixtures(), api.Options{})
	if err := s.db.Close(); err != nil {
		t.Fatal(err)
	}
	s.serverErrorsExpected = true
	r := s.get("/readyz")
	wantStatus(t, r, http.StatusServiceUnavailable)
	if p := decode[api.Problem](t, r); p.Detail != "the database does not answer" {
		t.Errorf("detail %q, want the generic one", p.Detail)
	}
	if strings.Contains(string(r.body), "closed") {
		t.Errorf("the answer shows the cause: %s", r.body)
	}
	id := r.Header.Get("X-Request-Id")
	rec := findRecord(log.records(t), map[string]any{"msg": "request failed", "path": "/readyz", "request_id": id, "level": "ERROR"})
	if rec == nil {
		t.Fatalf("no error record of /readyz with request_id %s in the log:\n%v", id, log.records(t))
	}
	if cause, _ := rec["err"].(string); !strings.Contains(cause, "database is closed") {
		t.Errorf("the log does not say why: err %q", cause)
	}
}

// TestCancelledExportIsTheClients cancels exports, mid-stream and as soon
// as they are sent: each is logged as the client's cancellation (status 499,
// info level), and nothing at all is logged as an error.
func TestCancelledExportIsTheClients(t *testing.T) {
	t.Parallel()
	orgs, err := demo.Organizations()
	if err != nil {
		t.Fatal(err)
	}
	orgs = append(orgs, demo.Generate(300, 1)...)
	var addr string
	var log syncBuffer
	s := startTestServer(t, orgs, api.Options{}, func(l net.Listener) net.Listener {
		addr = l.Addr().String()
		return smallBuffers{l}
	}, sqlite.Options{}, slog.New(slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug})))
	partner := s.key(directory.RolePartner)
	request := "GET /api/v1/export?format=%s HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer " + partner + "\r\n\r\n"

	// As soon as sent: the server may be anywhere, before its first byte or
	// in the stream.
	for i := range 8 {
		c := dial(t, addr)
		send(t, c, fmt.Sprintf(request, []string{"ndjson", "csv"}[i%2]))
		c.Close()
	}
	// Mid-stream: the answer has begun and is far from its end (it is
	// larger than the buffers of both sides).
	var ids []string
	for _, format := range []string{"ndjson", "csv"} {
		c := dialSmallWindow(t, addr)
		send(t, c, fmt.Sprintf(request, format))
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusOK {
			t.Fatalf("export: status %d", res.StatusCode)
		}
		if _, err := io.ReadFull(res.Body, make([]byte, 4<<10)); err != nil {
			t.Fatal(err)
		}
		c.Close()
		ids = append(ids, res.Header.Get("X-Request-Id"))
	}
	for _, id := range ids {
		rec := log.waitRecord(t, map[string]any{"msg": "request", "request_id": id})
		if fmt.Sprint(rec["status"]) != "499" || rec["level"] != "INFO" {
			t.Errorf("mid-stream cancellation logged as %v %v, want INFO 499: %v", rec["level"], rec["status"], rec)
		}
	}
	exports := 0
	for _, rec := range log.records(t) {
		if rec["level"] == "ERROR" || rec["level"] == "WARN" {
			t.Errorf("a cancelled export is logged as the server's failure: %v", rec)
		}
		if uri, _ := rec["uri"].(string); rec["msg"] == "request" && strings.HasPrefix(uri, "/api/v1/export") {
			exports++
			if fmt.Sprint(rec["status"]) != "499" {
				t.Errorf("a cancelled export logged with status %v: %v", rec["status"], rec)
			}
		}
	}
	if exports < len(ids) {
		t.Errorf("%d exports in the log, want at least %d", exports, len(ids))
	}
}

// TestPageCutShortIsTheClients closes the connection of a page that is
// being sent: its handler, which ignores a failed write, ends as if it had
// answered, and the log must still say 499 at info level, not 200.
func TestPageCutShortIsTheClients(t *testing.T) {
	t.Parallel()
	var pages *web.Handler // made once the server's directory is
	opts := api.Options{
		Pages:      http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { pages.ServeHTTP(w, r) }),
		ErrorPages: errorPagesFunc(func(w http.ResponseWriter, r *http.Request, status int) { pages.ServeError(w, r, status) }),
	}
	var addr string
	var log syncBuffer
	s := startTestServer(t, nil, opts, func(l net.Listener) net.Listener {
		addr = l.Addr().String()
		return smallBuffers{l}
	}, sqlite.Options{}, slog.New(slog.NewJSONHandler(&log, nil)))
	h, err := web.New(slog.New(slog.NewTextHandler(io.Discard, nil)), s.dir, web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pages = h
	if whole := s.page(http.MethodGet, "/", nil, nil); len(whole.body) < 64<<10 {
		t.Fatalf("the home page has %d bytes: too few to outlast the buffers of a client that stops reading", len(whole.body))
	}

	c := dialSmallWindow(t, addr)
	send(t, c, "GET / HTTP/1.1\r\nHost: test\r\n\r\n")
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(res.Body, make([]byte, 4<<10)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	id := res.Header.Get("X-Request-Id")
	rec := log.waitRecord(t, map[string]any{"msg": "request", "request_id": id})
	if fmt.Sprint(rec["status"]) != "499" || rec["level"] != "INFO" {
		t.Errorf("a page cut short logged as %v %v, want INFO 499: %v", rec["level"], rec["status"], rec)
	}
}

// TestRequestLogRedactsKeys sends a real key in the ways people paste one
// into a URL and checks that the request log keeps each URL's shape, the
// parameter names and the other values, and has the key nowhere.
func TestRequestLogRedactsKeys(t *testing.T) {
	t.Parallel()
	s, log := newTestServerLogged(t, searchFixtures(), api.Options{})
	secret := s.key(directory.RolePartner)
	encoded := "%63%64%6B%5F" + secret[len("cdk_"):] // "cdk_" percent-encoded
	tests := []struct{ path, want string }{
		{"/signin?key=" + secret, "/signin?key=REDACTED"},
		{"/api/v1/organizations?api_key=" + secret + "&country=RU", "/api/v1/organizations?api_key=REDACTED&country=RU"},
		{"/api/v1/organizations?country=RU&Access_Token=tok-7Qz9&lang=en", "/api/v1/organizations?country=RU&Access_Token=REDACTED&lang=en"},
		{"/api/v1/organizations?q=" + secret, "/api/v1/organizations?q=REDACTED"},
		{"/api/v1/organizations?q=" + encoded, "/api/v1/organizations?q=REDACTED"},
		{"/api/v1/organizations?auth=Bearer%20" + secret, "/api/v1/organizations?auth=REDACTED"},
		{"/api/v1/organizations?" + secret, "/api/v1/organizations?REDACTED"},
		{"/api/v1/organizations/" + secret + "/contacts?lang=en", "/api/v1/organizations/REDACTED/contacts?lang=en"},
		// Nothing to hide: the URL as sent.
		{"/api/v1/organizations?q=%D0%BF%D1%80%D0%B8%D1%8E%D1%82&focus_area=shelter,hotline&page=2&flag", "/api/v1/organizations?q=%D0%BF%D1%80%D0%B8%D1%8E%D1%82&focus_area=shelter,hotline&page=2&flag"},
	}
	for _, tt := range tests {
		res, err := http.Get(s.url + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		rec := log.waitRecord(t, map[string]any{"msg": "request", "request_id": res.Header.Get("X-Request-Id")})
		if got := rec["uri"]; got != tt.want {
			t.Errorf("%s: logged uri %q, want %q", tt.path, got, tt.want)
		}
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	if raw := log.buf.String(); strings.Contains(raw, secret[len("cdk_"):]) || strings.Contains(raw, "tok-7Qz9") {
		t.Errorf("the log holds the key:\n%s", raw)
	}
}

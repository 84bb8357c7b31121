package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/coalition-directory/coalition/api"
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

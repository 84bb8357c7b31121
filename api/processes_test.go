package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/dbtest"
	"github.com/coalition-directory/coalition/internal/directory"
)

// TestTwoAPIProcesses runs two API servers, each over its own handle on
// one PostgreSQL database with its own pools and cache, as two stateless
// API replicas behind a load balancer: nothing one holds may make the
// other wrong.
func TestTwoAPIProcesses(t *testing.T) {
	if dbtest.Backend() != "postgres" {
		t.Skip("two API processes share a PostgreSQL database: set " + dbtest.EnvURL)
	}
	t.Parallel()
	ctx := context.Background()
	d := dbtest.New(t)
	dbA, dbB := d.Open(), d.Open()
	a := serveStore(t, dbA, directory.NewCache(dbA, dbA.DataVersion, 100), searchFixtures(), api.Options{}, nil, nil)
	b := serveStore(t, dbB, directory.NewCache(dbB, dbB.DataVersion, 100), searchFixtures(), api.Options{}, nil, nil)
	editor, admin := a.key(directory.RoleEditor), a.key(directory.RoleAdmin)

	t.Run("create through one, read through the other", func(t *testing.T) {
		// B has the list and the record's absence in its cache.
		wantStatus(t, b.get("/api/v1/organizations?q=маяк"), http.StatusOK)
		wantStatus(t, b.get("/api/v1/organizations/tsentr-mayak"), http.StatusNotFound)
		wantStatus(t, a.send(http.MethodPost, "/api/v1/organizations", editor,
			`{"name": "Центр «Маяк»", "slug": "tsentr-mayak", "country_code": "RU", "focus_areas": ["hotline"]}`), http.StatusCreated)
		fromA, fromB := a.get("/api/v1/organizations/tsentr-mayak"), b.get("/api/v1/organizations/tsentr-mayak")
		wantStatus(t, fromB, http.StatusOK)
		if ea, eb := fromA.Header.Get("ETag"), fromB.Header.Get("ETag"); ea == "" || ea != eb {
			t.Errorf("ETag through A %q, through B %q; want the same", ea, eb)
		}
		if got := string(b.get("/api/v1/organizations?q=маяк").body); !strings.Contains(got, `"total_items":1`) {
			t.Errorf("B's list after A's create: %s", got)
		}
	})

	t.Run("concurrent If-Match updates through both: one wins", func(t *testing.T) {
		etag := a.get("/api/v1/organizations/nadezhda").Header.Get("ETag")
		const writers = 8
		statuses := make([]int, writers)
		var wg sync.WaitGroup
		for i := range writers {
			s := []*testServer{a, b}[i%2]
			wg.Go(func() {
				h := bearer(editor)
				h.Set("Content-Type", "application/merge-patch+json")
				h.Set("If-Match", etag)
				r := s.do(http.MethodPatch, "/api/v1/organizations/nadezhda", h, strings.NewReader(fmt.Sprintf(`{"city": "Город %d"}`, i)))
				statuses[i] = r.StatusCode
			})
		}
		wg.Wait()
		won := 0
		for i, st := range statuses {
			switch st {
			case http.StatusOK:
				won++
			case http.StatusPreconditionFailed:
			default:
				t.Errorf("writer %d: status %d, want 200 or 412", i, st)
			}
		}
		if won != 1 {
			t.Errorf("%d of %d If-Match updates won (%v), want exactly one", won, writers, statuses)
		}
	})

	t.Run("a key revoked through one is refused by the other", func(t *testing.T) {
		key, secret, err := a.dir.CreateKey(ctx, directory.Operator("test"), "soon revoked", directory.RolePartner)
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, b.do(http.MethodGet, "/api/v1/export?format=ndjson", bearer(secret), nil), http.StatusOK)
		wantStatus(t, a.send(http.MethodDelete, "/api/v1/keys/"+key.ID, admin, nil), http.StatusOK)
		wantStatus(t, b.do(http.MethodGet, "/api/v1/organizations", bearer(secret), nil), http.StatusUnauthorized)
	})

	t.Run("a web session works through both", func(t *testing.T) {
		_, secret, err := a.dir.CreateKey(ctx, directory.Operator("test"), "signs in", directory.RolePartner)
		if err != nil {
			t.Fatal(err)
		}
		token, _, err := a.dir.SignIn(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		if caller, err := b.dir.SessionCaller(ctx, token); err != nil || caller.Role != directory.RolePartner {
			t.Fatalf("B's caller of A's session: %+v, %v", caller, err)
		}
		if err := b.dir.SignOut(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, err := a.dir.SessionCaller(ctx, token); err == nil {
			t.Error("A still accepts a session B signed out")
		}
	})
}

package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/dbtest"
	"github.com/coalition-directory/coalition/internal/directory"
)

// TestReadsFromReplica runs the API over PostgreSQL with a streaming
// replica: a record written through the primary is read from the replica
// once it has replayed; and while the replica's replay is paused, a list
// without headers is answered from the replica, which has not seen a new
// record, and one with If-Match or Cache-Control: no-cache from the
// primary, which has.
func TestReadsFromReplica(t *testing.T) {
	d := dbtest.New(t)
	db := d.OpenReplicated()
	// Without the cache: with replicas the server keeps none (see cmd).
	s := serveStore(t, db, db, searchFixtures(), api.Options{}, nil, nil)
	editor := s.key(directory.RoleEditor)
	replica := d.ReplicaURL()

	total := func(path string, header http.Header) int {
		t.Helper()
		r := s.do(http.MethodGet, path, header, nil)
		wantStatus(t, r, http.StatusOK)
		var page struct {
			TotalItems int `json:"total_items"`
		}
		if err := json.Unmarshal(r.body, &page); err != nil {
			t.Fatal(err)
		}
		return page.TotalItems
	}
	create := func(name string) {
		t.Helper()
		wantStatus(t, s.send(http.MethodPost, "/api/v1/organizations", editor,
			`{"name": "`+name+`", "country_code": "RU", "focus_areas": ["research"]}`), http.StatusCreated)
	}

	create("Центр Зеркальщиков")
	dbtest.WaitForReplica(t, replica, "SELECT count(*) FROM organizations WHERE name_ru = 'Центр Зеркальщиков'")
	if n := total("/api/v1/organizations?q=зеркальщиков", nil); n != 1 {
		t.Fatalf("a record the replica has replayed: %d found, want 1", n)
	}

	pauseReplay(t)
	create("Центр Стекольщиков")
	for _, c := range []struct {
		name   string
		header http.Header
		want   int
	}{
		{"no header (the replica)", nil, 0},
		{"If-Match (the primary)", http.Header{"If-Match": {"*"}}, 1},
		{"Cache-Control: no-cache (the primary)", http.Header{"Cache-Control": {"no-cache"}}, 1},
	} {
		if n := total("/api/v1/organizations?q=стекольщиков", c.header); n != c.want {
			t.Errorf("%s, while the replica's replay is paused: %d found, want %d", c.name, n, c.want)
		}
	}
	// The store itself: a context that asks for the primary reads there.
	q := directory.ListQuery{Text: "стекольщиков", Page: 1, PerPage: 10, Sort: directory.SortRelevance}
	search := directory.ParseSearch(q.Text)
	if _, n, err := db.ListOrganizations(directory.WithPrimary(context.Background()), q, search, false); err != nil || n != 1 {
		t.Errorf("ListOrganizations with WithPrimary: %d found (%v), want 1", n, err)
	}
}

// pauseReplay pauses the replay of the test replica (EnvReplicaURL) until
// the test ends, and waits until it has paused.
func pauseReplay(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, os.Getenv(dbtest.EnvReplicaURL))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := conn.Exec(ctx, "SELECT pg_wal_replay_resume()"); err != nil {
			t.Errorf("resume the replica's replay: %v", err)
		}
		conn.Close(ctx)
	})
	if _, err := conn.Exec(ctx, "SELECT pg_wal_replay_pause()"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var state string
		if err := conn.QueryRow(ctx, "SELECT pg_get_wal_replay_pause_state()").Scan(&state); err != nil {
			t.Fatal(err)
		}
		if strings.EqualFold(state, "paused") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica's replay is %s, not paused, after 30 s", state)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

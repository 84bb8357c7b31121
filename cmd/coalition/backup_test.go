package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coalition-directory/coalition/internal/dbtest"
	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/sqlite"
)

func TestBackupDuringWrites(t *testing.T) {
	t.Parallel()
	dbtest.SkipUnlessSQLite(t, "pg_dump --format=custom copies a live database, pg_restore loads it (TestBackupOnPostgresNamesPgDump)")
	dir := t.TempDir()
	live, backup := filepath.Join(dir, "live.db"), filepath.Join(dir, "backup.db")
	getenv := func(k string) string { return map[string]string{"COALITION_DB": live}[k] }
	var out strings.Builder
	if err := run(context.Background(), []string{"keys", "create", "--name", "writer", "--role", "editor"}, getenv, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	secret, _, _ := strings.Cut(out.String(), "\n")
	base, _ := startServe(t, map[string]string{"COALITION_DB": live})

	// Writers create organizations until the backup is done (at most 300).
	var created atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := 0; i < 150; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf(`{"name": "Организация %d-%d", "country_code": "RU", "focus_areas": ["research"]}`, w, i)
				req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/organizations", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+secret)
				req.Header.Set("Content-Type", "application/json")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				if res.StatusCode != http.StatusCreated {
					t.Errorf("create during backup: %d", res.StatusCode)
					return
				}
				created.Add(1)
			}
		})
	}
	for created.Load() < 20 && !t.Failed() {
		time.Sleep(5 * time.Millisecond) // let some writes land first, so the backup runs among them
	}
	if err := run(context.Background(), []string{"backup", "--db", live, backup}, func(string) string { return "" }, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	if err := run(context.Background(), []string{"backup", "--db", live, backup}, func(string) string { return "" }, nil, io.Discard, io.Discard); err == nil {
		t.Error("a backup overwrote an existing file")
	}

	db, err := sqlite.Open(context.Background(), backup)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.IntegrityCheck(context.Background()); err != nil {
		t.Error(err)
	}
	db.Close()

	restored, _ := startServe(t, nil, "--db", backup)
	var list struct {
		TotalItems int `json:"total_items"`
	}
	getJSON(t, restored+"/api/v1/organizations?country=RU&per_page=1", &list)
	var before struct {
		TotalItems int `json:"total_items"`
	}
	getJSON(t, base+"/api/v1/organizations?country=RU&per_page=1", &before)
	orgs, err := demo.Organizations()
	if err != nil {
		t.Fatal(err)
	}
	demoRU := 0
	for _, o := range orgs {
		if o.CountryCode == "RU" {
			demoRU++
		}
	}
	if list.TotalItems < demoRU+20 || list.TotalItems > before.TotalItems {
		t.Errorf("the backup serves %d Russian organizations; the live database has %d and had at least %d when the backup began",
			list.TotalItems, before.TotalItems, demoRU+20)
	}
}

// TestBackupOnPostgresNamesPgDump checks that backup on PostgreSQL fails,
// saying to use pg_dump, before it connects to anything.
func TestBackupOnPostgresNamesPgDump(t *testing.T) {
	t.Parallel()
	err := run(context.Background(), []string{"backup", "--database-url", "postgres://nobody@127.0.0.1:1/none", filepath.Join(t.TempDir(), "b")},
		func(string) string { return "" }, nil, io.Discard, io.Discard)
	if err == nil || exitCode(err) == 0 || !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("backup on PostgreSQL: got %v, want an error naming pg_dump", err)
	}
}

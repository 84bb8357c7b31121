package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/geo"
	"github.com/coalition-directory/coalition/internal/sqlite"
	"github.com/coalition-directory/coalition/internal/web"
)

// BenchmarkPageAndJSON serves the same query as a page and as the JSON
// API, in-process, with the server composed as `coalition serve` composes
// it (directory.Cache over the SQLite store). Each response must be 200.
// COALITION_BENCH_ORGS sets the directory's size (1,000 by default).
//
//	go test ./internal/web -run '^$' -bench PageAndJSON -benchmem
func BenchmarkPageAndJSON(b *testing.B) {
	n := 1000
	if v := os.Getenv("COALITION_BENCH_ORGS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("COALITION_BENCH_ORGS=%q: want a positive number", v)
		}
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	places, err := geo.Load()
	if err != nil {
		b.Fatal(err)
	}
	dir := directory.NewService(directory.NewCache(db, db.DataVersion, 1000), places)
	orgs := demo.Generate(n, 1)
	if _, err := dir.Seed(ctx, orgs); err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pages, err := web.New(log, dir, web.Options{})
	if err != nil {
		b.Fatal(err)
	}
	h, err := api.NewServer(log, dir, db, api.Options{Pages: pages})
	if err != nil {
		b.Fatal(err)
	}
	slug := orgs[n/2].Slug
	q := url.QueryEscape("центр")
	for _, c := range []struct{ name, path string }{
		{"organization/json", "/api/v1/organizations/" + slug},
		{"organization/page", "/org/" + slug},
		{"search/json", "/api/v1/organizations?q=" + q},
		{"search/page", "/?q=" + q},
	} {
		b.Run(fmt.Sprintf("%s/orgs=%d", c.name, n), func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.path, nil))
					if rec.Code != http.StatusOK {
						b.Errorf("GET %s: %d", c.path, rec.Code)
						return
					}
				}
			})
		})
	}
}

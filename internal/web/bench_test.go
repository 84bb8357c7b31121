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
	"sync/atomic"
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
// it (directory.Cache over the SQLite store), plainly and gzipped (the
// "/gzip" cases send Accept-Encoding: gzip, as browsers do), with the size
// of the body as sent (resp-bytes). Each response must be 200.
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
	h, slug := benchServer(b, n)
	q := url.QueryEscape("центр")
	for _, c := range []struct{ name, path string }{
		{"organization/json", "/api/v1/organizations/" + slug},
		{"organization/page", "/org/" + slug},
		{"search/json", "/api/v1/organizations?q=" + q},
		{"search/page", "/?q=" + q},
	} {
		for _, encoding := range []string{"", "gzip"} {
			name := c.name
			if encoding != "" {
				name += "/" + encoding
			}
			b.Run(fmt.Sprintf("%s/orgs=%d", name, n), func(b *testing.B) {
				b.ReportAllocs()
				var size atomic.Int64 // the body as sent, for the resp-bytes metric
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						rec := httptest.NewRecorder()
						req := httptest.NewRequest(http.MethodGet, c.path, nil)
						if encoding != "" {
							req.Header.Set("Accept-Encoding", encoding)
						}
						h.ServeHTTP(rec, req)
						if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != encoding {
							b.Errorf("GET %s with Accept-Encoding %q: %d, Content-Encoding %q", c.path, encoding, rec.Code, rec.Header().Get("Content-Encoding"))
							return
						}
						size.Store(int64(rec.Body.Len()))
					}
				})
				b.ReportMetric(float64(size.Load()), "resp-bytes")
			})
		}
	}
}

// benchServer returns the server as `coalition serve` composes it, over a
// new directory of n generated organizations, and the slug of one of them.
func benchServer(tb testing.TB, n int) (http.Handler, string) {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "bench.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	places, err := geo.Load()
	if err != nil {
		tb.Fatal(err)
	}
	dir := directory.NewService(directory.NewCache(db, db.DataVersion, 1000), places)
	orgs := demo.Generate(n, 1)
	if _, err := dir.Seed(ctx, orgs); err != nil {
		tb.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pages, err := web.New(log, dir, web.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	h, err := api.NewServer(log, dir, db, api.Options{Pages: pages})
	if err != nil {
		tb.Fatal(err)
	}
	return h, orgs[n/2].Slug
}

package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/dbtest"
	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/geo"
)

// The benchmarks call the API's handler in-process with
// httptest.NewRecorder: the figures are the handler, the service and the
// database, without the loopback network. Every response's status is
// checked, and the first one's body, so that a failing or empty endpoint
// cannot produce a fast number; bodies are not validated against the spec,
// which the tests do.
//
//	go test ./api -run '^$' -bench . -benchtime=2s -benchmem

// benchSizes are the directory sizes every benchmark runs on.
var benchSizes = []int{1000, 100_000}

// benchDirectories builds the directory of each size on first use, once
// per test binary: the 100,000 organizations take a while to load. Plain
// `go test` never calls them.
var benchDirectories = func() map[int]func() (*benchDirectory, error) {
	m := make(map[int]func() (*benchDirectory, error), len(benchSizes))
	for _, n := range benchSizes {
		m[n] = sync.OnceValues(func() (*benchDirectory, error) { return newBenchDirectory(n) })
	}
	return m
}()

// benchCleanup holds what the built directories leave behind, for TestMain.
var benchCleanup struct {
	sync.Mutex
	funcs []func()
}

// TestMain removes the benchmark databases when the test binary is done.
func TestMain(m *testing.M) {
	defer func() {
		benchCleanup.Lock()
		defer benchCleanup.Unlock()
		for _, f := range benchCleanup.funcs {
			f()
		}
	}()
	m.Run()
}

// benchDirectory is the API over a generated directory in a database of
// its own: an SQLite file, or a PostgreSQL database when
// COALITION_TEST_DATABASE_URL is set (internal/dbtest).
type benchDirectory struct {
	handler http.Handler
	slugs   []string // a sample of the stored slugs, spread over the table
}

func newBenchDirectory(n int) (*benchDirectory, error) {
	ctx := context.Background()
	db, cleanup, err := dbtest.OpenOutsideTest(ctx)
	if err != nil {
		return nil, err
	}
	benchCleanup.Lock()
	benchCleanup.funcs = append(benchCleanup.funcs, cleanup)
	benchCleanup.Unlock()
	places, err := geo.Load()
	if err != nil {
		return nil, err
	}
	dir := directory.NewService(db, places)
	orgs := demo.Generate(n, 1)
	if stored, err := dir.Seed(ctx, orgs); err != nil {
		return nil, fmt.Errorf("seed %d organizations: %w", n, err)
	} else if stored != n {
		return nil, fmt.Errorf("seed stored %d organizations, want %d", stored, n)
	}
	if err := dbtest.Settle(ctx, db); err != nil {
		return nil, err
	}
	h, err := api.NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), dir, db, api.Options{})
	if err != nil {
		return nil, err
	}
	d := &benchDirectory{handler: h}
	for i := 0; i < n; i += max(1, n/1024) {
		d.slugs = append(d.slugs, orgs[i].Slug)
	}
	return d, nil
}

// benchmarkGet runs GET requests for the paths target returns, on every
// directory size. Each response must be 200; the first one's body must
// hold at least one organization.
func benchmarkGet(b *testing.B, target func(d *benchDirectory, i int) string) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("orgs=%d", n), func(b *testing.B) {
			d, err := benchDirectories[n]()
			if err != nil {
				b.Fatal(err)
			}
			serve := func(i int) *httptest.ResponseRecorder {
				path := target(d, i)
				rec := httptest.NewRecorder()
				d.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s: got status %d, want 200: %.300s", path, rec.Code, rec.Body)
				}
				return rec
			}
			checkNotEmpty(b, serve(0).Body.Bytes())

			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				serve(i)
			}
		})
	}
}

// checkNotEmpty fails the benchmark unless body is an organization or a
// list with items.
func checkNotEmpty(b *testing.B, body []byte) {
	b.Helper()
	var v struct {
		ID    string            `json:"id"`
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		b.Fatalf("decode response: %v: %.300s", err, body)
	}
	if v.ID == "" && len(v.Items) == 0 {
		b.Fatalf("empty response: %.300s", body)
	}
}

func BenchmarkList(b *testing.B) {
	benchmarkGet(b, func(*benchDirectory, int) string { return "/api/v1/organizations" })
}

func BenchmarkListFiltered(b *testing.B) {
	benchmarkGet(b, func(*benchDirectory, int) string {
		return "/api/v1/organizations?country=RU&focus_area=shelter"
	})
}

func BenchmarkSearch(b *testing.B) {
	path := "/api/v1/organizations?q=" + url.QueryEscape("центр") // relevance order by default
	benchmarkGet(b, func(*benchDirectory, int) string { return path })
}

// BenchmarkSearchCommon searches a word that a fifth of the generated
// organizations match, most of them in their descriptions: its total
// counts every one of them, and its page lies past the first relevance
// level (none has the word as typed in its name).
func BenchmarkSearchCommon(b *testing.B) {
	path := "/api/v1/organizations?q=" + url.QueryEscape("помощь")
	benchmarkGet(b, func(*benchDirectory, int) string { return path })
}

// BenchmarkSearchFiltered is a search combined with a filter, as the web
// directory's search form sends it, by relevance.
func BenchmarkSearchFiltered(b *testing.B) {
	for _, filter := range []string{"country=RU", "focus_area=shelter"} {
		path := "/api/v1/organizations?q=" + url.QueryEscape("центр") + "&" + filter
		b.Run(filter, func(b *testing.B) {
			benchmarkGet(b, func(*benchDirectory, int) string { return path })
		})
	}
}

func BenchmarkGetBySlug(b *testing.B) {
	benchmarkGet(b, func(d *benchDirectory, i int) string {
		return "/api/v1/organizations/" + d.slugs[i%len(d.slugs)]
	})
}

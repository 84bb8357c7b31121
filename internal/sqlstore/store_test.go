package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/coalition-directory/coalition/internal/dbtest"
	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/geo"
	"github.com/coalition-directory/coalition/internal/sqlstore"
)

// newTestDB opens a migrated database of the test's own, with a Service
// over it for writes that need the domain's rules.
func newTestDB(t *testing.T) (*sqlstore.DB, *directory.Service) {
	t.Helper()
	db := dbtest.Open(t)
	atlas, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	return db, directory.NewService(db, atlas)
}

// mustSeed stores n generated organizations through the Service, which
// validates them, and returns them as stored.
func mustSeed(t *testing.T, svc *directory.Service, n int, seed int64) []directory.Organization {
	t.Helper()
	return dbtest.Seed(t, svc, demo.Generate(n, seed))
}

// newOrganizations returns n generated organizations ready for
// CreateOrganizations (dbtest.AsNew).
func newOrganizations(n int, seed int64, prefix string) []directory.Organization {
	return dbtest.AsNew(demo.Generate(n, seed), prefix)
}

// TestNewOrganizationsReadBackAsCreated stores organizations that
// dbtest.AsNew made ready, as many tests do, and reads them back: each has
// the versions and times AsNew gave it, public ones (which anonymous
// callers get) included, and they are those an organization the Service
// creates has.
func TestNewOrganizationsReadBackAsCreated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, svc := newTestDB(t)
	orgs := newOrganizations(3, 5, "")
	if err := db.CreateOrganizations(ctx, orgs); err != nil {
		t.Fatal(err)
	}
	created, err := svc.CreateOrganization(ctx, directory.Caller{Name: "test", Role: directory.RoleEditor},
		directory.Organization{OriginalLanguage: directory.LangRU, CountryCode: "RU",
			Translations: map[string]directory.Text{directory.LangRU: {Name: "Созданная"}}})
	if err != nil {
		t.Fatal(err)
	}
	versions := func(o directory.Organization) string {
		return fmt.Sprintf("version %d public %d, created %s updated %s public %s, archived %v",
			o.Version, o.PublicVersion, o.CreatedAt, o.UpdatedAt, o.PublicUpdatedAt, o.ArchivedAt)
	}
	for _, o := range append(orgs, created) {
		got, err := db.Organization(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if versions(got) != versions(o) {
			t.Errorf("%s: stored %s; given %s", o.Slug, versions(got), versions(o))
		}
		// As created: the public version and time are the version and time.
		if o.PublicVersion != o.Version || !o.PublicUpdatedAt.Equal(o.UpdatedAt) {
			t.Errorf("%s: given %s, want the public version and time equal to the version and time", o.Slug, versions(o))
		}
	}
}

// tableCounts returns the number of rows of every table an organization
// writes to.
func tableCounts(t *testing.T, db *sqlstore.DB) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, table := range []string{"organizations", "contacts", "organization_regions",
		"organization_focus_areas", "organization_languages", "organization_search"} {
		var n int
		if err := db.Gorm().Raw("SELECT count(*) FROM " + table).Row().Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[table] = n
	}
	return counts
}

// schema describes the database's tables and indexes.
func schema(t *testing.T, db *sqlstore.DB) string {
	t.Helper()
	query := "SELECT type, name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name"
	if db.Backend() == "postgres" {
		query = `SELECT 'table', table_name, string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position)
			FROM information_schema.columns WHERE table_schema = current_schema() GROUP BY table_name
			UNION ALL SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()
			UNION ALL SELECT 'constraint', conrelid::regclass || ' ' || conname, pg_get_constraintdef(oid) FROM pg_constraint
				WHERE connamespace = current_schema()::regnamespace
			ORDER BY 1, 2`
	}
	rows, err := db.Gorm().Raw(query).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var typ, name, sql string
		if err := rows.Scan(&typ, &name, &sql); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %s %s\n", typ, name, sql)
	}
	return b.String()
}

func TestMigrateTwice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, svc := newTestDB(t)
	mustSeed(t, svc, 50, 1)
	before, rowsBefore := schema(t, db), tableCounts(t, db)

	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if after := schema(t, db); after != before {
		t.Errorf("the second Migrate changed the schema:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if after := tableCounts(t, db); fmt.Sprint(after) != fmt.Sprint(rowsBefore) {
		t.Errorf("the second Migrate changed the data: got %v, want %v", after, rowsBefore)
	}
	names, err := sqlstore.MigrationNames(db.Migrations())
	if err != nil {
		t.Fatal(err)
	}
	var applied int
	if err := db.Gorm().Raw("SELECT count(*) FROM schema_migrations").Row().Scan(&applied); err != nil {
		t.Fatal(err)
	}
	if applied != len(names) {
		t.Errorf("got %d applied migrations, want %d, one per file", applied, len(names))
	}
}

func TestCreateOrganizationsSlugConflict(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		slugs func(existing string, batch []directory.Organization)
	}{
		{"slug of a live organization", func(existing string, batch []directory.Organization) {
			batch[2].Slug = existing
		}},
		{"one slug twice in the batch", func(_ string, batch []directory.Organization) {
			batch[3].Slug = batch[1].Slug
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, svc := newTestDB(t)
			existing := mustSeed(t, svc, 20, 1)
			before := tableCounts(t, db)

			batch := newOrganizations(5, 2, "new-")
			tt.slugs(existing[7].Slug, batch)
			err := db.CreateOrganizations(ctx, batch)
			if code := directory.ErrorCode(err); code != directory.CodeConflict {
				t.Fatalf("got error %v (code %q), want a %s error", err, code, directory.CodeConflict)
			}
			var de *directory.Error
			if errors.As(err, &de) && (len(de.Fields) != 1 || de.Fields[0].Field != "slug") {
				t.Errorf("got field errors %v, want one naming slug", de.Fields)
			}
			if after := tableCounts(t, db); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("a failed create wrote rows: got %v, want %v", after, before)
			}
		})
	}

	t.Run("slug of an archived organization", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		db, svc := newTestDB(t)
		existing := mustSeed(t, svc, 20, 1)
		if _, err := svc.ArchiveOrganization(ctx, directory.Operator("test"), existing[7].ID, directory.Precondition{}); err != nil {
			t.Fatal(err)
		}
		batch := newOrganizations(1, 2, "")
		batch[0].Slug = existing[7].Slug
		if err := db.CreateOrganizations(ctx, batch); err != nil {
			t.Fatalf("reusing an archived organization's slug: %v", err)
		}
		got, err := db.Organization(ctx, existing[7].Slug)
		if err != nil || got.ID != batch[0].ID {
			t.Errorf("got organization %q (%v) by the slug, want the new one %q", got.ID, err, batch[0].ID)
		}
	})
}

// TestConcurrentReadsAndWrites runs readers while writers add
// organizations: nobody may see an error (with SQLite, in WAL mode with a
// busy timeout and IMMEDIATE write transactions, "database is locked").
func TestConcurrentReadsAndWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, svc := newTestDB(t)
	seeded := mustSeed(t, svc, 300, 1)

	const (
		readers    = 12
		writers    = 4
		batches    = 25 // per writer, at most
		batchSize  = 4
		timeBudget = 2 * time.Second
	)
	deadline := time.Now().Add(timeBudget)
	var (
		written  atomic.Int64
		reads    atomic.Int64
		failures = make(chan error, readers+writers)
		wg       sync.WaitGroup
	)
	done := make(chan struct{})
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := 0; b < batches && time.Now().Before(deadline); b++ {
				batch := newOrganizations(batchSize, int64(1000+w*batches+b), fmt.Sprintf("w%d-b%d-", w, b))
				if err := db.CreateOrganizations(ctx, batch); err != nil {
					failures <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
				written.Add(batchSize)
			}
		}()
	}
	queries := []directory.ListQuery{
		{Page: 1, PerPage: 20, Sort: directory.SortName},
		{Page: 2, PerPage: 20, Sort: directory.SortUpdatedAtDesc, Countries: []string{"RU"}},
		{Page: 1, PerPage: 50, Sort: directory.SortName, FocusAreas: []string{"shelter"}},
		{Page: 1, PerPage: 20, Sort: directory.SortRelevance, Text: "центр"},
	}
	var rg sync.WaitGroup
	for r := range readers {
		rg.Add(1)
		go func() {
			defer rg.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				var err error
				switch q := queries[(r+i)%len(queries)]; {
				case i%5 == 4:
					_, err = db.Counts(ctx)
				case i%5 == 3:
					var o directory.Organization
					if o, err = db.Organization(ctx, seeded[(r*31+i)%len(seeded)].Slug); err == nil {
						_, err = db.Contacts(ctx, o.ID, r%2 == 0)
					}
				default:
					_, _, err = db.ListOrganizations(ctx, q, directory.ParseSearch(q.Text), r%2 == 0)
				}
				if err != nil {
					failures <- fmt.Errorf("reader %d: %w", r, err)
					return
				}
				reads.Add(1)
			}
		}()
	}
	wg.Wait()
	close(done)
	rg.Wait()
	close(failures)
	for err := range failures {
		var se sqlite3.Error
		if errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked) {
			t.Errorf("busy: %v", err)
		} else {
			t.Error(err)
		}
	}
	if written.Load() == 0 || reads.Load() == 0 {
		t.Fatalf("got %d organizations written and %d reads, want some of each", written.Load(), reads.Load())
	}
	counts, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(seeded) + int(written.Load()); counts.Total != want {
		t.Errorf("got %d organizations, want %d", counts.Total, want)
	}
	t.Logf("%d organizations written, %d reads", written.Load(), reads.Load())
}

// TestListIsOneSnapshot lists while organizations are being added: the
// total and the page must always come from the same state of the directory.
func TestListIsOneSnapshot(t *testing.T) {
	t.Parallel()
	db, svc := newTestDB(t)
	mustSeed(t, svc, 30, 7)
	ctx := context.Background()
	done := make(chan struct{})
	writerErr := make(chan error, 1)
	go func() {
		defer close(writerErr)
		for i := 0; i < 200; i++ {
			select {
			case <-done:
				return
			default:
			}
			if err := db.CreateOrganizations(ctx, newOrganizations(1, int64(100+i), fmt.Sprintf("w%d-", i))); err != nil {
				writerErr <- err
				return
			}
		}
	}()
	q := directory.ListQuery{Page: 1, PerPage: directory.MaxPerPage, Sort: directory.SortName}
	for i := 0; i < 300; i++ {
		items, total, err := db.ListOrganizations(ctx, q, directory.SearchQuery{}, false)
		if err != nil {
			t.Fatal(err)
		}
		if total <= q.PerPage && len(items) != total {
			t.Fatalf("list %d: %d items but a total of %d", i, len(items), total)
		}
	}
	close(done)
	if err := <-writerErr; err != nil {
		t.Fatal(err)
	}
}

// TestFormerSlugs checks that a slug change keeps the old slug in the same
// transaction: a change that fails keeps none, one that succeeds leads the
// old slug on, and a slug taken back is current again.
func TestFormerSlugs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.Open(t)
	atlas, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	svc := directory.NewService(db, atlas)
	orgs := mustSeed(t, svc, 2, 1)
	a, b := orgs[0], orgs[1]
	op := directory.Operator("test")
	setSlug := func(slug string) error {
		_, err := svc.UpdateOrganization(ctx, op, a.ID, directory.Precondition{}, func(o *directory.Organization) error {
			o.Slug = slug
			return nil
		})
		return err
	}
	former := func() (n int) {
		if err := db.Gorm().Raw("SELECT count(*) FROM organization_slugs").Row().Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	if err := setSlug(b.Slug); directory.ErrorCode(err) != directory.CodeConflict {
		t.Fatalf("taking a live slug: %v, want a conflict", err)
	}
	if n := former(); n != 0 {
		t.Errorf("a failed slug change kept %d former slugs", n)
	}
	if err := setSlug("renamed"); err != nil {
		t.Fatal(err)
	}
	if got, err := svc.CurrentSlug(ctx, a.Slug); err != nil || got != "renamed" {
		t.Errorf("CurrentSlug(%q) = %q, %v; want renamed", a.Slug, got, err)
	}
	if err := setSlug(a.Slug); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CurrentSlug(ctx, a.Slug); directory.ErrorCode(err) != directory.CodeNotFound {
		t.Errorf("a slug taken back still leads elsewhere: %v", err)
	}
	if got, err := svc.CurrentSlug(ctx, "renamed"); err != nil || got != a.Slug {
		t.Errorf("CurrentSlug(renamed) = %q, %v; want %q", got, err, a.Slug)
	}
}

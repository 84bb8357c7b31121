package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/geo"
)

// The tests of what only SQLite does: its file settings, connections and
// migrations. The store's behaviour is tested in internal/sqlstore, on
// either backend.

// newTestDB opens a migrated database of the test's own, with a Service
// over it for writes that need the domain's rules.
func newTestDB(t *testing.T) (*DB, *directory.Service) {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
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
	orgs := demo.Generate(n, seed)
	if stored, err := svc.Seed(context.Background(), orgs); err != nil || stored != n {
		t.Fatalf("seed: stored %d of %d: %v", stored, n, err)
	}
	return orgs
}

// newOrganizations returns n generated organizations ready for
// CreateOrganizations, with what the Service would set on create. prefix
// keeps their slugs apart from those of other batches.
func newOrganizations(n int, seed int64, prefix string) []directory.Organization {
	orgs := demo.Generate(n, seed)
	now := time.Now().UTC().Truncate(time.Microsecond)
	for i := range orgs {
		o := &orgs[i]
		o.Slug = prefix + o.Slug
		o.CreatedAt, o.UpdatedAt, o.Version = now, now, 1
		for j := range o.Contacts {
			c := &o.Contacts[j]
			c.OrganizationID, c.CreatedAt, c.UpdatedAt, c.Version = o.ID, now, now, 1
		}
	}
	return orgs
}

// TestFileSettings checks what every connection of a new file and of a
// reopened one runs with: WAL, and the page size the file was created with.
func TestFileSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "settings.db")
	for _, step := range []string{"new", "reopened"} {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for _, g := range []*gorm.DB{db.gorm, db.read} {
			var mode string
			var size int
			if err := g.Raw("PRAGMA journal_mode").Row().Scan(&mode); err != nil {
				t.Fatal(err)
			}
			if err := g.Raw("PRAGMA page_size").Row().Scan(&size); err != nil {
				t.Fatal(err)
			}
			if mode != "wal" || size != pageSize {
				t.Errorf("%s file: journal_mode %s, page_size %d; want wal, %d", step, mode, size, pageSize)
			}
		}
		db.Close()
	}
}

// TestSearchMigration checks that migration 4 re-indexes a directory
// written under the word index of migration 3: the directory is stored at
// the latest schema, then its search index is put back as migration 3 left
// it, holding words only.
func TestSearchMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, svc := newTestDB(t)
	orgs := mustSeed(t, svc, 30, 9)
	if _, err := svc.ArchiveOrganization(ctx, directory.Operator("test"), orgs[0].ID, directory.Precondition{}); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"DROP TABLE organization_search",
		"DROP TABLE search_vocabulary",
		"CREATE VIRTUAL TABLE organization_search USING fts4 (names, public_text, private_text, tokenize=simple, matchinfo=fts3)",
		"INSERT INTO organization_search (docid, names) SELECT pk, sort_original FROM organizations WHERE archived_at IS NULL",
		"DELETE FROM schema_migrations WHERE version = 4",
	} {
		if err := db.gorm.Exec(stmt).Error; err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var indexed, vocabulary int
	if err := db.gorm.Raw("SELECT (SELECT count(*) FROM organization_search), (SELECT count(*) FROM search_vocabulary)").
		Row().Scan(&indexed, &vocabulary); err != nil {
		t.Fatal(err)
	}
	if indexed != 29 {
		t.Errorf("%d search rows after the migration, want one per live organization (29)", indexed)
	}
	if vocabulary == 0 {
		t.Error("the migration left the search vocabulary empty")
	}
	name := orgs[1].Translations[orgs[1].OriginalLanguage].Name
	page, err := svc.Organizations(ctx, directory.ListQuery{Text: name, Sort: directory.SortRelevance, Page: 1, PerPage: 5}, directory.Caller{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) == 0 || page.Items[0].ID != orgs[1].ID {
		t.Errorf("searching %q after the migration does not find it first", name)
	}
	var stems int
	if err := db.gorm.Raw("SELECT count(*) FROM search_vocabulary WHERE term LIKE ?", directory.StemMark+"%").Row().Scan(&stems); err != nil {
		t.Fatal(err)
	}
	if stems == 0 {
		t.Error("the migrated index holds no stems")
	}
}

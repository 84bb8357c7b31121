package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"gorm.io/gorm"

	"github.com/coalition-directory/coalition/internal/dbtest"
	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/geo"
	"github.com/coalition-directory/coalition/internal/sqlite"
)

// The tests of what only SQLite does: its file settings, connections and
// migrations. The store's behaviour is tested in internal/sqlstore, on
// either backend.

// newTestDB opens a migrated database of the test's own, with a Service
// over it for writes that need the domain's rules.
func newTestDB(t *testing.T) (*sqlite.DB, *directory.Service) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
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

// TestFileSettings checks what every connection of a new file and of a
// reopened one runs with: WAL, and the page size the file was created with.
func TestFileSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "settings.db")
	for _, step := range []string{"new", "reopened"} {
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for _, g := range []*gorm.DB{db.Gorm(), db.Read()} {
			var mode string
			var size int
			if err := g.Raw("PRAGMA journal_mode").Row().Scan(&mode); err != nil {
				t.Fatal(err)
			}
			if err := g.Raw("PRAGMA page_size").Row().Scan(&size); err != nil {
				t.Fatal(err)
			}
			if mode != "wal" || size != sqlite.PageSize {
				t.Errorf("%s file: journal_mode %s, page_size %d; want wal, %d", step, mode, size, sqlite.PageSize)
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
	orgs := dbtest.Seed(t, svc, demo.Generate(30, 9))
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
		if err := db.Gorm().Exec(stmt).Error; err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var indexed, vocabulary int
	if err := db.Gorm().Raw("SELECT (SELECT count(*) FROM organization_search), (SELECT count(*) FROM search_vocabulary)").
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
	if err := db.Gorm().Raw("SELECT count(*) FROM search_vocabulary WHERE term LIKE ?", directory.StemMark+"%").Row().Scan(&stems); err != nil {
		t.Fatal(err)
	}
	if stems == 0 {
		t.Error("the migrated index holds no stems")
	}
}

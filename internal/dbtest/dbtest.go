// Package dbtest gives tests a migrated database of their own on the
// backend the environment selects, so that the same test code runs on
// SQLite and on PostgreSQL. Only tests import it.
//
// Without COALITION_TEST_DATABASE_URL a database is an SQLite file in the
// test's t.TempDir(). With it set to a PostgreSQL URL (of a role that may
// create databases), each database is a new one on that server, with a
// random name, created from template0 with UTF-8 encoding and the C.UTF-8
// locale, and dropped WITH (FORCE) when the test ends.
package dbtest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/coalition-directory/coalition/internal/sqlite"
	"github.com/coalition-directory/coalition/internal/sqlstore"
)

// EnvURL is the environment variable that selects PostgreSQL for tests:
// the URL of a server where tests may create databases.
const EnvURL = "COALITION_TEST_DATABASE_URL"

// Database is one test's database, which any number of handles can open,
// as several processes would.
type Database struct {
	t testing.TB
	// file is the SQLite file; "" on PostgreSQL.
	file string
}

// New returns a new, empty database of the test's own on the backend the
// environment selects.
func New(t testing.TB) *Database {
	t.Helper()
	return &Database{t: t, file: filepath.Join(t.TempDir(), "test.db")}
}

// Backend names the backend tests run on: "sqlite" or "postgres".
func Backend() string {
	return "sqlite"
}

// Open opens a new handle on the database and migrates it; the handle is
// closed when the test ends.
func (d *Database) Open() *sqlstore.DB {
	d.t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, d.file)
	if err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		d.t.Fatal(err)
	}
	return db.DB
}

// Open returns a migrated database of the test's own (New(t).Open()).
func Open(t testing.TB) *sqlstore.DB {
	t.Helper()
	return New(t).Open()
}

// SkipUnlessSQLite skips a test of a feature only SQLite has when the tests
// run on PostgreSQL, saying what PostgreSQL offers instead (counterpart).
func SkipUnlessSQLite(t testing.TB, counterpart string) {
	t.Helper()
	if Backend() != "sqlite" {
		t.Skipf("SQLite only; on PostgreSQL: %s", counterpart)
	}
}

// OpenSQLite opens a migrated SQLite file of the test's own with opts, for
// tests of SQLite's own settings; it skips the test on PostgreSQL (see
// SkipUnlessSQLite).
func OpenSQLite(t testing.TB, opts sqlite.Options, counterpart string) *sqlite.DB {
	t.Helper()
	SkipUnlessSQLite(t, counterpart)
	ctx := context.Background()
	db, err := sqlite.OpenWith(ctx, filepath.Join(t.TempDir(), "test.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

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
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/coalition-directory/coalition/internal/postgres"
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
	// url is the PostgreSQL database's; "" on SQLite.
	url string
}

// New returns a new, empty database of the test's own on the backend the
// environment selects.
func New(t testing.TB) *Database {
	t.Helper()
	server := os.Getenv(EnvURL)
	if server == "" {
		return &Database{t: t, file: filepath.Join(t.TempDir(), "test.db")}
	}
	return &Database{t: t, url: CreateDatabase(t, server)}
}

// Backend names the backend tests run on: "sqlite" or "postgres".
func Backend() string {
	if os.Getenv(EnvURL) != "" {
		return "postgres"
	}
	return "sqlite"
}

// URL is the database's: a PostgreSQL URL, or the SQLite file's path.
func (d *Database) URL() string {
	if d.url != "" {
		return d.url
	}
	return d.file
}

// Open opens a new handle on the database and migrates it; the handle is
// closed when the test ends.
func (d *Database) Open() *sqlstore.DB {
	d.t.Helper()
	ctx := context.Background()
	if d.url != "" {
		db, err := postgres.Open(ctx, d.url)
		if err != nil {
			d.t.Fatal(err)
		}
		d.t.Cleanup(func() { db.Close() })
		if err := db.Migrate(ctx); err != nil {
			d.t.Fatal(err)
		}
		return db.DB
	}
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

// CreateDatabase creates a new database with a random name on the
// PostgreSQL server at serverURL, from template0, UTF-8 with the C.UTF-8
// locale, drops it WITH (FORCE) when the test ends, and returns its URL.
func CreateDatabase(t testing.TB, serverURL string) string {
	t.Helper()
	ctx := context.Background()
	u, err := url.Parse(serverURL)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	name := "coalition_test_" + rand.Text()[:16]
	admin, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		t.Fatalf("connect to %s: %v", EnvURL, err)
	}
	defer admin.Close(ctx)
	_, err = admin.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'`,
		pgx.Identifier{name}.Sanitize()))
	if err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := pgx.Connect(ctx, serverURL)
		if err != nil {
			t.Errorf("drop test database %s: %v", name, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, fmt.Sprintf("DROP DATABASE %s WITH (FORCE)", pgx.Identifier{name}.Sanitize())); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
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

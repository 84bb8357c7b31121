package main

import (
	"path/filepath"
	"testing"

	"github.com/coalition-directory/coalition/internal/dbtest"
	"github.com/coalition-directory/coalition/internal/postgres"
)

// testDatabase returns where a new database of the test's own is, as the
// command line takes it (see dbFlag): a file named name in dir on SQLite,
// or, when the tests run on PostgreSQL (dbtest), the URL of a new database.
func testDatabase(t testing.TB, dir, name string) string {
	t.Helper()
	if dbtest.Backend() == "postgres" {
		return dbtest.New(t).URL()
	}
	return filepath.Join(dir, name)
}

// dbFlag is the flag that names the database at where: --database-url for
// a PostgreSQL URL, --db for an SQLite file.
func dbFlag(where string) string {
	if postgres.IsURL(where) {
		return "--database-url"
	}
	return "--db"
}

// dbEnv is the environment variable that names the database at where:
// COALITION_DATABASE_URL for a PostgreSQL URL, COALITION_DB for a file.
func dbEnv(where string) string {
	if postgres.IsURL(where) {
		return "COALITION_DATABASE_URL"
	}
	return "COALITION_DB"
}

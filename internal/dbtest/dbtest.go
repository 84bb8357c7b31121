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
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/postgres"
	"github.com/coalition-directory/coalition/internal/sqlite"
	"github.com/coalition-directory/coalition/internal/sqlstore"
)

// EnvURL is the environment variable that selects PostgreSQL for tests:
// the URL of a server where tests may create databases.
const EnvURL = "COALITION_TEST_DATABASE_URL"

// EnvReplicaURL is the environment variable that names a streaming replica
// (a hot standby) of the server at EnvURL, for tests of read replicas: the
// databases tests create on the primary appear there as it replays.
const EnvReplicaURL = "COALITION_TEST_REPLICA_URL"

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

// ReplicaURL returns the URL of the database on the streaming replica
// (EnvReplicaURL), skipping the test when there is none.
func (d *Database) ReplicaURL() string {
	d.t.Helper()
	replica := os.Getenv(EnvReplicaURL)
	if d.url == "" || replica == "" {
		d.t.Skipf("no PostgreSQL streaming replica to read from (%s and %s)", EnvURL, EnvReplicaURL)
	}
	u, err := url.Parse(replica)
	if err != nil {
		d.t.Fatalf("%s: %v", EnvReplicaURL, err)
	}
	primary, err := url.Parse(d.url)
	if err != nil {
		d.t.Fatal(err)
	}
	u.Path = primary.Path
	return u.String()
}

// OpenReplicated opens a new handle on the database whose lists, searches
// and exports read from the streaming replica (see ReplicaURL), migrated.
// It waits for the replica to have the database, which it creates as it
// replays the primary's log.
func (d *Database) OpenReplicated() *sqlstore.DB {
	d.t.Helper()
	replica := d.ReplicaURL()
	ctx := context.Background()
	db, err := postgres.Open(ctx, d.url)
	if err != nil {
		d.t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		d.t.Fatal(err)
	}
	db.Close()
	WaitForReplica(d.t, replica, "SELECT count(*) FROM schema_migrations")
	db, err = postgres.OpenWith(ctx, d.url, postgres.Options{ReadURLs: []string{replica}})
	if err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { db.Close() })
	return db.DB
}

// WaitForReplica waits, for at most a minute, until query, which counts
// something, counts more than zero on the database at replicaURL.
func WaitForReplica(t testing.TB, replicaURL, query string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		var n int
		conn, err := pgx.Connect(ctx, replicaURL)
		if err == nil {
			err = conn.QueryRow(ctx, query).Scan(&n)
			conn.Close(ctx)
		}
		if err == nil && n > 0 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the replica has not replayed %q after a minute: %v", query, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// CreateDatabase creates a new database with a random name on the
// PostgreSQL server at serverURL, from template0, UTF-8 with the C.UTF-8
// locale, drops it WITH (FORCE) when the test ends, and returns its URL.
func CreateDatabase(t testing.TB, serverURL string) string {
	t.Helper()
	u, drop, err := createDatabase(context.Background(), serverURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Error(err)
		}
	})
	return u
}

// createDatabase creates a database as CreateDatabase does and returns its
// URL and the function that drops it.
func createDatabase(ctx context.Context, serverURL string) (string, func() error, error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", EnvURL, err)
	}
	name := pgx.Identifier{"coalition_test_" + rand.Text()[:16]}.Sanitize()
	admin, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return "", nil, fmt.Errorf("connect to %s: %w", EnvURL, err)
	}
	defer admin.Close(ctx)
	_, err = admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'")
	if err != nil {
		return "", nil, fmt.Errorf("create test database: %w", err)
	}
	drop := func() error {
		admin, err := pgx.Connect(ctx, serverURL)
		if err != nil {
			return fmt.Errorf("drop test database %s: %w", name, err)
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop test database %s: %w", name, err)
		}
		return nil
	}
	u.Path = "/" + strings.Trim(name, `"`)
	return u.String(), drop, nil
}

// OpenOutsideTest opens a migrated database on the backend the environment
// selects, for benchmarks that share one database across a test binary:
// an SQLite file in a new temporary directory, or a new PostgreSQL
// database. cleanup closes it and removes the file or drops the database.
func OpenOutsideTest(ctx context.Context) (db *sqlstore.DB, cleanup func(), err error) {
	var where string
	var remove func() error
	if server := os.Getenv(EnvURL); server != "" {
		if where, remove, err = createDatabase(ctx, server); err != nil {
			return nil, nil, err
		}
		pg, err := postgres.Open(ctx, where)
		if err != nil {
			remove()
			return nil, nil, err
		}
		db = pg.DB
	} else {
		tmp, err := os.MkdirTemp("", "coalition-bench-*")
		if err != nil {
			return nil, nil, err
		}
		remove = func() error { return os.RemoveAll(tmp) }
		lite, err := sqlite.Open(ctx, filepath.Join(tmp, "bench.db"))
		if err != nil {
			remove()
			return nil, nil, err
		}
		db = lite.DB
	}
	cleanup = func() {
		db.Close()
		remove()
	}
	if err := db.Migrate(ctx); err != nil {
		cleanup()
		return nil, nil, err
	}
	return db, cleanup, nil
}

// Settle finishes on PostgreSQL the maintenance that a load of a
// directory leaves the server to do, for benchmarks that measure reads
// right after one: a VACUUM of every table, which autovacuum would start
// during the measurements, and a CHECKPOINT, which writes out the pages
// the load dirtied (100,000 organizations write about 1 GB of WAL, whose
// checkpoint otherwise ran while the reads were timed). It does nothing
// on SQLite, which checkpoints its WAL as it commits.
func Settle(ctx context.Context, db *sqlstore.DB) error {
	if db.Backend() != "postgres" {
		return nil
	}
	pool, ok := db.Pools()["write"]
	if !ok {
		return fmt.Errorf("settle: no write pool")
	}
	for _, stmt := range []string{"VACUUM", "CHECKPOINT"} {
		if _, err := pool.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("settle: %s: %w", stmt, err)
		}
	}
	return nil
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

// Seed stores orgs (demo.Generate's, say) in an empty database through
// svc, which validates them as every way in does, and returns them as
// stored; it fails the test unless it stores them all.
func Seed(t testing.TB, svc *directory.Service, orgs []directory.Organization) []directory.Organization {
	t.Helper()
	if stored, err := svc.Seed(context.Background(), orgs); err != nil || stored != len(orgs) {
		t.Fatalf("seed: stored %d of %d: %v", stored, len(orgs), err)
	}
	return orgs
}

// AsNew returns orgs ready for directory.Store.CreateOrganizations, with
// what the Service sets on create (times now, version 1, the same public
// version and time, which anonymous callers get, live, contacts tied to
// their organization), their slugs prefixed with prefix to keep them apart
// from those of other batches.
func AsNew(orgs []directory.Organization, prefix string) []directory.Organization {
	now := time.Now().UTC().Truncate(time.Microsecond)
	for i := range orgs {
		o := &orgs[i]
		o.Slug = prefix + o.Slug
		o.CreatedAt, o.UpdatedAt, o.Version, o.ArchivedAt = now, now, 1, nil
		o.PublicVersion, o.PublicUpdatedAt = 1, now
		for j := range o.Contacts {
			c := &o.Contacts[j]
			c.OrganizationID, c.CreatedAt, c.UpdatedAt, c.Version = o.ID, now, now, 1
		}
	}
	return orgs
}

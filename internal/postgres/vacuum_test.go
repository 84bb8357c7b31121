package postgres

import (
	"context"
	"database/sql"
	"testing"

	gormpostgres "gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// clogGroup is how many consecutive transactions share the WAL location
// that their commit-log statuses wait for (CLOG_XACTS_PER_LSN_GROUP in
// PostgreSQL's clog.c).
const clogGroup = 32

// TestVacuumLoadedAfterNeighbourCommit checks that the VACUUM after a load
// marks every page of the loaded rows all-visible even when a transaction
// next to the load's in the commit log (in the same group of clogGroup)
// commits asynchronously between the load's commit and the VACUUM, as
// another session of the server, in any database, can: until the WAL
// writer flushes that commit, VACUUM cannot set the load's committed hint
// bits and marks no page of it (vacuumLoaded). A transaction writing the
// rows of organization_languages anew stands in for the load.
func TestVacuumLoadedAfterNeighbourCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _, _ := openSeeded(t, 1000)
	if _, err := db.write.ExecContext(ctx, "CREATE TABLE neighbour (n integer)"); err != nil {
		t.Fatal(err)
	}
	load, neighbour := neighbourInGroup(t, db.write)
	for _, step := range []struct {
		tx   *sql.Tx
		stmt string
	}{
		// As the load's transaction commits (Dialect.Analyze).
		{load, "SET LOCAL synchronous_commit = on"},
		{neighbour, "SET LOCAL synchronous_commit = off"},
	} {
		if _, err := step.tx.ExecContext(ctx, step.stmt); err != nil {
			t.Fatal(err)
		}
	}
	if err := load.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := neighbour.Commit(); err != nil {
		t.Fatal(err)
	}
	g, err := gorm.Open(gormpostgres.New(gormpostgres.Config{Conn: db.write}), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	db.vacuumLoaded(ctx, g)
	var pages, visible int
	err = db.write.QueryRowContext(ctx, "SELECT relpages, relallvisible FROM pg_class WHERE oid = 'organization_languages'::regclass").
		Scan(&pages, &visible)
	if err != nil {
		t.Fatal(err)
	}
	if pages == 0 || visible != pages {
		t.Errorf("organization_languages: %d of %d pages all-visible, want all", visible, pages)
	}
}

// neighbourInGroup begins, on w, a transaction that writes every row of
// organization_languages anew into an empty table (the load) and one that inserts into the table
// neighbour, whose transaction ID shares the load's commit-log group; both
// are left open. Other sessions of the server take IDs too, so it tries
// again while the two fall into different groups.
func neighbourInGroup(t *testing.T, w *sql.DB) (load, neighbour *sql.Tx) {
	t.Helper()
	ctx := context.Background()
	begin := func(stmts ...string) (*sql.Tx, uint64) {
		tx, err := w.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var xid uint64
		for _, stmt := range stmts {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.QueryRowContext(ctx, "SELECT pg_current_xact_id()::text::bigint").Scan(&xid); err != nil {
			t.Fatal(err)
		}
		return tx, xid
	}
	const attempts = 20
	for range attempts {
		load, loadXID := begin("CREATE TEMPORARY TABLE languages ON COMMIT DROP AS TABLE organization_languages",
			"TRUNCATE organization_languages", "INSERT INTO organization_languages TABLE languages")
		neighbour, neighbourXID := begin("INSERT INTO neighbour VALUES (1)")
		if loadXID/clogGroup == neighbourXID/clogGroup {
			return load, neighbour
		}
		load.Rollback()
		neighbour.Rollback()
	}
	t.Fatalf("no neighbour in the load's commit-log group in %d attempts", attempts)
	return nil, nil
}

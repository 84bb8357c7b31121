package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// dataVersion reads SQLite's data version on one connection that never
// writes. PRAGMA data_version changes on a connection whenever another
// connection, of this process or any other, commits a change to the file
// (https://sqlite.org/pragma.html#pragma_data_version): since this one never
// writes, it changes with every write anyone makes. Its value counts per
// connection, so the connection is pinned; should it fail and be replaced,
// the epoch goes up, so that the numbers handed out still only grow.
//
// Concurrent callers share reads: a caller takes the answer of a read that
// began after it asked, never of one already under way (which may have
// begun before a write the caller must see), so many requests at once cost
// one read per round rather than one each, in turn, under the lock.
type dataVersion struct {
	db *sql.DB

	mu    sync.Mutex // held while reading
	conn  *sql.Conn
	epoch uint64

	last    sync.Mutex  // guards started and done
	started uint64      // reads begun so far
	done    versionRead // the latest read that succeeded
}

// versionRead is the version v that the read numbered n (from 1) gave.
type versionRead struct{ n, v uint64 }

func newDataVersion(dsn string) *dataVersion {
	db := sql.OpenDB(newConnector(dsn, 0, 0))
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	return &dataVersion{db: db}
}

// dataVersion returns a number that grows with every write committed to
// the database by any connection or process, for caches of what was read
// (directory.Cache).
func (db *DB) dataVersion(ctx context.Context) (uint64, error) {
	d := db.version
	d.last.Lock()
	want := d.started + 1 // the first read that begins after this call
	d.last.Unlock()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.last.Lock()
	if d.done.n >= want {
		v := d.done.v
		d.last.Unlock()
		return v, nil
	}
	d.started++
	n := d.started
	d.last.Unlock()
	v, err := d.read(ctx)
	if err != nil { // the caller's own failure (its context ended, say): not shared
		return 0, err
	}
	d.last.Lock()
	d.done = versionRead{n: n, v: v}
	d.last.Unlock()
	return v, nil
}

// read reads the data version on the pinned connection; d.mu is held.
func (d *dataVersion) read(ctx context.Context) (uint64, error) {
	if d.conn == nil {
		conn, err := d.db.Conn(ctx)
		if err != nil {
			return 0, fmt.Errorf("read data version: %w", err)
		}
		d.conn, d.epoch = conn, d.epoch+1
	}
	var v uint64
	if err := d.conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
		d.conn.Close()
		d.conn = nil
		return 0, fmt.Errorf("read data version: %w", err)
	}
	return d.epoch<<40 | v, nil
}

func (d *dataVersion) close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn != nil {
		d.conn.Close()
		d.conn = nil
	}
	return d.db.Close()
}

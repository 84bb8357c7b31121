package sqlstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/coalition-directory/coalition/internal/dbtest"
	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/geo"
)

// TestQueuedWritesLeaveReadsAConnection holds the database's write lock
// from another process (a write begun as the store begins them: SQLite's
// file lock, PostgreSQL's data_version row) while more writes than the
// write pool has connections queue in this one, through a Service with the
// cache serve puts in front of the store. Reads of single records and of
// the data version, which share that pool, must still be answered while
// the lock is held, not after it is released; and every queued write
// lands once it is.
func TestQueuedWritesLeaveReadsAConnection(t *testing.T) {
	// No generated organization is in this city, so every write changes
	// its organization and must wait for the lock (one that changes
	// nothing returns at once).
	const queuedCity = "Город очереди"
	ctx := context.Background()
	database := dbtest.New(t)
	db, other := database.Open(), database.Open()
	atlas, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	svc := directory.NewService(directory.NewCache(db, db.DataVersion, 100), atlas)
	orgs := dbtest.Seed(t, svc, demo.Generate(33, 5)) // one each: writes of one record queue in the Service
	pool := db.Pools()["write"]
	writes := 4 * pool.Stats().MaxOpenConnections
	if writes >= len(orgs) {
		t.Fatalf("a write pool of %d connections: seed more organizations", pool.Stats().MaxOpenConnections)
	}
	lock, err := other.BeginWrite(ctx)
	if err != nil {
		t.Fatal(err)
	}
	locked := true
	defer func() {
		if locked {
			lock.Rollback()
		}
	}()

	errs := make(chan error, writes)
	var writers sync.WaitGroup
	for i := range writes {
		writers.Go(func() {
			_, err := svc.UpdateOrganization(ctx, directory.Operator("test"), orgs[i+1].Slug, directory.Precondition{},
				func(o *directory.Organization) error { o.City = queuedCity; return nil })
			errs <- err
		})
	}
	// Give the writers time to take what connections they would take:
	// until every one is in use for a while (the writers' own reads before
	// their write transactions come and go), or 3 s.
	for deadline, full := time.Now().Add(3*time.Second), 0; full < 30 && time.Now().Before(deadline); {
		if s := pool.Stats(); s.InUse < s.MaxOpenConnections {
			full = 0
		} else {
			full++
		}
		time.Sleep(10 * time.Millisecond)
	}
	inUse := pool.Stats().InUse

	read := make(chan error, 1)
	go func() {
		_, err := svc.Organization(ctx, orgs[0].Slug, directory.Caller{})
		read <- err
	}()
	// While the lock is held no writer can finish, except by giving up
	// (SQLite's busy timeout; PostgreSQL's writers wait for good): the read
	// must answer first. A read that waits for a writer's connection answers
	// only after a writer has given up (or, on PostgreSQL, never, and the
	// test's own timeout ends it).
	var readErr error
	var early []error
	select {
	case readErr = <-read:
	case err := <-errs:
		early = append(early, err)
		t.Errorf("a queued writer returned (%v) before a read of one organization answered: the read waited for %d queued writers, holding %d of the write pool's %d connections, to get the write lock or give up",
			err, writes, inUse, pool.Stats().MaxOpenConnections)
		readErr = <-read
	}
	lock.Rollback()
	locked = false
	if readErr != nil {
		t.Errorf("read: %v", readErr)
	}
	writers.Wait()
	close(errs)
	for err := range errs {
		early = append(early, err)
	}
	for _, err := range early {
		if err != nil {
			t.Errorf("write: %v", err)
		}
	}
	for _, o := range orgs[1 : writes+1] {
		got, err := db.Organization(ctx, o.ID)
		if err != nil || got.City != queuedCity {
			t.Errorf("%s: city %q (%v), want the queued write's", o.Slug, got.City, err)
		}
	}
}

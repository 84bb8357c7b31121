package sqlite_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/coalition-directory/coalition/internal/dbtest"
	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/sqlite"
)

// TestQueuedWritesLeaveReadsAConnection holds the file's write lock from
// another process while more writes than the write pool has connections
// queue in this one: reads of single records, which share that pool, must
// still be answered while the lock is held, not after it is released.
func TestQueuedWritesLeaveReadsAConnection(t *testing.T) {
	db, svc := newTestDB(t)
	orgs := dbtest.Seed(t, svc, demo.Generate(17, 5)) // one each: writes of one record queue in the Service
	other, err := sqlite.Open(context.Background(), filepath.Join(filepath.Dir(db.File()), filepath.Base(db.File())))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lock := other.Gorm().Begin() // BEGIN IMMEDIATE: the file's write lock
	if err := lock.Error; err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var writers sync.WaitGroup
	for i := range 16 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			svc.UpdateOrganization(ctx, directory.Operator("test"), orgs[i+1].Slug, directory.Precondition{},
				func(o *directory.Organization) error { o.City = "Тверь"; return nil })
		}()
	}
	// Give the writers time to take what connections they would take.
	sqlDB, err := db.Gorm().DB()
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline) && sqlDB.Stats().InUse < 8; {
		time.Sleep(10 * time.Millisecond)
	}

	read := make(chan error, 1)
	go func() {
		_, err := db.Organization(ctx, orgs[0].Slug)
		read <- err
	}()
	var readErr error
	answered := false
	select {
	case readErr = <-read:
		answered = true
	case <-time.After(10 * time.Second): // far below the busy timeout (30 s) the writers wait for
	}
	lock.Rollback()
	if !answered {
		t.Error("a read of one organization waited for the queued writers to get the write lock")
		readErr = <-read
	}
	if readErr != nil {
		t.Errorf("read: %v", readErr)
	}
	writers.Wait()
}

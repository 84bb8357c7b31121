package sqlite_test

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/coalition-directory/coalition/internal/dbtest"
	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/sqlite"
)

// TestInterruptedWorkLeavesConnectionsClean ends every kind of transaction
// the store starts in every way a request can end it (its client goes
// away, its consumer fails), more times than a pool has connections, and
// then checks that every pooled connection is outside any transaction with
// its settings as opened, and that writes and reads still work.
func TestInterruptedWorkLeavesConnectionsClean(t *testing.T) {
	t.Parallel()
	db, svc := newTestDB(t)
	dbtest.Seed(t, svc, demo.Generate(30, 1))
	errStop := errors.New("the consumer stopped")
	entry := directory.AuditEntry{ID: "0193b8a2-7c1e-7d4a-9f00-5b2c1e9a0c11", At: time.Now(), Actor: "test",
		EntityType: directory.EntityOrganization, Action: directory.ActionImport}
	each := func(ctx context.Context, fn func(*directory.Organization) error) error {
		return db.EachOrganization(ctx, directory.ListQuery{}, directory.SearchQuery{}, true, nil, fn)
	}
	cases := []struct {
		name string
		// run works with ctx and calls cancel somewhere in the middle, or
		// fails; either way it must return an error.
		run func(ctx context.Context, cancel func()) error
	}{
		{"export whose client goes away", func(ctx context.Context, cancel func()) error {
			return each(ctx, func(*directory.Organization) error { cancel(); return nil })
		}},
		{"export whose writer fails", func(ctx context.Context, cancel func()) error {
			return each(ctx, func(*directory.Organization) error { return errStop })
		}},
		{"import whose client goes away", func(ctx context.Context, cancel func()) error {
			return db.Import(ctx, entry, func(s directory.ImportSession) error {
				cancel()
				_, _, err := s.Match(ctx, "0193b8a2-7c1e-7d4a-9f00-5b2c1e9a0c12", "no-such")
				return err
			})
		}},
		{"import that fails", func(ctx context.Context, cancel func()) error {
			return db.Import(ctx, entry, func(directory.ImportSession) error { return errStop })
		}},
		{"write whose client goes away", func(ctx context.Context, cancel func()) error {
			return db.Gorm().WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				if err := tx.Exec("UPDATE organizations SET city = 'x' WHERE pk = 1").Error; err != nil {
					return err
				}
				cancel()
				return tx.Exec("UPDATE organizations SET city = 'y' WHERE pk = 2").Error
			})
		}},
		{"widths of a gone client", func(ctx context.Context, cancel func()) error {
			cancel()
			_, _, err := db.Widths(ctx)
			return err
		}},
	}
	// Whether a statement run with a cancelled context is interrupted
	// depends on how goroutines are scheduled, so each case runs many times
	// from several goroutines at once (more than any pool has connections).
	for _, c := range cases {
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 25 {
					ctx, cancel := context.WithCancel(context.Background())
					err := c.run(ctx, cancel)
					cancel()
					if err == nil {
						t.Errorf("%s: returned no error, so the test proves nothing", c.name)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
	checkPools(t, db)

	// Writes still work, reads see them, and the cancelled ones left nothing.
	orgs := dbtest.AsNew(demo.Generate(3, 2), "after-")
	for _, o := range orgs {
		if err := db.CreateOrganization(context.Background(), o, directory.AuditEntry{ID: o.ID, At: time.Now(), Actor: "test",
			EntityType: directory.EntityOrganization, EntityID: o.ID, Action: directory.ActionCreate}); err != nil {
			t.Fatalf("a write after interrupted work: %v", err)
		}
	}
	var n int
	if err := each(context.Background(), func(*directory.Organization) error { n++; return nil }); err != nil || n != 33 {
		t.Errorf("export after interrupted work: %d organizations, %v; want 33", n, err)
	}
	var changed int64
	if err := db.Gorm().Raw("SELECT count(*) FROM organizations WHERE city IN ('x', 'y')").Scan(&changed).Error; err != nil || changed != 0 {
		t.Errorf("a cancelled write left %d changes (%v)", changed, err)
	}
}

// checkPools takes every connection of every pool at once and checks that
// each can begin a transaction (none is left inside one) and has the
// settings every connection opens with.
func checkPools(t *testing.T, db *sqlite.DB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for name, g := range map[string]*gorm.DB{"write": db.Gorm(), "read": db.Read(), "export": db.Export()} {
		sqlDB, err := g.DB()
		if err != nil {
			t.Fatal(err)
		}
		n := sqlDB.Stats().MaxOpenConnections
		// Each goroutine holds its connection until all have checked theirs,
		// so that they check n different connections.
		var wg, checked sync.WaitGroup
		checked.Add(n)
		held := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := sqlDB.Conn(ctx)
				if err != nil {
					t.Errorf("%s pool: connection %d of %d: %v", name, i+1, n, err)
					checked.Done()
					return
				}
				defer c.Close()
				var fk int
				if err := c.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
					t.Errorf("%s pool: foreign_keys = %d (%v), want 1", name, fk, err)
				}
				if _, err := c.ExecContext(ctx, "BEGIN"); err != nil {
					t.Errorf("%s pool: a pooled connection cannot begin: %v", name, err)
				} else if _, err := c.ExecContext(ctx, "ROLLBACK"); err != nil {
					t.Error(err)
				}
				checked.Done()
				<-held
			}()
		}
		checked.Wait()
		close(held)
		wg.Wait()
		if st := sqlDB.Stats(); st.InUse != 0 {
			t.Errorf("%s pool: %d connections in use after the checks", name, st.InUse)
		}
	}
}

// TestUnwritableSaysWhy checks the words for each reason a database
// directory takes no new file, a read-only file system above all.
func TestUnwritableSaysWhy(t *testing.T) {
	t.Parallel()
	for errno, want := range map[syscall.Errno]string{
		syscall.EROFS:  "read-only file system",
		syscall.EACCES: "not writable by this user",
		syscall.ENOSPC: "is full",
		syscall.ENOENT: "no new file can be created",
	} {
		err := &fs.PathError{Op: "open", Path: "/data/.coalition-write-test-1", Err: errno}
		if got := sqlite.Unwritable("/data", err); !strings.Contains(got, want) {
			t.Errorf("%v: got %q, want it to say %q", errno, got, want)
		}
	}
}

// TestSynchronousSetting checks that Options.Synchronous reaches every
// pool's connections: "full" is what makes a commit survive a power loss.
func TestSynchronousSetting(t *testing.T) {
	t.Parallel()
	for setting, want := range map[string]int{"": 1, "normal": 1, "full": 2} {
		db, err := sqlite.OpenWith(context.Background(), t.TempDir()+"/s.db", sqlite.Options{Synchronous: setting})
		if err != nil {
			t.Fatal(err)
		}
		for name, g := range map[string]*gorm.DB{"write": db.Gorm(), "read": db.Read(), "export": db.Export()} {
			var got int
			if err := g.Raw("PRAGMA synchronous").Scan(&got).Error; err != nil || got != want {
				t.Errorf("synchronous %q: the %s pool has %d (%v), want %d", setting, name, got, err, want)
			}
		}
		db.Close()
	}
	if _, err := sqlite.OpenWith(context.Background(), t.TempDir()+"/s.db", sqlite.Options{Synchronous: "off"}); err == nil {
		t.Error("synchronous off was accepted")
	}
}

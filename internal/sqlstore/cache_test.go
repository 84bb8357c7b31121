package sqlstore_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coalition-directory/coalition/internal/dbtest"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/geo"
)

// TestCacheSeesWritesOfAnotherProcess runs a cached directory and a writer
// on two handles of one database, each with connection pools of its own,
// as two API processes would: every write of the one must show in the next
// read of the other, in lists, counts and single records. The data version
// must therefore be the database's, not a process's: SQLite's
// data_version, PostgreSQL's data_version row.
func TestCacheSeesWritesOfAnotherProcess(t *testing.T) {
	// A stale cache would make an update retry for ever: bound the test.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	shared := dbtest.New(t)
	atlas, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	open := shared.Open
	writerDB, readerDB := open(), open()
	writer := directory.NewService(writerDB, atlas)
	reader := directory.NewService(directory.NewCache(readerDB, readerDB.DataVersion, 100), atlas)
	orgs := mustSeed(t, writer, 20, 7)
	editor := directory.Operator("test")
	byName, err := directory.ParseListQuery(func(name string) string {
		return map[string]string{"per_page": "100", "q": "a b"}[name]
	})
	if err != nil {
		t.Fatal(err)
	}
	byName.Text, byName.Sort = "", directory.SortName

	// state reads what a client of the cached process sees.
	state := func() (total, stats int, city string) {
		t.Helper()
		p, err := reader.Organizations(ctx, byName, directory.Caller{})
		if err != nil {
			t.Fatal(err)
		}
		st, err := reader.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		o, err := reader.Organization(ctx, orgs[0].Slug, directory.Caller{})
		if err != nil {
			t.Fatal(err)
		}
		return p.Total, st.Total, o.City
	}
	setCity := func(svc *directory.Service, city string) func() {
		return func() {
			if _, err := svc.UpdateOrganization(ctx, editor, orgs[0].Slug, directory.Precondition{}, func(o *directory.Organization) error {
				o.City = city
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, step := range []struct {
		name        string
		write       func()
		total       int
		city        string
		versionMove bool
	}{
		{"nothing written", func() {}, 20, orgs[0].City, false},
		{"the other process updates", setCity(writer, "Казань"), 20, "Казань", true},
		{"this process updates", setCity(reader, "Самара"), 20, "Самара", true},
		{"the other process creates", func() {
			extra := orgs[1]
			extra.ID, extra.Slug, extra.Contacts = "", "", nil
			if _, err := writer.CreateOrganization(ctx, editor, extra); err != nil {
				t.Fatal(err)
			}
		}, 21, "Самара", true},
		{"the other process archives", func() {
			if _, err := writer.ArchiveOrganization(ctx, editor, orgs[2].Slug, directory.Precondition{}); err != nil {
				t.Fatal(err)
			}
		}, 20, "Самара", true},
	} {
		state() // fill the cache
		before, err := readerDB.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		step.write()
		after, err := readerDB.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if moved := after > before; moved != step.versionMove {
			t.Errorf("%s: data version %d -> %d, want a change: %t", step.name, before, after, step.versionMove)
		}
		total, stats, city := state()
		if total != step.total || stats != step.total || city != step.city {
			t.Errorf("%s: the cached process sees total %d, stats %d, city %q; want %d, %d, %q",
				step.name, total, stats, city, step.total, step.total, step.city)
		}
	}
}

// TestCacheSeesWritesUnderConcurrentReads has many readers ask a cached
// directory for one organization while another process updates it: a
// reader that starts after an update has committed must see it, though
// concurrent readers share their data-version reads (a shared read that
// began before the commit would hand it a stale answer).
func TestCacheSeesWritesUnderConcurrentReads(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	shared := dbtest.New(t)
	atlas, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	writerDB, readerDB := shared.Open(), shared.Open()
	writer := directory.NewService(writerDB, atlas)
	reader := directory.NewService(directory.NewCache(readerDB, readerDB.DataVersion, 100), atlas)
	org := mustSeed(t, writer, 3, 11)[0]
	const updates, readers = 30, 8
	var committed atomic.Int64 // the last update known to be committed
	var wg sync.WaitGroup
	stale := make(chan string, readers)
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := committed.Load()
				o, err := reader.Organization(ctx, org.Slug, directory.Caller{})
				if err != nil {
					stale <- err.Error()
					return
				}
				if got, _ := strconv.Atoi(strings.TrimPrefix(o.Acronym, "A")); int64(got) < n {
					stale <- fmt.Sprintf("update %d committed before the read, which saw acronym %q", n, o.Acronym)
					return
				}
				if n == updates {
					return
				}
			}
		}()
	}
	for i := 1; i <= updates; i++ {
		if _, err := writer.UpdateOrganization(ctx, directory.Operator("test"), org.Slug, directory.Precondition{}, func(o *directory.Organization) error {
			o.Acronym = "A" + strconv.Itoa(i)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		committed.Store(int64(i))
	}
	wg.Wait()
	close(stale)
	for msg := range stale {
		t.Error(msg)
	}
}

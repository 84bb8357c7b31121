package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/coalition-directory/coalition/internal/dbtest"
	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/geo"
	"github.com/coalition-directory/coalition/internal/sqlstore"
)

// TestChangesCommitInOrder runs two overlapping write transactions that
// append to the change log, the first committing only after the second
// has tried to append, and follows the log meanwhile from another handle,
// as a partner's reader on another API process would: it never sees an
// event before every event numbered below it is visible, so a reader
// following after= skips none. (Were numbers given at insert and seen at
// commit, the second transaction would commit seq 2 while seq 1 was still
// open, and a reader at after=2 would never see seq 1.) It runs with
// transactions begun as the store's writes begin them, and with plain ones,
// where only the change log's own lock (on PostgreSQL an advisory lock)
// keeps the order.
func TestChangesCommitInOrder(t *testing.T) {
	t.Parallel()
	for _, plain := range []bool{false, true} {
		t.Run(map[bool]string{false: "writes", true: "plain transactions"}[plain], func(t *testing.T) {
			t.Parallel()
			testChangesCommitInOrder(t, plain)
		})
	}
}

func testChangesCommitInOrder(t *testing.T, plain bool) {
	ctx := context.Background()
	database := dbtest.New(t)
	writer, reader := database.Open(), database.Open()
	begin := writer.BeginWrite
	if plain {
		begin = writer.BeginPlain
	}
	at := time.Now().UTC().Truncate(time.Microsecond)
	ev := func(id string) directory.ChangeEvent {
		return directory.ChangeEvent{Type: directory.EventOrganizationUpdated, ID: id, OrganizationID: id, At: at, Public: true}
	}

	first, err := begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := writer.AppendChanges(first, []directory.ChangeEvent{ev("first")}); err != nil {
		t.Fatal(err)
	}
	second := make(chan error, 1)
	go func() {
		tx, err := begin(ctx)
		if err == nil {
			if err = writer.AppendChanges(tx, []directory.ChangeEvent{ev("second")}); err == nil {
				err = tx.Commit().Error
			} else {
				tx.Rollback()
			}
		}
		second <- err
	}()

	var seen []directory.ChangeEvent
	var after int64
	follow := func() {
		read, err := reader.Changes(ctx, directory.ChangesFilter{After: after, Limit: 10, Private: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range read.Events {
			if e.Seq != after+1 {
				t.Fatalf("the reader at after=%d got seq %d: it would skip %d", after, e.Seq, after+1)
			}
			seen = append(seen, e)
			after = e.Seq
		}
		after = max(after, read.Latest)
	}
	// While the first is open, the second waits for it and the reader
	// sees neither.
	for range 20 {
		follow()
		select {
		case err := <-second:
			t.Fatalf("the second transaction committed while the first was open (%v)", err)
		case <-time.After(5 * time.Millisecond):
		}
	}
	if len(seen) != 0 {
		t.Fatalf("the reader saw %+v before any commit", seen)
	}
	if err := first.Commit().Error; err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	follow()
	follow()
	if len(seen) != 2 || seen[0].ID != "first" || seen[0].Seq != 1 || seen[1].ID != "second" || seen[1].Seq != 2 {
		t.Errorf("the reader followed %+v, want first at 1 and second at 2", seen)
	}
}

// TestPartnersOnlyChangesStayWithPartners checks that writes that change
// only what partners see (a partners-only contact, a hidden address) are
// read from the log only by callers who see partners-only data, while the
// others' are read by all.
func TestPartnersOnlyChangesStayWithPartners(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, svc := newTestDB(t)
	orgs := mustSeed(t, svc, 1, 7)
	editor := directory.Caller{Name: "test", Role: directory.RoleEditor}
	org := orgs[0]
	if _, err := svc.CreateContact(ctx, editor, org.ID, directory.Contact{Name: "Директор", Visibility: directory.VisibilityPartners}); err != nil {
		t.Fatal(err)
	}
	public, err := svc.CreateContact(ctx, editor, org.ID, directory.Contact{Name: "Приёмная", Visibility: directory.VisibilityPublic})
	if err != nil {
		t.Fatal(err)
	}
	for i, address := range []string{"ул. Тайная, 1", "ул. Тайная, 2"} {
		if _, err := svc.UpdateOrganization(ctx, editor, org.ID, directory.Precondition{}, func(o *directory.Organization) error {
			o.Address, o.AddressHidden = address, true
			if i == 0 {
				o.City = "Казань" // a change anyone sees
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.UpdateContact(ctx, editor, org.ID, public.ID, directory.Precondition{}, func(c *directory.Contact) error {
		c.Visibility = directory.VisibilityPartners
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	types := func(private bool) []string {
		read, err := db.Changes(ctx, directory.ChangesFilter{Limit: 10, Private: private})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range read.Events {
			out = append(out, fmt.Sprintf("%d %s", e.Seq, e.Type))
		}
		return out
	}
	all := []string{"1 contact.created", "2 contact.created", "3 organization.updated", "4 organization.updated", "5 contact.updated"}
	if got := types(true); !slices.Equal(got, all) {
		t.Errorf("partners read %v, want %v", got, all)
	}
	// The public contact's creation, the city's change, and the contact
	// turning partners-only (which removes it from what anonymous callers
	// see) are theirs too; the hidden address's edit is not.
	if got, want := types(false), []string{"2 contact.created", "3 organization.updated", "5 contact.updated"}; !slices.Equal(got, want) {
		t.Errorf("anonymous callers would read %v, want %v", got, want)
	}
}

// TestChangesPageReadsRecordsAtOnce checks that a page of the change feed
// reads the records its events are about in as many statements for thirty
// organizations as for one (not two for each: a page of 1,000 events was
// 2,000 statements), and that each event still gets its record as it is
// now, with every contact.
func TestChangesPageReadsRecordsAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, svc := newTestDB(t)
	const n = 30
	orgs := mustSeed(t, svc, n, 11)
	editor := directory.Caller{Name: "test", Role: directory.RoleEditor}
	for i := range orgs {
		if _, err := svc.UpdateOrganization(ctx, editor, orgs[i].ID, directory.Precondition{}, func(o *directory.Organization) error {
			o.City = fmt.Sprintf("Город %d", i)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	var statements atomic.Int64
	afterEveryRead(t, db, func(*gorm.DB) { statements.Add(1) })
	partner := directory.Caller{Name: "test", Role: directory.RolePartner}
	page := func(limit int) (directory.ChangePage, int64) {
		statements.Store(0)
		p, err := svc.Changes(ctx, partner, directory.ChangesQuery{Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Events) != limit {
			t.Fatalf("got %d events, want %d", len(p.Events), limit)
		}
		return p, statements.Load()
	}
	_, one := page(1)
	p, all := page(n)
	if one == 0 {
		t.Fatal("counted no statements for a page of one event: the count does not see the feed's reads")
	}
	if all > one {
		t.Errorf("a page of %d organizations' events took %d statements, one organization's %d: want no more", n, all, one)
	}
	for i, ev := range p.Events {
		want := orgs[i]
		if ev.Organization == nil || ev.Organization.ID != want.ID || ev.Organization.City != fmt.Sprintf("Город %d", i) {
			t.Fatalf("event %d: got %+v, want organization %s as updated", ev.Seq, ev.Organization, want.ID)
		}
		if got := len(ev.Organization.Contacts); got != len(want.Contacts) {
			t.Errorf("event %d: %d contacts, want %d", ev.Seq, got, len(want.Contacts))
		}
	}
}

// afterEveryRead registers fn to run after every query of the handles the
// store reads with (write and read), on the goroutine that ran the query.
func afterEveryRead(t *testing.T, db *sqlstore.DB, fn func(*gorm.DB)) {
	t.Helper()
	for _, g := range []*gorm.DB{db.Gorm(), db.Read()} {
		cb := g.Callback()
		if err := cb.Query().After("gorm:query").Register("test:after", fn); err != nil {
			t.Fatal(err)
		}
		if err := cb.Row().After("gorm:row").Register("test:after", fn); err != nil {
			t.Fatal(err)
		}
	}
}

// TestChangesPageReadsOneSnapshot commits a write between the two
// statements that read a change page's records (from a hook that runs
// after the first, which reads the organizations): the page must still
// give the organization the contacts it had in the state the first
// statement read, not those of the write, as one read transaction does.
func TestChangesPageReadsOneSnapshot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, svc := newTestDB(t)
	editor := directory.Caller{Name: "test", Role: directory.RoleEditor}
	org := mustSeed(t, svc, 1, 13)[0]
	// A seed logs no change; an update does.
	if _, err := svc.UpdateOrganization(ctx, editor, org.ID, directory.Precondition{}, func(o *directory.Organization) error {
		o.City = "Тверь"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	before := contactsNow(t, db, org.ID)
	var wrote atomic.Bool
	var writeErr error
	afterEveryRead(t, db, func(g *gorm.DB) {
		if strings.Contains(g.Statement.SQL.String(), "FROM organizations o WHERE o.id IN") && wrote.CompareAndSwap(false, true) {
			_, writeErr = svc.CreateContact(ctx, editor, org.ID, directory.Contact{Name: "Новый контакт", Visibility: directory.VisibilityPublic})
		}
	})
	p, err := svc.Changes(ctx, directory.Caller{Name: "test", Role: directory.RolePartner}, directory.ChangesQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if !wrote.Load() || writeErr != nil {
		t.Fatalf("no write between the statements (%v): the test shows nothing", writeErr)
	}
	var got *directory.Organization
	for _, ev := range p.Events {
		if ev.Organization != nil && ev.Organization.ID == org.ID {
			got = ev.Organization
		}
	}
	if got == nil {
		t.Fatalf("no event of the page carries organization %s: %+v", org.ID, p.Events)
	}
	if len(got.Contacts) != before {
		t.Errorf("the page gives organization %s %d contacts, want the %d it had when the page's first statement read it: its contacts were read after a later write",
			org.ID, len(got.Contacts), before)
	}
	if after := contactsNow(t, db, org.ID); after != before+1 {
		t.Errorf("after the write organization %s has %d contacts, want %d: the test shows nothing", org.ID, after, before+1)
	}
}

// contactsNow returns the number of contacts organization id has.
func contactsNow(t *testing.T, db *sqlstore.DB, id string) int {
	t.Helper()
	orgs, err := db.OrganizationsWithContacts(context.Background(), []string{id})
	if err != nil || len(orgs) != 1 {
		t.Fatalf("organization %s: %d found (%v)", id, len(orgs), err)
	}
	return len(orgs[0].Contacts)
}

// BenchmarkChangesPage reads a full page of the change feed, 1,000 events
// of as many organizations, with their records.
//
//	go test ./internal/sqlstore -run '^$' -bench ChangesPage -benchtime 20x
func BenchmarkChangesPage(b *testing.B) {
	ctx := context.Background()
	db := dbtest.Open(b)
	atlas, err := geo.Load()
	if err != nil {
		b.Fatal(err)
	}
	svc := directory.NewService(db, atlas)
	n := directory.MaxChangesLimit
	orgs := demo.Generate(n, 5)
	if _, err := svc.Seed(ctx, orgs); err != nil {
		b.Fatal(err)
	}
	editor := directory.Caller{Name: "bench", Role: directory.RoleEditor}
	for i := range orgs {
		if _, err := svc.UpdateOrganization(ctx, editor, orgs[i].ID, directory.Precondition{}, func(o *directory.Organization) error {
			o.City = fmt.Sprintf("Город %d", i)
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	partner := directory.Caller{Name: "bench", Role: directory.RolePartner}
	b.ResetTimer()
	for b.Loop() {
		p, err := svc.Changes(ctx, partner, directory.ChangesQuery{Limit: n})
		if err != nil || len(p.Events) != n || p.Events[n-1].Organization == nil {
			b.Fatalf("got %d events (%v), want %d with their records", len(p.Events), err, n)
		}
	}
}

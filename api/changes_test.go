package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/dbtest"
	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/geo"
)

// loopback lets tests register webhooks on httptest servers.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}

// newProcess starts an API process on its own handle of db, as a second
// replica of the API on one database would run; seed loads orgs first.
func newProcess(t *testing.T, db *dbtest.Database, orgs []directory.Organization, opts ...directory.Option) *testServer {
	t.Helper()
	store := db.Open()
	places, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	dir := directory.NewService(directory.NewCache(store, store.DataVersion, 100), places, opts...)
	if orgs != nil {
		if _, err := dir.Seed(context.Background(), orgs); err != nil {
			t.Fatal(err)
		}
	}
	h, err := api.NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), dir, store, api.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &testServer{t: t, url: srv.URL, dir: dir, db: store}
}

// changes reads one page of the feed.
func (s *testServer) changes(secret, query string) api.ChangeList {
	s.t.Helper()
	r := s.send(http.MethodGet, "/api/v1/changes?"+query, secret, nil)
	wantStatus(s.t, r, http.StatusOK)
	return decode[api.ChangeList](s.t, r)
}

// latest returns the feed's latest sequence number.
func (s *testServer) latest(secret string) int64 {
	s.t.Helper()
	return s.changes(secret, "after=latest").NextAfter
}

func TestChangesFeed(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, nil)
	partner, editor, admin := s.key(directory.RolePartner), s.key(directory.RoleEditor), s.key(directory.RoleAdmin)

	wantStatus(t, s.get("/api/v1/changes"), http.StatusUnauthorized)
	start := s.latest(partner)
	if start != 0 {
		t.Errorf("a seeded directory is at change %d, want 0 (the demo is not a change)", start)
	}
	if got := s.changes(partner, "after=0"); len(got.Events) != 0 || got.NextAfter != 0 || got.HasMore {
		t.Errorf("an empty log gave %+v", got)
	}

	r := s.send(http.MethodPost, "/api/v1/organizations", editor, map[string]any{"name": "Фонд «Восход»", "country_code": "KZ"})
	wantStatus(t, r, http.StatusCreated)
	org := decode[api.Organization](t, r)
	r = s.send(http.MethodPatch, "/api/v1/organizations/"+org.ID, editor, map[string]any{"city": "Алматы"})
	wantStatus(t, r, http.StatusOK)
	r = s.send(http.MethodPost, "/api/v1/organizations/"+org.ID+"/contacts", editor, map[string]any{"name": "Приёмная", "visibility": "public"})
	wantStatus(t, r, http.StatusCreated)
	contact := decode[api.Contact](t, r)
	r = s.send(http.MethodPost, "/api/v1/organizations/"+org.ID+"/contacts", editor, map[string]any{"name": "Директор"})
	wantStatus(t, r, http.StatusCreated)
	private := decode[api.Contact](t, r)
	wantStatus(t, s.send(http.MethodDelete, "/api/v1/organizations/"+org.ID+"/contacts/"+contact.ID, editor, nil), http.StatusNoContent)
	wantStatus(t, s.send(http.MethodPost, "/api/v1/focus-areas", admin,
		map[string]any{"slug": "online-exploitation", "group": "theme", "names": map[string]string{"en": "Online exploitation", "ru": "Онлайн-эксплуатация"}}), http.StatusCreated)
	wantStatus(t, s.send(http.MethodDelete, "/api/v1/organizations/"+org.ID, editor, nil), http.StatusNoContent)
	wantStatus(t, s.send(http.MethodPost, "/api/v1/organizations/"+org.ID+"/restore", admin, nil), http.StatusOK)
	wantStatus(t, s.send(http.MethodPost, "/api/v1/keys", admin, map[string]any{"name": "Map", "role": "partner"}), http.StatusCreated)

	page := s.changes(partner, "after=0")
	var got []string
	for i, ev := range page.Events {
		got = append(got, ev.Type+" "+ev.ID)
		if ev.Seq != int64(i+1) {
			t.Errorf("event %d has seq %d, want %d: no gaps", i, ev.Seq, i+1)
		}
	}
	want := []string{
		"organization.created " + org.ID, "organization.updated " + org.ID,
		"contact.created " + contact.ID, "contact.created " + private.ID, "contact.deleted " + contact.ID,
		"focus_area.created online-exploitation",
		"organization.archived " + org.ID, "organization.restored " + org.ID,
	}
	if !slices.Equal(got, want) {
		t.Fatalf("events\n%s\nwant (keys are not in the feed)\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if page.NextAfter != 8 || page.HasMore {
		t.Errorf("next_after %d has_more %v, want 8 false", page.NextAfter, page.HasMore)
	}

	// Each live record's etag is what a GET without lang returns now, to
	// a partner as to an editor; tombstones have none.
	get := s.send(http.MethodGet, "/api/v1/organizations/"+org.ID, partner, nil)
	wantStatus(t, get, http.StatusOK)
	asEditor := s.send(http.MethodGet, "/api/v1/organizations/"+org.ID, editor, nil)
	if get.Header.Get("ETag") != asEditor.Header.Get("ETag") {
		t.Errorf("a partner's ETag %s differs from an editor's %s", get.Header.Get("ETag"), asEditor.Header.Get("ETag"))
	}
	privateGet := s.send(http.MethodGet, "/api/v1/organizations/"+org.ID+"/contacts/"+private.ID, partner, nil)
	for _, ev := range page.Events {
		var wantTag string
		switch {
		case ev.Type == "contact.created" && ev.ID == private.ID:
			wantTag = privateGet.Header.Get("ETag")
		case ev.Type == "organization.archived":
		case strings.HasPrefix(ev.Type, "organization."):
			wantTag = get.Header.Get("ETag")
		}
		if ev.ETag != wantTag {
			t.Errorf("%s %s: etag %q, want %q", ev.Type, ev.ID, ev.ETag, wantTag)
		}
		if strings.HasPrefix(ev.Type, "contact.") && ev.OrganizationID != org.ID {
			t.Errorf("%s: organization_id %q, want %q", ev.Type, ev.OrganizationID, org.ID)
		}
	}

	// Paging, types, after=latest.
	first := s.changes(partner, "after=0&limit=3")
	if len(first.Events) != 3 || !first.HasMore || first.NextAfter != 3 {
		t.Errorf("limit=3: %d events, has_more %v, next_after %d; want 3 true 3", len(first.Events), first.HasMore, first.NextAfter)
	}
	rest := s.changes(partner, "after=3&limit=100")
	if len(rest.Events) != 5 || rest.Events[0].Seq != 4 || rest.HasMore {
		t.Errorf("after=3: %+v", rest)
	}
	tombs := s.changes(partner, "types=organization.archived,contact.deleted")
	if len(tombs.Events) != 2 || tombs.Events[0].Type != "contact.deleted" || tombs.Events[1].Type != "organization.archived" || tombs.NextAfter != 8 {
		t.Errorf("tombstones: %+v", tombs)
	}
	if s.latest(partner) != 8 {
		t.Errorf("after=latest is %d, want 8", s.latest(partner))
	}
	// A cursor past the latest: TestChangesCursorPastLatest.

	// A partners-only edit is in the feed (partners follow it) but does
	// not change what anonymous callers see.
	anon := s.get("/api/v1/organizations/" + org.ID).Header.Get("ETag")
	wantStatus(t, s.send(http.MethodPatch, "/api/v1/organizations/"+org.ID+"/contacts/"+private.ID, editor, map[string]any{"role": "Директор"}), http.StatusOK)
	if ev := s.changes(partner, "after=8").Events; len(ev) != 1 || ev[0].Type != "contact.updated" {
		t.Errorf("after a partners-only edit: %+v", ev)
	}
	if now := s.get("/api/v1/organizations/" + org.ID).Header.Get("ETag"); now != anon {
		t.Errorf("anonymous ETag moved from %s to %s on a partners-only edit", anon, now)
	}

	for _, q := range []string{"after=-1", "after=x", "limit=0", "limit=1001", "types=organization.deleted", "wait=61", "wait=x"} {
		r := s.send(http.MethodGet, "/api/v1/changes?"+q, partner, nil)
		wantStatus(t, r, http.StatusBadRequest)
		if p := decode[api.Problem](t, r); len(p.Errors) != 1 || !strings.HasPrefix(q, p.Errors[0].Field) {
			t.Errorf("%s: problem names %+v", q, p.Errors)
		}
	}
	r = s.send(http.MethodGet, "/api/v1/changes?after=-1&limit=0&types=x&wait=99", partner, nil)
	if p := decode[api.Problem](t, r); len(p.Errors) != 4 {
		t.Errorf("four bad parameters, the problem names %+v", p.Errors)
	}
}

// TestChangesRetention prunes the log and checks that a cursor before the
// pruned events is 410 Gone, and that numbering goes on after the latest.
func TestChangesRetention(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	s := newProcess(t, db, []directory.Organization{}, directory.WithRetention(1))
	partner, editor := s.key(directory.RolePartner), s.key(directory.RoleEditor)
	for i := range 3 {
		wantStatus(t, s.send(http.MethodPost, "/api/v1/organizations", editor, map[string]any{"name": fmt.Sprintf("Фонд %d", i), "country_code": "KZ"}), http.StatusCreated)
	}
	n, err := s.dir.PruneChanges(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("pruned %d events, want 2 (the latest stays)", n)
	}
	for _, after := range []string{"0", "1"} {
		r := s.send(http.MethodGet, "/api/v1/changes?after="+after, partner, nil)
		wantStatus(t, r, http.StatusGone)
		if p := decode[api.Problem](t, r); !strings.Contains(p.Detail, "export") {
			t.Errorf("the 410 does not say to export again: %q", p.Detail)
		}
	}
	if got := s.changes(partner, "after=2"); len(got.Events) != 1 || got.Events[0].Seq != 3 {
		t.Errorf("after=2: %+v", got)
	}
	wantStatus(t, s.send(http.MethodPost, "/api/v1/organizations", editor, map[string]any{"name": "Фонд 4", "country_code": "KZ"}), http.StatusCreated)
	if got := s.changes(partner, "after=3"); len(got.Events) != 1 || got.Events[0].Seq != 4 {
		t.Errorf("after pruning, numbering goes on: %+v", got)
	}
}

// TestChangesLongPoll checks that wait= returns as soon as a write
// through another API process lands.
func TestChangesLongPoll(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	a := newProcess(t, db, []directory.Organization{})
	b := newProcess(t, db, nil)
	partner, editor := a.key(directory.RolePartner), a.key(directory.RoleEditor)
	done := make(chan api.ChangeList)
	go func() { done <- b.changes(partner, "after=0&wait=60") }()
	wantStatus(t, a.send(http.MethodPost, "/api/v1/organizations", editor, map[string]any{"name": "Фонд «Заря»", "country_code": "KZ"}), http.StatusCreated)
	if got := <-done; len(got.Events) != 1 || got.Events[0].Type != "organization.created" {
		t.Errorf("the long poll returned %+v", got)
	}
}

// replica is a partner's copy of the directory: each organization as its
// GET returns it, with its ETag.
type replica struct {
	s      *testServer
	secret string
	orgs   map[string]replicaRecord
	after  int64
	// fetches counts the GETs it made, skips the events its copy was
	// already up to date for.
	fetches, skips int
}

type replicaRecord struct {
	etag string
	body string
}

// fetch brings one organization up to date: stored, or dropped when it is
// gone.
func (r *replica) fetch(id string) {
	r.s.t.Helper()
	r.fetches++
	res := r.s.send(http.MethodGet, "/api/v1/organizations/"+id, r.secret, nil)
	switch res.StatusCode {
	case http.StatusOK:
		r.orgs[id] = replicaRecord{etag: res.Header.Get("ETag"), body: string(res.body)}
	case http.StatusNotFound:
		delete(r.orgs, id)
	default:
		r.s.t.Fatalf("GET %s: %d %s", id, res.StatusCode, res.body)
	}
}

// apply processes one page of events as the README's sync loop does.
func (r *replica) apply(page api.ChangeList) {
	for _, ev := range page.Events {
		switch {
		case ev.Type == "organization.archived":
			delete(r.orgs, ev.ID)
		case strings.HasPrefix(ev.Type, "organization."):
			if held, ok := r.orgs[ev.ID]; ok && ev.ETag != "" && held.etag == ev.ETag {
				r.skips++
				continue
			}
			r.fetch(ev.ID)
		case strings.HasPrefix(ev.Type, "contact."):
			r.fetch(ev.OrganizationID)
		}
	}
	r.after = page.NextAfter
}

// exportIDs exports the directory as a partner and returns the ids and the
// sequence number the export was taken at.
func exportIDs(t *testing.T, s *testServer, secret string) ([]string, int64) {
	t.Helper()
	r := s.send(http.MethodGet, "/api/v1/export?format=ndjson", secret, nil)
	wantStatus(t, r, http.StatusOK)
	seq, err := strconv.ParseInt(r.Header.Get(api.ChangeSeqHeader), 10, 64)
	if err != nil {
		t.Fatalf("export's %s header %q: %v", api.ChangeSeqHeader, r.Header.Get(api.ChangeSeqHeader), err)
	}
	var ids []string
	for line := range strings.SplitSeq(strings.TrimSpace(string(r.body)), "\n") {
		if i := strings.Index(line, `"id":"`); i >= 0 {
			ids = append(ids, line[i+6:i+6+36])
		}
	}
	slices.Sort(ids)
	return ids, seq
}

// TestPartnerReplica exports, then follows the feed through a second API
// process while creates, updates, archives, restores, contact changes and
// an import go on through the first; the copy ends equal to a fresh
// export, record for record and ETag for ETag.
func TestPartnerReplica(t *testing.T) {
	t.Parallel()
	orgs, err := demo.Organizations()
	if err != nil {
		t.Fatal(err)
	}
	db := dbtest.New(t)
	writer := newProcess(t, db, orgs)
	reader := newProcess(t, db, nil)
	partner, editor, admin := writer.key(directory.RolePartner), writer.key(directory.RoleEditor), writer.key(directory.RoleAdmin)
	ids, _ := exportIDs(t, writer, partner)

	var wg sync.WaitGroup
	started := make(chan struct{})
	write := func(name string, fn func(i int)) {
		wg.Go(func() {
			<-started
			for i := range 8 {
				fn(i)
			}
		})
	}
	created := make(chan string, 8)
	write("create", func(i int) {
		r := writer.send(http.MethodPost, "/api/v1/organizations", editor, map[string]any{"name": fmt.Sprintf("Фонд «Восход-%d»", i), "country_code": "KZ"})
		wantStatus(t, r, http.StatusCreated)
		created <- decode[api.Organization](t, r).ID
	})
	write("update", func(i int) {
		wantStatus(t, writer.send(http.MethodPatch, "/api/v1/organizations/"+ids[i], editor, map[string]any{"city": fmt.Sprintf("Город %d", i)}), http.StatusOK)
	})
	write("archive and restore", func(i int) {
		id := ids[10+i]
		wantStatus(t, writer.send(http.MethodDelete, "/api/v1/organizations/"+id, editor, nil), http.StatusNoContent)
		if i%2 == 0 {
			wantStatus(t, writer.send(http.MethodPost, "/api/v1/organizations/"+id+"/restore", admin, nil), http.StatusOK)
		}
	})
	write("contacts", func(i int) {
		id := ids[20+i]
		vis := []string{"public", "partners"}[i%2]
		r := writer.send(http.MethodPost, "/api/v1/organizations/"+id+"/contacts", editor, map[string]any{"name": "Дежурный", "visibility": vis})
		wantStatus(t, r, http.StatusCreated)
		c := decode[api.Contact](t, r)
		wantStatus(t, writer.send(http.MethodPatch, "/api/v1/organizations/"+id+"/contacts/"+c.ID, editor, map[string]any{"role": "Горячая линия"}), http.StatusOK)
		if i%3 == 0 {
			wantStatus(t, writer.send(http.MethodDelete, "/api/v1/organizations/"+id+"/contacts/"+c.ID, editor, nil), http.StatusNoContent)
		}
	})
	wg.Go(func() {
		<-started
		file := fmt.Sprintf(`{"id":%q,"city":"Импортск"}`+"\n"+`{"name":"Импортный фонд","country_code":"UZ"}`+"\n", ids[30])
		r := writer.importFile(admin, "application/x-ndjson", "?mode=merge", file)
		wantStatus(t, r, http.StatusOK)
	})

	// The copy starts from an export taken while the writes run.
	close(started)
	exported, seq := exportIDs(t, reader, partner)
	rep := &replica{s: reader, secret: partner, orgs: map[string]replicaRecord{}, after: seq}
	for _, id := range exported {
		rep.fetch(id)
	}
	writesDone := make(chan struct{})
	go func() { wg.Wait(); close(writesDone) }()
	for {
		select {
		case <-writesDone:
		default:
			rep.apply(reader.changes(partner, "after="+strconv.FormatInt(rep.after, 10)+"&limit=7&wait=1"))
			continue
		}
		break
	}
	final := writer.latest(partner)
	for rep.after < final {
		rep.apply(reader.changes(partner, "after="+strconv.FormatInt(rep.after, 10)+"&limit=7"))
	}
	close(created)

	fresh, _ := exportIDs(t, writer, partner)
	held := slices.Sorted(func(yield func(string) bool) {
		for id := range rep.orgs {
			if !yield(id) {
				return
			}
		}
	})
	if !slices.Equal(held, fresh) {
		t.Fatalf("the copy holds %d organizations, a fresh export %d:\ncopy   %v\nexport %v", len(held), len(fresh), held, fresh)
	}
	for _, id := range fresh {
		r := writer.send(http.MethodGet, "/api/v1/organizations/"+id, partner, nil)
		if got := rep.orgs[id]; got.etag != r.Header.Get("ETag") || got.body != string(r.body) {
			t.Errorf("%s: the copy has %s, the directory %s", id, got.etag, r.Header.Get("ETag"))
		}
	}
	if len(fresh) != len(ids)+8+1-4 {
		t.Errorf("%d organizations at the end, want %d", len(fresh), len(ids)+8+1-4)
	}
	t.Logf("copy of %d organizations: %d GETs, %d events skipped by etag", len(fresh), rep.fetches, rep.skips)
}

// TestChangesLongPollEndsOnShutdown checks that a long poll answers at once,
// with what it has, when the server begins to shut down, so that a
// graceful shutdown does not wait out the partners' polls.
func TestChangesLongPollEndsOnShutdown(t *testing.T) {
	t.Parallel()
	stopping := make(chan struct{})
	s := newTestServerWith(t, []directory.Organization{}, api.Options{Stopping: stopping})
	partner := s.key(directory.RolePartner)
	done := make(chan api.ChangeList)
	go func() { done <- s.changes(partner, "after=0&wait=60") }()
	close(stopping)
	select {
	case got := <-done:
		if len(got.Events) != 0 || got.NextAfter != 0 {
			t.Errorf("the stopped poll answered %+v", got)
		}
	case <-time.After(30 * time.Second): // a bound, not a measure: the poll would hold 60 s
		t.Fatal("the long poll went on after the server began to stop")
	}
}

// TestChangesCursorPastLatest checks that a cursor the log never reached
// (the database was restored from an older backup, or is another one) is
// 410 Gone saying to export again, rather than an empty page that would
// keep the partner waiting there and skipping every event up to it.
func TestChangesCursorPastLatest(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, []directory.Organization{})
	partner, editor := s.key(directory.RolePartner), s.key(directory.RoleEditor)
	wantStatus(t, s.send(http.MethodPost, "/api/v1/organizations", editor, map[string]any{"name": "Фонд «Заря»", "country_code": "KZ"}), http.StatusCreated)
	latest := s.latest(partner)
	if got := s.changes(partner, fmt.Sprintf("after=%d", latest)); len(got.Events) != 0 || got.NextAfter != latest {
		t.Errorf("after the latest event: %+v", got)
	}
	for _, after := range []int64{latest + 1, 99999999} {
		r := s.send(http.MethodGet, fmt.Sprintf("/api/v1/changes?after=%d&wait=1", after), partner, nil)
		wantStatus(t, r, http.StatusGone)
		if p := decode[api.Problem](t, r); !strings.Contains(p.Detail, "export") || !strings.Contains(p.Detail, "restored") {
			t.Errorf("after=%d: the 410 does not say the log was restored and to export again: %q", after, p.Detail)
		}
	}
}

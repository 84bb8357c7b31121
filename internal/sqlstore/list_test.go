package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coalition-directory/coalition/internal/dbtest"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/sqlstore"
)

// listCase is a list request: the query, the words typed and whether the
// caller is a partner.
type listCase struct {
	name    string
	q       directory.ListQuery
	text    string
	private bool
}

func (c listCase) search() directory.SearchQuery {
	return directory.ParseSearch(c.text)
}

// referenceList is the list as one plain query states it, which SQLite
// plans alone: the meaning the planned queries of ListOrganizations must
// keep.
func referenceList(t *testing.T, db *sqlstore.DB, c listCase) ([]string, int) {
	t.Helper()
	return referenceListOf(t, db, c, c.search())
}

// referenceListOf is referenceList for the search as given, with its typos.
func referenceListOf(t *testing.T, db *sqlstore.DB, c listCase, search directory.SearchQuery) ([]string, int) {
	t.Helper()
	q := c.q
	cond, args := db.ListConditions(q, search, c.private)
	var total int
	if err := db.Gorm().Raw("SELECT count(*) FROM organizations o WHERE "+cond, args...).Row().Scan(&total); err != nil {
		t.Fatal(err)
	}
	sortColumn := map[string]string{directory.LangRU: "o.sort_ru", directory.LangEN: "o.sort_en"}[q.Lang]
	if sortColumn == "" {
		sortColumn = "o.sort_original"
	}
	order := sortColumn + ", o.pk"
	switch {
	case q.Sort == directory.SortUpdatedAtDesc:
		order = "o.updated_at DESC, o.pk DESC"
	case q.Sort == directory.SortRelevance && !search.IsEmpty():
		// Each relevance level, best first, then the name.
		var by []string
		for _, level := range db.SearchLevels(search, c.private) {
			by = append(by, "o.pk IN (SELECT docid FROM organization_search WHERE "+db.SearchMatch()+") DESC")
			args = append(args, level)
		}
		order = strings.Join(by, ", ") + ", " + order
	}
	rows, err := db.Gorm().Raw("SELECT o.id FROM organizations o WHERE "+cond+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(args, q.PerPage, q.Offset())...).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids, total
}

// newListTestDB is a directory of 2,000 generated organizations, some of
// them archived and some changed since they were stored, so that the filter
// rows have been rewritten. It returns the time of the changes.
func newListTestDB(t *testing.T) (*sqlstore.DB, time.Time) {
	t.Helper()
	ctx := context.Background()
	db, svc := newTestDB(t)
	orgs := mustSeed(t, svc, 2000, 7)
	time.Sleep(2 * time.Millisecond) // the changes come strictly later than the seed
	changed := time.Now().UTC()
	op := directory.Operator("test")
	for i := 0; i < len(orgs); i += 25 {
		if _, err := svc.ArchiveOrganization(ctx, op, orgs[i].ID, directory.Precondition{}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 7; i < len(orgs); i += 40 { // never one of the archived
		_, err := svc.UpdateOrganization(ctx, op, orgs[i].ID, directory.Precondition{}, func(o *directory.Organization) error {
			o.MembershipStatus = directory.StatusAssociate
			o.FocusAreas = append(o.FocusAreas, "research")
			o.Languages = append(o.Languages, "ka")
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return db, changed
}

func listCases(changed time.Time) []listCase {
	q := func(change func(*directory.ListQuery)) directory.ListQuery {
		lq := directory.ListQuery{Page: 1, PerPage: directory.DefaultPerPage, Sort: directory.SortName}
		change(&lq)
		return lq
	}
	relevance := func(page, perPage int) func(*directory.ListQuery) {
		return func(lq *directory.ListQuery) { lq.Sort, lq.Page, lq.PerPage = directory.SortRelevance, page, perPage }
	}
	return []listCase{
		{name: "everything", q: q(func(*directory.ListQuery) {})},
		{name: "a later page in English", q: q(func(lq *directory.ListQuery) { lq.Page, lq.PerPage, lq.Lang = 3, 50, directory.LangEN })},
		{name: "in Russian, deep", q: q(func(lq *directory.ListQuery) { lq.Page, lq.Lang = 90, directory.LangRU })},
		{name: "last changed first", q: q(func(lq *directory.ListQuery) { lq.Sort = directory.SortUpdatedAtDesc })},
		{name: "changed since", q: q(func(lq *directory.ListQuery) { lq.Sort, lq.ModifiedAfter = directory.SortUpdatedAtDesc, changed })},
		{name: "country", q: q(func(lq *directory.ListQuery) { lq.Countries = []string{"RU"} })},
		{name: "several countries", q: q(func(lq *directory.ListQuery) { lq.Countries = []string{"KZ", "UZ", "KG"} })},
		{name: "status", q: q(func(lq *directory.ListQuery) { lq.Statuses = []directory.MembershipStatus{directory.StatusFormer} })},
		{name: "status and country", q: q(func(lq *directory.ListQuery) {
			lq.Statuses, lq.Countries = []directory.MembershipStatus{directory.StatusAssociate}, []string{"RU"}
		})},
		{name: "focus area", q: q(func(lq *directory.ListQuery) { lq.FocusAreas = []string{"shelter"} })},
		{name: "focus area, page 5", q: q(func(lq *directory.ListQuery) { lq.FocusAreas, lq.Page = []string{"shelter"}, 5 })},
		{name: "focus area and country", q: q(func(lq *directory.ListQuery) { lq.FocusAreas, lq.Countries = []string{"shelter"}, []string{"RU"} })},
		{name: "focus area, country and status", q: q(func(lq *directory.ListQuery) {
			lq.FocusAreas, lq.Countries, lq.Statuses = []string{"research"}, []string{"RU", "KZ"}, []directory.MembershipStatus{directory.StatusAssociate}
		})},
		{name: "two focus areas", q: q(func(lq *directory.ListQuery) { lq.FocusAreas = []string{"shelter", "hotline"} })},
		{name: "focus area and region", q: q(func(lq *directory.ListQuery) { lq.FocusAreas, lq.Regions = []string{"shelter"}, []string{"RU-MOW"} })},
		{name: "region", q: q(func(lq *directory.ListQuery) { lq.Regions = []string{"RU-NIZ"} })},
		{name: "rare language", q: q(func(lq *directory.ListQuery) { lq.Languages = []string{"ka"} })},
		{name: "language, status, by Russian name", q: q(func(lq *directory.ListQuery) {
			lq.Languages, lq.Statuses, lq.Lang = []string{"en"}, []directory.MembershipStatus{directory.StatusMember}, directory.LangRU
		})},
		{name: "changed since, with a focus area", q: q(func(lq *directory.ListQuery) { lq.FocusAreas, lq.ModifiedAfter = []string{"research"}, changed })},
		{name: "search", q: q(relevance(1, 20)), text: "центр"},
		{name: "search, page 3", q: q(relevance(3, 20)), text: "центр"},
		{name: "search in names and descriptions, page 1", q: q(relevance(1, 50)), text: "помощ"},
		{name: "search in names and descriptions, page 2", q: q(relevance(2, 50)), text: "помощ"},
		{name: "search in names and descriptions, page 3", q: q(relevance(3, 50)), text: "помощ"},
		{name: "search in names and descriptions, page 6", q: q(relevance(6, 50)), text: "помощ"},
		{name: "rare search", q: q(relevance(1, 20)), text: "надежда"},
		{name: "two words", q: q(relevance(1, 20)), text: "фонд надежда"},
		{name: "search and country", q: q(func(lq *directory.ListQuery) {
			relevance(1, 20)(lq)
			lq.Countries = []string{"RU"}
		}), text: "центр"},
		{name: "search and focus area", q: q(func(lq *directory.ListQuery) {
			relevance(1, 20)(lq)
			lq.FocusAreas = []string{"shelter"}
		}), text: "приют"},
		{name: "search by name", q: q(func(lq *directory.ListQuery) { lq.Page = 2 }), text: "центр"},
		// Searches with filters, on PostgreSQL from the search rows
		// (filter.searchWhere): more matches than are ranked in Go, by
		// relevance levels and by name; and few, with every kind of filter.
		{name: "common search and statuses, page 2", q: q(func(lq *directory.ListQuery) {
			relevance(2, 50)(lq)
			lq.Statuses = []directory.MembershipStatus{directory.StatusMember, directory.StatusAssociate}
		}), text: "помощ"},
		{name: "common search and a language, by name, page 3", q: q(func(lq *directory.ListQuery) {
			lq.Page, lq.PerPage, lq.Languages = 3, 50, []string{"ru"}
		}), text: "помощ"},
		{name: "search, focus areas, country and status, changed since", q: q(func(lq *directory.ListQuery) {
			relevance(1, 20)(lq)
			lq.FocusAreas, lq.Countries, lq.Statuses = []string{"research", "shelter"}, []string{"RU", "KZ"}, []directory.MembershipStatus{directory.StatusAssociate}
			lq.ModifiedAfter = changed
		}), text: "центр"},
		{name: "search, region and focus area, by name", q: q(func(lq *directory.ListQuery) {
			lq.Regions, lq.FocusAreas, lq.Countries = []string{"RU-MOW", "RU-SPE"}, []string{"shelter", "hotline"}, []string{"RU"}
		}), text: "центр"},
		{name: "partners-only text, anonymously", q: q(relevance(1, 20)), text: "вересов"},
		{name: "partners-only text, as a partner", q: q(relevance(1, 20)), text: "вересов", private: true},
		{name: "a rare combination", q: q(func(lq *directory.ListQuery) {
			lq.Countries, lq.FocusAreas = []string{"GE"}, []string{"prosecution", "research"}
		})},
		{name: "past the last page", q: q(func(lq *directory.ListQuery) { lq.Regions, lq.Page = []string{"RU-NIZ"}, 50 })},
	}
}

// TestListMatchesReference checks that the planned list queries return what
// the plain query does, that both ways of finding a page agree, and that
// the tallies match plain queries over the organizations.
func TestListMatchesReference(t *testing.T) {
	t.Parallel()
	db, changed := newListTestDB(t)
	ctx := context.Background()
	t.Run("counts", func(t *testing.T) { checkCounts(t, db) })
	for _, c := range listCases(changed) {
		t.Run(c.name, func(t *testing.T) {
			wantIDs, wantTotal := referenceList(t, db, c)
			orgs, total, err := db.ListOrganizations(ctx, c.q, c.search(), c.private)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, o := range orgs {
				ids = append(ids, o.ID)
				if o.ArchivedAt != nil {
					t.Errorf("listed archived organization %s", o.Slug)
				}
			}
			if total != wantTotal {
				t.Errorf("got total %d, want %d", total, wantTotal)
			}
			if !slices.Equal(ids, wantIDs) {
				t.Errorf("got %d organizations %v,\nwant %d %v", len(ids), ids, len(wantIDs), wantIDs)
			}

			if c.q.Sort == directory.SortRelevance {
				return // two pages, each checked by the other cases
			}
			for _, walk := range []bool{true, false} {
				page, err := db.PageBy(ctx, walk, c.q, c.search(), c.private)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, o := range page {
					got = append(got, o.ID)
				}
				if !slices.Equal(got, wantIDs) {
					t.Errorf("walk=%v: got %v, want %v", walk, got, wantIDs)
				}
			}
		})
	}
}

// TestListPlans checks the shape of the page queries: a walk reads its
// order's index without sorting, and collecting drives from the filter
// rows rather than scanning the organizations.
func TestListPlans(t *testing.T) {
	t.Parallel()
	dbtest.SkipUnlessSQLite(t, "the planner picks its own plans (no INDEXED BY); EXPLAIN shows them")
	db, _ := newTestDB(t)
	all := directory.ListQuery{
		Countries:     []string{"RU"},
		Statuses:      []directory.MembershipStatus{directory.StatusMember},
		Regions:       []string{"RU-NIZ"},
		FocusAreas:    []string{"shelter"},
		Languages:     []string{"ru"},
		ModifiedAfter: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	plan := func(query string, args []any) string {
		t.Helper()
		rows, err := db.Gorm().Raw("EXPLAIN QUERY PLAN "+query+" LIMIT 20 OFFSET 0", args...).Rows()
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var steps []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			steps = append(steps, detail)
		}
		return strings.Join(steps, "; ")
	}
	for _, sorted := range []directory.ListQuery{
		{Sort: directory.SortName},
		{Sort: directory.SortName, Lang: directory.LangRU},
		{Sort: directory.SortName, Lang: directory.LangEN},
		{Sort: directory.SortUpdatedAtDesc},
	} {
		q := all
		q.Sort, q.Lang = sorted.Sort, sorted.Lang
		query, args, index, by := db.PageQuery(true, q, directory.ParseSearch("центр"), true)
		got := plan(query, args)
		if !strings.HasPrefix(got, "SCAN o USING INDEX "+index) && !strings.HasPrefix(got, "SEARCH o USING INDEX "+index+" ") ||
			strings.Contains(got, "TEMP B-TREE") {
			t.Errorf("walk in %s: got plan %q, want a scan of %s without a sort", by, got, index)
		}
	}
	for _, q := range []directory.ListQuery{
		{FocusAreas: []string{"shelter"}, Countries: []string{"RU"}},
		{Regions: []string{"RU-NIZ"}, Statuses: []directory.MembershipStatus{directory.StatusMember}},
	} {
		query, args, _, _ := db.PageQuery(false, q, directory.SearchQuery{}, false)
		if got := plan(query, args); !strings.HasPrefix(got, "SEARCH o USING INTEGER PRIMARY KEY") {
			t.Errorf("collecting %v: got plan %q, want lookups of the filter rows' organizations", q, got)
		}
	}
}

// checkCounts checks the tallies against plain queries over the
// organizations.
func checkCounts(t *testing.T, db *sqlstore.DB) {
	got, err := db.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tally := func(query string) map[string]int {
		t.Helper()
		rows, err := db.Gorm().Raw(query).Rows()
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		m := map[string]int{}
		for rows.Next() {
			var code string
			var n int
			if err := rows.Scan(&code, &n); err != nil {
				t.Fatal(err)
			}
			m[code] = n
		}
		return m
	}
	live := "FROM organizations o WHERE o.archived_at IS NULL"
	// The values of a JSON list column, as a table of one column, value.
	values := func(column string) string { return "json_each(" + column + ")" }
	if db.Backend() == "postgres" {
		values = func(column string) string { return "json_array_elements_text(" + column + "::json)" }
	}
	statuses := map[string]int{}
	for s, n := range got.ByStatus {
		statuses[string(s)] = n
	}
	for _, tc := range []struct {
		name      string
		got, want map[string]int
	}{
		{"total", map[string]int{"": got.Total}, tally("SELECT '', count(*) " + live)},
		{"by country", got.ByCountry, tally("SELECT o.country_code, count(*) " + live + " GROUP BY 1")},
		{"by status", statuses, tally("SELECT o.membership_status, count(*) " + live + " GROUP BY 1")},
		{"by region", got.ByRegion, tally(`SELECT r.value, count(DISTINCT o.pk) FROM organizations o,
			(SELECT pk, region_code AS value FROM organizations WHERE region_code <> ''
			 UNION SELECT organizations.pk, j.value FROM organizations, ` + values("service_regions") + ` j) r
			WHERE r.pk = o.pk AND o.archived_at IS NULL GROUP BY 1`)},
		{"by focus area", got.ByFocusArea, tally("SELECT j.value, count(*) FROM organizations o, " + values("o.focus_areas") + " j WHERE o.archived_at IS NULL GROUP BY 1")},
	} {
		if fmt.Sprint(tc.got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

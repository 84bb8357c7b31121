package sqlstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/sqlstore"
)

// TestFilterRowsFollowRecords writes organizations by every path that
// writes them (seeding, the API's create and update, archiving, an import
// that creates some and updates others) and checks that each one's filter
// rows are exactly its seat and service regions, focus areas and languages,
// each repeating its country, status and whether it is archived.
func TestFilterRowsFollowRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, svc := newTestDB(t)
	admin := directory.Operator("test")
	seeded := mustSeed(t, svc, 40, 3)

	created, err := svc.CreateOrganization(ctx, admin, demo.Generate(1, 4)[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateOrganization(ctx, admin, seeded[0].ID, directory.Precondition{}, func(o *directory.Organization) error {
		o.FocusAreas = o.FocusAreas[:1]
		o.RegionCode = "RU-MOW"
		o.CountryCode = "RU"
		o.ServiceRegions = []string{"RU-MOS", "RU-MOW"} // the seat again
		o.Languages = []string{"en", "ru"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ArchiveOrganization(ctx, admin, seeded[1].ID, directory.Precondition{}); err != nil {
		t.Fatal(err)
	}

	// More than two batches of an import (importBatch), whose filter rows
	// are derived batch by batch.
	const imported = 2030
	var records []directory.ImportRecord
	for i, o := range demo.Generate(imported, 5) {
		o.Slug = fmt.Sprintf("imported-%d-%s", i, o.Slug)
		records = append(records, directory.WholeRecord(len(records)+1, o))
	}
	for _, o := range seeded[2:7] {
		o.ServiceRegions = nil
		o.FocusAreas = o.FocusAreas[len(o.FocusAreas)-1:]
		o.Languages = []string{"ru"}
		records = append(records, directory.WholeRecord(len(records)+1, o))
	}
	report, err := svc.Import(ctx, admin, slices.Values(records), directory.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if report.Created != imported || report.Updated != 5 {
		t.Fatalf("import: %d created, %d updated; want %d and 5", report.Created, report.Updated, imported)
	}

	got := filterRowsByOrganization(t, db)
	want := expectedFilterRows(t, db)
	if len(want) != 40+1+imported {
		t.Fatalf("%d organizations stored, want %d", len(want), 40+1+imported)
	}
	for pk, w := range want {
		if g := got[pk]; !slices.Equal(g, w) {
			t.Errorf("organization %d (created %v): filter rows\n got %v\nwant %v", pk, pk == lookupPK(t, db, created.ID), g, w)
		}
	}
	for pk := range got {
		if _, ok := want[pk]; !ok {
			t.Errorf("filter rows of organization %d, which does not exist", pk)
		}
	}
}

func lookupPK(t *testing.T, db *sqlstore.DB, id string) int64 {
	t.Helper()
	var pk int64
	if err := db.Gorm().Raw("SELECT pk FROM organizations WHERE id = ?", id).Row().Scan(&pk); err != nil {
		t.Fatal(err)
	}
	return pk
}

// filterRowsByOrganization returns every filter row as text, sorted, by
// organization key.
func filterRowsByOrganization(t *testing.T, db *sqlstore.DB) map[int64][]string {
	t.Helper()
	rows, err := db.Gorm().Raw(`
		SELECT org_pk, 'region ' || region_code, country_code, membership_status, archived FROM organization_regions
		UNION ALL SELECT org_pk, 'focus ' || focus_area, country_code, membership_status, archived FROM organization_focus_areas
		UNION ALL SELECT org_pk, 'language ' || language, country_code, membership_status, archived FROM organization_languages`).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var pk int64
		var value, country, status string
		var archived bool
		if err := rows.Scan(&pk, &value, &country, &status, &archived); err != nil {
			t.Fatal(err)
		}
		out[pk] = append(out[pk], fmt.Sprintf("%s %s %s %v", value, country, status, archived))
	}
	for _, v := range out {
		slices.Sort(v)
	}
	return out
}

// expectedFilterRows computes, in Go, the filter rows each stored
// organization should have.
func expectedFilterRows(t *testing.T, db *sqlstore.DB) map[int64][]string {
	t.Helper()
	var orgs []sqlstore.OrganizationRow
	if err := db.Gorm().Find(&orgs).Error; err != nil {
		t.Fatal(err)
	}
	out := map[int64][]string{}
	for _, o := range orgs {
		var regions, focusAreas, languages []string
		for _, c := range []struct {
			column string
			list   *[]string
		}{{o.ServiceRegions, &regions}, {o.FocusAreas, &focusAreas}, {o.Languages, &languages}} {
			if err := json.Unmarshal([]byte(c.column), c.list); err != nil {
				t.Fatal(err)
			}
		}
		if o.RegionCode != "" && !slices.Contains(regions, o.RegionCode) {
			regions = append(regions, o.RegionCode)
		}
		rows := []string{}
		for kind, values := range map[string][]string{"region": regions, "focus": focusAreas, "language": languages} {
			for _, v := range values {
				rows = append(rows, fmt.Sprintf("%s %s %s %s %v", kind, v, o.CountryCode, o.MembershipStatus, o.Archived != nil))
			}
		}
		slices.Sort(rows)
		out[o.PK] = rows
	}
	return out
}

// TestImportIntoEmpty loads an empty directory, the path that drops the
// indexes and pauses the search index's merging, and checks that the schema
// is whole again afterwards and that every organization can be found.
func TestImportIntoEmpty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, svc := newTestDB(t)
	if err := db.AddFocusAreas(ctx, directory.DefaultFocusAreas()); err != nil {
		t.Fatal(err)
	}
	before := schema(t, db)
	orgs := demo.Generate(300, 11)
	var records []directory.ImportRecord
	for i, o := range orgs {
		records = append(records, directory.WholeRecord(i+1, o))
	}
	report, err := svc.Import(ctx, directory.Operator("test"), slices.Values(records), directory.ImportOptions{})
	if err != nil || report.Created != len(orgs) {
		t.Fatalf("import: %d of %d created: %v", report.Created, len(orgs), err)
	}
	if after := schema(t, db); after != before {
		t.Errorf("the schema changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if n := tableCounts(t, db)["organization_search"]; n != len(orgs) {
		t.Errorf("%d search rows, want %d", n, len(orgs))
	}
	var entries, ids int
	if err := db.Gorm().Raw("SELECT count(*), count(DISTINCT id) FROM audit_entries").Row().Scan(&entries, &ids); err != nil {
		t.Fatal(err)
	}
	if entries != len(orgs) || ids != len(orgs) {
		t.Errorf("%d audit entries with %d distinct ids, want one for each of %d organizations", entries, ids, len(orgs))
	}
	for _, o := range orgs[:20] {
		history, _, err := svc.History(ctx, directory.Operator("test"), o.ID, 1, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(history) != 1 || history[0].Action != directory.ActionImport || history[0].EntityID != o.ID ||
			history[0].Actor != "test" || uuid.Validate(history[0].ID) != nil {
			t.Errorf("history of %s: %+v", o.Slug, history)
		}
		name := o.Translations[o.OriginalLanguage].Name
		page, err := svc.Organizations(ctx, directory.ListQuery{Text: name, Page: 1, PerPage: 100}, directory.Caller{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(page.Items, func(got directory.Organization) bool { return got.ID == o.ID }) {
			t.Errorf("searching %q does not find %s", name, o.Slug)
		}
	}
}

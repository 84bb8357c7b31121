package postgres

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/geo"
)

// openMigrated opens a new, migrated database of the test's own.
func openMigrated(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, createDatabase(t, serverURL(t), "TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// openService is openMigrated with a directory.Service over it.
func openService(t *testing.T) (*DB, *directory.Service) {
	t.Helper()
	db := openMigrated(t)
	places, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	return db, directory.NewService(db, places)
}

// openSeeded is openService with n generated organizations seeded.
func openSeeded(t *testing.T, n int) (*DB, *directory.Service, []directory.Organization) {
	t.Helper()
	db, svc := openService(t)
	orgs := demo.Generate(n, 1)
	if _, err := svc.Seed(context.Background(), orgs); err != nil {
		t.Fatal(err)
	}
	return db, svc, orgs
}

// sortKeysApart returns the number of search rows whose name sort keys
// differ from their organization's, and the numbers of search rows and of
// live organizations.
func sortKeysApart(t *testing.T, db *DB) (apart, rows, live int) {
	t.Helper()
	err := db.write.QueryRowContext(context.Background(), `SELECT
		(SELECT count(*) FROM organization_search s LEFT JOIN organizations o ON o.pk = s.docid
			WHERE (s.sort_original, s.sort_ru, s.sort_en) IS DISTINCT FROM (o.sort_original, o.sort_ru, o.sort_en)),
		(SELECT count(*) FROM organization_search),
		(SELECT count(*) FROM organizations WHERE archived_at IS NULL)`).Scan(&apart, &rows, &live)
	if err != nil {
		t.Fatal(err)
	}
	return apart, rows, live
}

// TestSearchSortKeysBackfilled checks that migration 0012 gives the search
// rows of an existing directory their organizations' sort keys: the
// database is taken back to where it was without it (later migrations do
// not touch the columns), holding organizations, and migrated again.
func TestSearchSortKeysBackfilled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openMigrated(t)
	_, err := db.write.ExecContext(ctx, `
		ALTER TABLE organization_search DROP COLUMN sort_original, DROP COLUMN sort_ru, DROP COLUMN sort_en;
		DELETE FROM schema_migrations WHERE version = 12;
		INSERT INTO organizations (pk, id, slug, original_language, sort_original, sort_ru, sort_en,
			country_code, membership_status, created_at, updated_at, version)
		VALUES (1, 'a', 'a', 'ru', 'приют', 'приют', 'shelter', 'RU', 'member', 't', 't', 1),
			(2, 'b', 'b', 'en', 'hope', 'надежда', 'hope', 'RU', 'member', 't', 't', 1);
		INSERT INTO organization_search (docid, name, country_code, membership_status, filter_terms)
		VALUES (1, 'приют shelter', 'RU', 'member', ''), (2, 'надежда hope', 'RU', 'member', '')`)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if apart, rows, _ := sortKeysApart(t, db); apart != 0 || rows != 2 {
		t.Errorf("got %d of %d search rows with sort keys apart from their organization's, want 0 of 2", apart, rows)
	}
}

// TestSearchSortKeysFollowWrites checks that the sort keys beside each
// search document are its organization's after every kind of write that
// writes search rows: a load, an update that renames, an archive and a
// restore.
func TestSearchSortKeysFollowWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, svc, orgs := openSeeded(t, 40)
	op := directory.Operator("test")
	_, err := svc.UpdateOrganization(ctx, op, orgs[3].ID, directory.Precondition{}, func(o *directory.Organization) error {
		text := o.Translations[o.OriginalLanguage]
		text.Name = "Аааа " + text.Name // sorts first in every language
		o.Translations[o.OriginalLanguage] = text
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ArchiveOrganization(ctx, op, orgs[5].ID, directory.Precondition{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ArchiveOrganization(ctx, op, orgs[6].ID, directory.Precondition{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RestoreOrganization(ctx, op, orgs[6].ID, directory.Precondition{}, ""); err != nil {
		t.Fatal(err)
	}
	apart, rows, live := sortKeysApart(t, db)
	if apart != 0 || rows != live || live != len(orgs)-1 {
		t.Errorf("got %d of %d search rows with sort keys apart from their organization's, %d live organizations; want 0 of %d, %d",
			apart, rows, live, len(orgs)-1, len(orgs)-1)
	}
}

// filterColumnsApart returns the number of search rows whose country or
// membership status differs from their organization's.
func filterColumnsApart(t *testing.T, db *DB) int {
	t.Helper()
	var apart int
	err := db.write.QueryRowContext(context.Background(), `SELECT count(*)
		FROM organization_search s LEFT JOIN organizations o ON o.pk = s.docid
		WHERE (s.country_code, s.membership_status) IS DISTINCT FROM (o.country_code, o.membership_status)`).Scan(&apart)
	if err != nil {
		t.Fatal(err)
	}
	return apart
}

// TestSearchFilterColumnsBackfilled checks that migration 0015 gives the
// search rows of an existing directory their organizations' country and
// membership status: the database is taken back to where it was without
// it, holding organizations, and migrated again.
func TestSearchFilterColumnsBackfilled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openMigrated(t)
	_, err := db.write.ExecContext(ctx, `
		ALTER TABLE organization_search DROP COLUMN country_code, DROP COLUMN membership_status;
		DELETE FROM schema_migrations WHERE version = 15;
		INSERT INTO organizations (pk, id, slug, original_language, sort_original, sort_ru, sort_en,
			country_code, membership_status, created_at, updated_at, version)
		VALUES (1, 'a', 'a', 'ru', 'приют', 'приют', 'shelter', 'RU', 'member', 't', 't', 1),
			(2, 'b', 'b', 'en', 'hope', 'надежда', 'hope', 'KZ', 'former', 't', 't', 1);
		INSERT INTO organization_search (docid, name, sort_original, sort_ru, sort_en, filter_terms)
		VALUES (1, 'приют shelter', 'приют', 'приют', 'shelter', ''), (2, 'надежда hope', 'hope', 'надежда', 'hope', '')`)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if apart := filterColumnsApart(t, db); apart != 0 {
		t.Errorf("got %d search rows with a country or status apart from their organization's, want 0", apart)
	}
}

// TestSearchFilterColumnsFollowWrites checks that the country and
// membership status beside each search document are its organization's
// after a load and after updates that change them, and that a search with
// the new country or status finds the organization and one with the old
// does not (they are read from the search rows, filter.searchWhere).
func TestSearchFilterColumnsFollowWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, svc, orgs := openSeeded(t, 40)
	moved, changed := orgs[3], orgs[4]
	country := "KZ"
	if moved.CountryCode == country {
		country = "AM"
	}
	status := directory.StatusFormer
	if changed.MembershipStatus == status {
		status = directory.StatusAssociate
	}
	op := directory.Operator("test")
	for _, u := range []struct {
		id     string
		change func(o *directory.Organization)
	}{
		{moved.ID, func(o *directory.Organization) { o.CountryCode, o.RegionCode = country, "" }},
		{changed.ID, func(o *directory.Organization) { o.MembershipStatus = status }},
	} {
		_, err := svc.UpdateOrganization(ctx, op, u.id, directory.Precondition{}, func(o *directory.Organization) error {
			u.change(o)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if apart := filterColumnsApart(t, db); apart != 0 {
		t.Errorf("got %d search rows with a country or status apart from their organization's, want 0", apart)
	}
	var got [4]bool
	for i, q := range []struct {
		id        string
		countries []string
		statuses  []directory.MembershipStatus
	}{
		{moved.ID, []string{country}, nil},
		{moved.ID, []string{moved.CountryCode}, nil},
		{changed.ID, nil, []directory.MembershipStatus{status}},
		{changed.ID, nil, []directory.MembershipStatus{changed.MembershipStatus}},
	} {
		org := moved
		if q.id == changed.ID {
			org = changed
		}
		word := strings.Fields(org.Translations[org.OriginalLanguage].Name)[0]
		page, err := svc.Organizations(ctx, directory.ListQuery{Text: word, Countries: q.countries, Statuses: q.statuses,
			Page: 1, PerPage: directory.MaxPerPage}, op)
		if err != nil {
			t.Fatal(err)
		}
		got[i] = slices.ContainsFunc(page.Items, func(o directory.Organization) bool { return o.ID == q.id })
	}
	if got != [4]bool{true, false, true, false} {
		t.Errorf("found by new country, old country, new status, old status: %v, want [true false true false]", got)
	}
}

// filterTermsApart returns the number of search rows whose filter terms
// are not those of their organization's filter tables, as sets.
func filterTermsApart(t *testing.T, db *DB) int {
	t.Helper()
	var apart int
	err := db.write.QueryRowContext(context.Background(), `SELECT count(*) FROM organization_search s
		WHERE ARRAY(SELECT DISTINCT t FROM unnest(string_to_array(s.filter_terms, ' ')) t ORDER BY t)
			IS DISTINCT FROM ARRAY(SELECT t FROM (
				SELECT 'R~' || region_code AS t FROM organization_regions WHERE org_pk = s.docid
				UNION SELECT 'F~' || focus_area FROM organization_focus_areas WHERE org_pk = s.docid
				UNION SELECT 'L~' || language FROM organization_languages WHERE org_pk = s.docid) terms ORDER BY t)`).Scan(&apart)
	if err != nil {
		t.Fatal(err)
	}
	return apart
}

// TestSearchFilterTermsBackfilled checks that migration 0017 gives the
// search rows of an existing directory the filter terms of their
// organizations: the database is taken back to where it was without it
// (migration 0013's document, no filter terms), holding organizations,
// and migrated again. A search with a focus area then finds them.
func TestSearchFilterTermsBackfilled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, svc, orgs := openSeeded(t, 40)
	before, err := fs.ReadFile(migrationFiles, "migrations/0013_search_document_array.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, string(before)+`;
		ALTER TABLE organization_search DROP COLUMN filter_terms;
		DELETE FROM schema_migrations WHERE version = 17`); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if apart := filterTermsApart(t, db); apart != 0 {
		t.Errorf("got %d search rows with filter terms apart from their organization's, want 0", apart)
	}
	org := orgs[7]
	if !foundWith(t, svc, org, directory.ListQuery{FocusAreas: org.FocusAreas[:1]}) {
		t.Errorf("a search for %s with its focus area %s does not find it", org.Slug, org.FocusAreas[0])
	}
}

// foundWith reports whether a search for the first word of org's name with
// the filters of q finds org.
func foundWith(t *testing.T, svc *directory.Service, org directory.Organization, q directory.ListQuery) bool {
	t.Helper()
	q.Text = strings.Fields(org.Translations[org.OriginalLanguage].Name)[0]
	q.Page, q.PerPage = 1, directory.MaxPerPage
	for {
		page, err := svc.Organizations(context.Background(), q, directory.Operator("test"))
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(page.Items, func(o directory.Organization) bool { return o.ID == org.ID }) {
			return true
		}
		if q.Page*q.PerPage >= page.Total {
			return false
		}
		q.Page++
	}
}

// TestSearchFilterTermsFollowWrites checks that the filter terms of each
// search row are its organization's after a load and after updates that
// change its regions, focus areas and languages, an archive and a restore,
// and that a search with a new value finds the organization and one with
// an old value does not (the index matches them, filter.searchWhere).
func TestSearchFilterTermsFollowWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, svc, orgs := openSeeded(t, 40)
	org := orgs[3]
	if len(org.FocusAreas) == 0 || len(org.Languages) == 0 || org.RegionCode == "" {
		t.Fatalf("generated organization %s has no focus area, language or region", org.Slug)
	}
	focus, language, region := "research", "hy", "RU-KLU"
	if slices.Contains(org.FocusAreas, focus) || slices.Contains(org.Languages, language) ||
		org.CountryCode != "RU" || org.RegionCode == region || slices.Contains(org.ServiceRegions, region) {
		t.Fatalf("generated organization %s already has %s, %s or %s, or is not in Russia", org.Slug, focus, language, region)
	}
	op := directory.Operator("test")
	updated, err := svc.UpdateOrganization(ctx, op, org.ID, directory.Precondition{}, func(o *directory.Organization) error {
		o.FocusAreas = []string{focus}
		o.Languages = []string{language}
		o.ServiceRegions = []string{region}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{orgs[5].ID, orgs[6].ID} {
		if _, err := svc.ArchiveOrganization(ctx, op, id, directory.Precondition{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.RestoreOrganization(ctx, op, orgs[6].ID, directory.Precondition{}, ""); err != nil {
		t.Fatal(err)
	}
	if apart := filterTermsApart(t, db); apart != 0 {
		t.Errorf("got %d search rows with filter terms apart from their organization's, want 0", apart)
	}
	for _, c := range []struct {
		name string
		q    directory.ListQuery
		want bool
	}{
		{"new focus area", directory.ListQuery{FocusAreas: []string{focus}}, true},
		{"old focus area", directory.ListQuery{FocusAreas: org.FocusAreas[:1]}, false},
		{"new language", directory.ListQuery{Languages: []string{language}}, true},
		{"old language", directory.ListQuery{Languages: org.Languages[:1]}, false},
		{"new service region", directory.ListQuery{Regions: []string{region}}, true},
		{"seat region", directory.ListQuery{Regions: []string{org.RegionCode}}, true},
		{"new focus area in a region elsewhere", directory.ListQuery{FocusAreas: []string{focus}, Regions: []string{"KZ-ALA"}}, false},
		{"any of two focus areas", directory.ListQuery{FocusAreas: []string{org.FocusAreas[0], focus}}, true},
	} {
		if got := foundWith(t, svc, updated, c.q); got != c.want {
			t.Errorf("%s: found %v, want %v", c.name, got, c.want)
		}
	}
}

// TestLoadLeavesFilterTablesVisible checks that a load of many
// organizations, by a seed or by an import, leaves every page of the
// filter tables marked all-visible, so that their index-only counts read no
// rows: the load ends with a VACUUM (Dialect.AfterLoad), whose marks need
// the load's commit flushed, and its neighbours' in the commit log
// (TestVacuumLoadedAfterNeighbourCommit).
func TestLoadLeavesFilterTablesVisible(t *testing.T) {
	t.Parallel()
	orgs := demo.Generate(1000, 1)
	for _, load := range []struct {
		name string
		run  func(ctx context.Context, svc *directory.Service) error
	}{
		{"seed", func(ctx context.Context, svc *directory.Service) error {
			_, err := svc.Seed(ctx, orgs)
			return err
		}},
		{"import", func(ctx context.Context, svc *directory.Service) error {
			records := make([]directory.ImportRecord, len(orgs))
			for i, o := range orgs {
				records[i] = directory.WholeRecord(i+1, o)
			}
			report, err := svc.Import(ctx, directory.Operator("test"), slices.Values(records), directory.ImportOptions{})
			if err == nil && report.Created != len(orgs) {
				err = fmt.Errorf("created %d of %d", report.Created, len(orgs))
			}
			return err
		}},
	} {
		t.Run(load.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, svc := openService(t)
			if err := db.AddFocusAreas(ctx, directory.DefaultFocusAreas()); err != nil {
				t.Fatal(err)
			}
			if err := load.run(ctx, svc); err != nil {
				t.Fatal(err)
			}
			rows, err := db.write.QueryContext(ctx, `SELECT relname, relpages, relallvisible FROM pg_class
		WHERE relname IN ('organization_regions', 'organization_focus_areas', 'organization_languages', 'organizations')`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var name string
				var pages, visible int
				if err := rows.Scan(&name, &pages, &visible); err != nil {
					t.Fatal(err)
				}
				if pages == 0 || visible != pages {
					t.Errorf("%s: %d of %d pages all-visible, want all", name, visible, pages)
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// searchRowsPerPage returns the number of search rows per heap page that
// holds any, and a digest of every row's fields and document.
func searchRowsPerPage(t *testing.T, db *DB) (perPage float64, digest string) {
	t.Helper()
	err := db.write.QueryRowContext(context.Background(), `SELECT
		count(*)::float8 / count(DISTINCT (ctid::text::point)[0]),
		md5(string_agg(concat_ws('|', docid, name, acronym, place, description, document::text), E'\n' ORDER BY docid))
		FROM organization_search`).Scan(&perPage, &digest)
	if err != nil {
		t.Fatal(err)
	}
	return perPage, digest
}

// TestSearchRowsNarrow checks that migration 0016 keeps the search rows
// narrow, their fields and document out of line, so that a search visits
// few pages: in a directory stored before it, whose rows it rewrites, and
// in one loaded after (TestSearchRowsNarrowAfterLoad). The rows read back
// the same.
func TestSearchRowsNarrow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, svc := openService(t)
	// Back to the layout before 0016 (PostgreSQL's defaults, 0014's target).
	_, err := db.write.ExecContext(ctx, `
		ALTER TABLE organization_search SET (toast_tuple_target = 8160);
		ALTER TABLE organization_search
			ALTER COLUMN name SET STORAGE EXTENDED, ALTER COLUMN place SET STORAGE EXTENDED,
			ALTER COLUMN description SET STORAGE EXTENDED, ALTER COLUMN document SET STORAGE EXTENDED,
			ALTER COLUMN acronym SET STORAGE EXTENDED, ALTER COLUMN sort_original SET STORAGE EXTENDED,
			ALTER COLUMN sort_ru SET STORAGE EXTENDED, ALTER COLUMN sort_en SET STORAGE EXTENDED,
			ALTER COLUMN country_code SET STORAGE EXTENDED, ALTER COLUMN membership_status SET STORAGE EXTENDED;
		DELETE FROM schema_migrations WHERE version = 16`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Seed(ctx, demo.Generate(200, 1)); err != nil {
		t.Fatal(err)
	}
	wide, before := searchRowsPerPage(t, db)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	narrow, after := searchRowsPerPage(t, db)
	if wide > 4 || narrow < 15 {
		t.Errorf("got %.1f search rows per page before migration 0016 and %.1f after, want at most 4 and at least 15", wide, narrow)
	}
	if after != before {
		t.Errorf("the search rows read back differently after migration 0016")
	}
}

// TestSearchRowsNarrowAfterLoad checks that the search rows of a directory
// loaded after migration 0016 are narrow (see TestSearchRowsNarrow).
func TestSearchRowsNarrowAfterLoad(t *testing.T) {
	t.Parallel()
	db, _, _ := openSeeded(t, 200)
	if perPage, _ := searchRowsPerPage(t, db); perPage < 15 {
		t.Errorf("got %.1f search rows per page, want at least 15", perPage)
	}
}

package sqlstore_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/coalition-directory/coalition/internal/dbtest"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/sqlstore"
)

// TestSearchExpressionsRun checks that the FTS expressions of long queries,
// with typos, stop words and partners' private terms, stay within what
// FTS4 parses, on every relevance level and every page.
func TestSearchExpressionsRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, svc := newTestDB(t)
	mustSeed(t, svc, 200, 3)
	for _, text := range []string{
		"центр",
		"реабилитацыя помощь для женщин и детей в нижегородской области",
		"организация международная общественная благотворительная реабилитационная информационная правозащитная",
		"в и на для по с о к",
		"rehabilitaton centers for the victims of human traficking in the region",
		// Six words with typos: the ways of sharing the typos among them
		// made the expression of every result deeper than FTS4 takes.
		"реабилитацыя прававой помащи организацыи социальнай поддержки",
	} {
		for _, private := range []bool{false, true} {
			search := directory.ParseSearch(text)
			near, err := db.VocabularyNear(ctx, search.TypoProbes())
			if err != nil {
				t.Fatal(err)
			}
			search.AddTypos(near)
			levels := db.SearchLevels(search, private)
			for i, level := range levels {
				var n int
				if err := db.Gorm().Raw("SELECT count(*) FROM organization_search WHERE "+db.SearchMatch(), level).Row().Scan(&n); err != nil {
					t.Errorf("q=%q private=%v level %d of %d (%d bytes): %v", text, private, i, len(levels), len(level), err)
				}
			}
			for page := 1; page <= 3; page++ {
				q := directory.ListQuery{Text: text, Sort: directory.SortRelevance, Page: page, PerPage: 5}
				if _, _, err := db.ListOrganizations(ctx, q, search, private); err != nil {
					t.Errorf("q=%q private=%v page %d: %v", text, private, page, err)
				}
			}
			// The deepest level too: a page past every match counts them all.
			q := directory.ListQuery{Text: text, Sort: directory.SortRelevance, Page: 1, PerPage: 100}
			if _, _, err := db.ListOrganizations(ctx, q, search, private); err != nil {
				t.Errorf("q=%q private=%v, every level: %v", text, private, err)
			}
		}
	}
}

// TestRankFewAgreesWithLevels checks that the two ways of ordering by
// relevance agree: counting the levels' FTS expressions, and ranking a few
// matches in Go from their search rows.
func TestRankFewAgreesWithLevels(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := newListTestDB(t)
	for _, text := range []string{"центр", "центры помощи", "помощи в", "помощ мигрантам", "прававой помощи", "надежда", "в для",
		"центр и для детей", "реабилитацыя", "помощь москва"} {
		for _, private := range []bool{false, true} {
			search := directory.ParseSearch(text)
			near, err := db.VocabularyNear(ctx, search.TypoProbes())
			if err != nil {
				t.Fatal(err)
			}
			search.AddTypos(near)
			q := directory.ListQuery{Text: text, Sort: directory.SortRelevance, Lang: directory.LangRU, Page: 1, PerPage: 100}
			byLevels, few, err := db.RankBothWays(ctx, q, search, private)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(byLevels, few) {
				t.Errorf("q=%q private=%v: %d matches, by levels %v,\nranked in Go %v", text, private, len(few), byLevels, few)
			}
		}
	}
}

// oddTexts are texts of no word, or of words the Russian stemmer strips to
// nothing ("ейш..."), and of every kind of space, mark and symbol.
var oddTexts = []string{" ", "\u00a0\u2003\u3000", "\u200b\u200d\ufeff", "!!! ... —", "«»()[]{}", "\u0301\u0308\u0301",
	"§ ¤ §¤", "ейш", "  две   части  ", "☺ ★ ♥", "½ ²"}

// TestOddTextIndexes writes organizations whose searchable fields are
// oddTexts (beside a word of each field a search finds them by), by every
// kind of write (a seed, a create, an update, a new contact), and then reads
// every field of every search row: each must be terms separated by single
// spaces, none empty or marks alone. On PostgreSQL, whose search document is
// array_to_tsvector of the fields split at their spaces (migration 0013),
// an empty term would fail the write; there the documents' lexemes are read
// too. Each organization is found by its word of each field, and by "ейшая".
func TestOddTextIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, svc := newTestDB(t)
	editor := directory.Caller{Name: "test", Role: directory.RoleEditor}
	org := func(i int, text string) directory.Organization {
		return directory.Organization{OriginalLanguage: directory.LangRU, CountryCode: "RU", MembershipStatus: directory.StatusMember, City: text + " Тверь",
			Acronym: text + " АБВ", Address: text, AddressHidden: i%2 == 0,
			Translations: map[string]directory.Text{
				directory.LangRU: {Name: text + " ейшая " + text + " альфа" + text, Description: text + " гамма " + text},
				directory.LangEN: {Name: text + "omega" + text, Description: text + "ейш"},
			},
			Contacts: []directory.Contact{{Name: text + " дельта", Role: text, Visibility: directory.VisibilityPublic}}}
	}
	var ids []string
	seeded := make([]directory.Organization, len(oddTexts))
	for i, text := range oddTexts {
		seeded[i] = org(i, text)
		seeded[i].ID, seeded[i].Slug = fmt.Sprintf("0193b8a2-7c1e-7d4a-9f00-%012x", i+1), fmt.Sprintf("seeded-%d", i)
		seeded[i].Contacts[0].ID = fmt.Sprintf("0193b8a2-7c1e-7d4a-9f01-%012x", i+1)
	}
	for _, o := range dbtest.Seed(t, svc, seeded) {
		ids = append(ids, o.ID)
	}
	for i, text := range oddTexts {
		created, err := svc.CreateOrganization(ctx, editor, org(i+1, text))
		if err != nil {
			t.Fatalf("create with %q: %v", text, err)
		}
		ids = append(ids, created.ID)
		if _, err := svc.UpdateOrganization(ctx, editor, ids[i], directory.Precondition{}, func(o *directory.Organization) error {
			o.City, o.Address = text+" Тверь "+text, text+" улица"
			return nil
		}); err != nil {
			t.Fatalf("update with %q: %v", text, err)
		}
		if _, err := svc.CreateContact(ctx, editor, created.ID, directory.Contact{Name: text + " дельта", Role: text + "ейш", Visibility: directory.VisibilityPartners}); err != nil {
			t.Fatalf("contact with %q: %v", text, err)
		}
	}

	rows, err := db.Gorm().Raw("SELECT name, acronym, place, description FROM organization_search").Rows()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var fields [4]string
		if err := rows.Scan(&fields[0], &fields[1], &fields[2], &fields[3]); err != nil {
			t.Fatal(err)
		}
		n++
		for f, field := range fields {
			if field != strings.Join(strings.Fields(field), " ") {
				t.Errorf("search row field %d is %q: not terms separated by single spaces", f, field)
			}
			for _, term := range strings.Fields(field) {
				if strings.Trim(term, directory.StemMark+directory.PrivateMark) == "" {
					t.Errorf("search row field %d %q has the term %q, marks alone", f, field, term)
				}
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if n != len(ids) {
		t.Errorf("%d search rows, want %d", n, len(ids))
	}
	if dbtest.Backend() == "postgres" {
		var bad []string
		err := db.Gorm().Raw(`SELECT l.lexeme FROM organization_search s, unnest(s.document) AS l
			WHERE btrim(l.lexeme, ?) = ''`, directory.StemMark+directory.PrivateMark).Scan(&bad).Error
		if err != nil || len(bad) > 0 {
			t.Errorf("search documents have lexemes %q of marks alone (%v)", bad, err)
		}
	}

	for _, word := range []string{"альфа", "абв", "тверь", "гамма", "дельта", "ейшая"} {
		page, err := svc.Organizations(ctx, directory.ListQuery{Text: word, Sort: directory.SortRelevance, Page: 1, PerPage: 100}, editor)
		if err != nil {
			t.Errorf("q=%s: %v", word, err)
			continue
		}
		var found []string
		for _, o := range page.Items {
			found = append(found, o.ID)
		}
		slices.Sort(found)
		want := slices.Sorted(slices.Values(ids))
		if !slices.Equal(found, want) {
			t.Errorf("q=%s found %d organizations, want all %d", word, len(found), len(want))
		}
	}
}

// TestSmallDirectorySearchReadsIndex checks the plan of a search's first
// statement on a directory of 1,000 organizations: PostgreSQL's planner,
// which does not price reading each row's document out of line, chose to
// read the whole search table and every document rather than the GIN
// index, at 40 times the cost. The statements that start a search's read
// transaction (Dialect.SearchReadStart) must steer it to the index.
func TestSmallDirectorySearchReadsIndex(t *testing.T) {
	t.Parallel()
	if dbtest.Backend() != "postgres" {
		t.Skip("SQLite's FTS4 table is always searched through its index")
	}
	db, svc := newTestDB(t)
	mustSeed(t, svc, 1000, 3)
	q := directory.ListQuery{Page: 1, PerPage: directory.DefaultPerPage, Sort: directory.SortRelevance, Lang: directory.LangRU}
	for _, text := range []string{"центр", "помощь детям"} {
		plan := firstSearchPlan(t, db, q, text)
		if !slices.ContainsFunc(plan, func(line string) bool {
			return strings.Contains(line, "Bitmap Index Scan on organization_search_document")
		}) ||
			slices.ContainsFunc(plan, func(line string) bool { return strings.Contains(line, "Seq Scan on organization_search") }) {
			t.Errorf("q=%s: the first statement does not read the search index alone:\n%s", text, strings.Join(plan, "\n"))
		}
		// Planned once for any parameters (Dialect.SearchTableReadStart),
		// its conditions name them rather than their values.
		if !slices.ContainsFunc(plan, func(line string) bool { return strings.Contains(line, "document @@ $1") }) {
			t.Errorf("q=%s: the first statement is planned for its parameters' values, not once for any:\n%s", text, strings.Join(plan, "\n"))
		}
	}
}

// firstSearchPlan returns the lines of the plan of the first statement of
// a search for text listed by q, as its read transaction makes it: with
// the statements that start it, for a statement prepared as the driver
// prepares it (so that a plan made for any parameters shows them as $n).
func firstSearchPlan(t *testing.T, db *sqlstore.DB, q directory.ListQuery, text string) []string {
	t.Helper()
	query, args, start := db.FirstSearchStatement(q, directory.ParseSearch(text), false)
	n := 0
	query = regexp.MustCompile(`\?`).ReplaceAllStringFunc(query, func(string) string {
		n++
		return fmt.Sprintf("$%d", n)
	})
	var plan []string
	err := db.Gorm().Transaction(func(tx *gorm.DB) error {
		if start != "" {
			if err := tx.Exec(start).Error; err != nil {
				return err
			}
		}
		if err := tx.Exec("PREPARE first_search AS " + query).Error; err != nil {
			return err
		}
		// EXPLAIN takes no parameters: the values are written as literals.
		values := make([]string, len(args))
		for i, a := range args {
			switch a := a.(type) {
			case string:
				values[i] = "'" + strings.ReplaceAll(a, "'", "''") + "'"
			case int:
				values[i] = fmt.Sprint(a)
			default:
				return fmt.Errorf("argument %d: unexpected type %T", i+1, a)
			}
		}
		if err := tx.Raw("EXPLAIN EXECUTE first_search(" + strings.Join(values, ", ") + ")").Scan(&plan).Error; err != nil {
			return err
		}
		return tx.Exec("DEALLOCATE first_search").Error
	})
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// TestFilteredSearchReadsNoFilterTable checks that a search with a region,
// focus area and language on PostgreSQL matches them with its words in the
// search index (the documents' filter terms, Dialect.SearchAnd) instead of
// reading the filter tables, which read the row of every match of the
// words and probed each in a table: a search with a focus area at 100,000
// organizations took three times as long (migration 0017).
func TestFilteredSearchReadsNoFilterTable(t *testing.T) {
	t.Parallel()
	if dbtest.Backend() != "postgres" {
		t.Skip("SQLite's FTS4 table holds the words alone; the filter tables serve its searches")
	}
	db, svc := newTestDB(t)
	mustSeed(t, svc, 200, 3)
	q := directory.ListQuery{Page: 1, PerPage: directory.DefaultPerPage, Sort: directory.SortRelevance, Lang: directory.LangRU,
		Regions: []string{"RU-MOW", "RU-SPE"}, FocusAreas: []string{"shelter"}, Languages: []string{"en"}}
	plan := strings.Join(firstSearchPlan(t, db, q, "центр"), "\n")
	if strings.Contains(plan, "organization_regions") || strings.Contains(plan, "organization_focus_areas") ||
		strings.Contains(plan, "organization_languages") || !strings.Contains(plan, "organization_search_document") {
		t.Errorf("the first statement of a filtered search reads a filter table, or not the search index:\n%s", plan)
	}
}

// TestRecentSearchPlannedForItsTime checks the plan of the first statement
// of a search with modified_after on PostgreSQL, where a few organizations
// changed since: it must start from those few, found by the time index,
// and read their search rows by key. A plan made once for any time
// (Dialect.SearchTableReadStart) expects a third of the directory to have
// changed, and reads every match of the words into a hash to probe with
// the changed ones: at 100,000 organizations q=по has 95,992 matches,
// whose bitmap heap scan alone took 31 ms (EXPLAIN ANALYZE), for a page of
// a few organizations.
func TestRecentSearchPlannedForItsTime(t *testing.T) {
	t.Parallel()
	if dbtest.Backend() != "postgres" {
		t.Skip("SQLite plans each statement for its values")
	}
	ctx := context.Background()
	db, svc := newTestDB(t)
	orgs := mustSeed(t, svc, 1000, 3)
	time.Sleep(2 * time.Millisecond) // the changes come strictly later than the seed
	since := time.Now().UTC()
	for _, o := range orgs[:2] {
		_, err := svc.UpdateOrganization(ctx, directory.Operator("test"), o.ID, directory.Precondition{}, func(o *directory.Organization) error {
			o.MembershipStatus = directory.StatusAssociate
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	q := directory.ListQuery{Page: 1, PerPage: directory.DefaultPerPage, Sort: directory.SortRelevance, Lang: directory.LangRU,
		ModifiedAfter: since}
	plan := strings.Join(firstSearchPlan(t, db, q, "центр"), "\n")
	if strings.Contains(plan, "organization_search_document") || !strings.Contains(plan, "organization_search_pkey") {
		t.Errorf("the first statement of a search for what changed lately reads every match of the words, not the changed organizations' rows:\n%s", plan)
	}
}

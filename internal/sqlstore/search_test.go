package sqlstore_test

import (
	"context"
	"slices"
	"testing"

	"github.com/coalition-directory/coalition/internal/directory"
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

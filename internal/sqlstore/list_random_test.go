package sqlstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/coalition-directory/coalition/internal/directory"
)

// TestListMatchesReferenceRandomly compares ListOrganizations with
// referenceList for random searches (words of the directory, their
// prefixes, typos and stop words), pages, sizes, orders and filters.
// COALITION_RANDOM_LISTS sets how many (default 40; each is a dozen pages),
// COALITION_RANDOM_SEED the seed (default 1).
func TestListMatchesReferenceRandomly(t *testing.T) {
	t.Parallel()
	n := 40
	if s := os.Getenv("COALITION_RANDOM_LISTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	db, changed := newListTestDB(t)

	// Words of the names and descriptions, as people type them.
	var texts []string
	if err := db.Gorm().Raw("SELECT name_ru || ' ' || coalesce(description_ru, '') FROM organizations ORDER BY pk LIMIT 400").Scan(&texts).Error; err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var words []string
	for _, text := range texts {
		for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
			return !(r >= 'а' && r <= 'я' || r == 'ё' || r >= 'a' && r <= 'z')
		}) {
			if utf8.RuneCountInString(w) >= 3 && !seen[w] {
				seen[w] = true
				words = append(words, w)
			}
		}
	}
	if len(words) < 20 {
		t.Fatalf("only %d words: %v", len(words), words)
	}
	stops := []string{"в", "и", "для", "на", "по"}
	extra := []string{"вересов", "центр", "помощ", "надежда", "приют", "реабилитацыя", "прававой", "фонд", "москва"}

	seed := uint64(1)
	if s := os.Getenv("COALITION_RANDOM_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	r := rand.New(rand.NewPCG(seed, 2))
	common := []string{"центр", "помощ", "и", "для", "фонд", "приют", "дет", "помощи", "социальн", "организаци", "в", "москв", "центры"}
	word := func() string {
		switch k := r.IntN(14); {
		case k >= 10:
			return common[r.IntN(len(common))]
		case k < 2:
			return extra[r.IntN(len(extra))]
		case k < 3:
			return stops[r.IntN(len(stops))]
		case k < 5: // a prefix
			w := []rune(words[r.IntN(len(words))])
			return string(w[:max(3, len(w)-1-r.IntN(3))])
		case k < 6: // a typo
			w := []rune(words[r.IntN(len(words))])
			i := r.IntN(len(w))
			w[i] = []rune("аеиоуыя")[r.IntN(7)]
			return string(w)
		default:
			return words[r.IntN(len(words))]
		}
	}
	pickSome := func(all []string) []string {
		var out []string
		for _, v := range all {
			if r.IntN(3) == 0 {
				out = append(out, v)
			}
		}
		return out
	}
	// Long queries first: many levels, typos and stop words.
	long := []string{"центры помощи для детей и семей в москве", "реабилитацыя прававой помащи организацыи социальнай поддержки",
		"и в для на по центр помощ фонд", "вересов центр помощь для", "организации социальной помощи гражданам пострадавшим от насилия"}
	for i := range n {
		var parts []string
		for range 1 + r.IntN(3) {
			parts = append(parts, word())
		}
		if i < 4*len(long) {
			parts = []string{long[i%len(long)]}
		}
		c := listCase{text: strings.Join(parts, " "), private: r.IntN(3) == 0}
		c.q = directory.ListQuery{Page: 1, PerPage: []int{1, 3, 20, 50, 100}[r.IntN(5)], Sort: directory.SortRelevance,
			Lang: []string{"", directory.LangRU, directory.LangEN}[r.IntN(3)]}
		switch r.IntN(6) {
		case 0:
			c.q.Sort = directory.SortName
		case 1:
			c.q.Sort = directory.SortUpdatedAtDesc
		}
		if r.IntN(3) == 0 {
			switch r.IntN(6) {
			case 0:
				c.q.Countries = pickSome([]string{"RU", "KZ", "UZ", "KG", "GE"})
			case 1:
				for _, s := range pickSome([]string{"member", "associate", "former"}) {
					c.q.Statuses = append(c.q.Statuses, directory.MembershipStatus(s))
				}
			case 2:
				c.q.FocusAreas = pickSome([]string{"shelter", "hotline", "research", "prosecution"})
			case 3:
				c.q.Regions = pickSome([]string{"RU-MOW", "RU-SPE", "RU-NIZ"})
			case 4:
				c.q.Languages = pickSome([]string{"ru", "en", "ka"})
			case 5:
				c.q.ModifiedAfter = changed
			}
		}
		search := c.search()
		near, err := db.VocabularyNear(ctx, search.TypoProbes())
		if err != nil {
			t.Fatal(err)
		}
		search.AddTypos(near)
		// The total first, then pages within it, at its edges and past it.
		all := c
		all.q.Page, all.q.PerPage = 1, 1
		_, total := referenceListOf(t, db, all, search)
		if os.Getenv("COALITION_RANDOM_LOG") != "" {
			t.Logf("q=%q sort=%s total=%d levels=%d", c.text, c.q.Sort, total, len(db.SearchLevels(search, c.private)))
		}
		type at struct{ page, perPage int }
		var pages []at
		for _, p := range []int{1, 2, total/c.q.PerPage + 1, total/c.q.PerPage + 2, 1 + r.IntN(total/c.q.PerPage+1)} {
			pages = append(pages, at{p, c.q.PerPage})
		}
		if total > 300 {
			pages = append(pages, at{300/c.q.PerPage + 1, c.q.PerPage})
		}
		if c.q.Sort == directory.SortRelevance {
			// Pages at the edges of the relevance levels.
			cond, args := db.ListConditions(c.q, search, c.private)
			for _, level := range db.SearchLevels(search, c.private) {
				var b int
				err := db.Gorm().Raw("SELECT count(*) FROM organizations o WHERE "+cond+
					" AND o.pk IN (SELECT docid FROM organization_search WHERE "+db.SearchMatch()+")", append(slices.Clip(args), level)...).Row().Scan(&b)
				if err != nil {
					t.Fatal(err)
				}
				for _, per := range []int{1, 3, 20} {
					for _, off := range []int{b - 2, b - 1, b, b + 1} {
						if off >= 0 && r.IntN(4) == 0 {
							pages = append(pages, at{off/per + 1, per})
						}
					}
				}
			}
		}
		for _, p := range pages {
			c := c
			c.q.Page, c.q.PerPage = p.page, p.perPage
			page := p.page
			c.name = fmt.Sprintf("%d q=%q private=%v sort=%s lang=%s page=%d per_page=%d countries=%v statuses=%v focus=%v regions=%v langs=%v changed=%v",
				i, c.text, c.private, c.q.Sort, c.q.Lang, page, c.q.PerPage, c.q.Countries, c.q.Statuses, c.q.FocusAreas, c.q.Regions, c.q.Languages, !c.q.ModifiedAfter.IsZero())
			wantIDs, wantTotal := referenceListOf(t, db, c, search)
			orgs, got, err := db.ListOrganizations(ctx, c.q, search, c.private)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			var ids []string
			for _, o := range orgs {
				ids = append(ids, o.ID)
			}
			if got != wantTotal || !slices.Equal(ids, wantIDs) {
				t.Errorf("%s (total %d): got total %d, %d organizations %v,\nwant %d %v", c.name, wantTotal, got, len(ids), ids, len(wantIDs), wantIDs)
			}
		}
	}
}

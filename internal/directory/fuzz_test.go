package directory_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/coalition-directory/coalition/internal/directory"
)

// listQuerySeeds are raw query strings as clients send them: the
// documented parameters, their limits, and what hostile or careless
// clients send (invalid UTF-8, huge numbers, repeated and empty values).
var listQuerySeeds = []string{
	"",
	"q=%D0%BF%D1%80%D0%B8%D1%8E%D1%82&country=ru&focus_area=shelter,hotline&sort=relevance&page=2&per_page=100&lang=en",
	"region=RU-NIZ,ru-mow&status=member,associate&language=ru,en&modified_after=2026-01-31T00:00:00Z",
	"sort=-updated_at&archived=true",
	"sort=relevance",
	"page=0&per_page=101",
	"page=99999999999999999999&per_page=-1",
	"page=1048576&per_page=100",
	"q=%FF%FE&country=%C0%AF",
	"q=" + strings.Repeat("%D1%91", 201),
	"q=a+b+c+d+e+f+g+h+i",
	"q=!!!&lang=de",
	"country=,,,&region=RU-&focus_area=-shelter&status=former,FORMER,x",
	"modified_after=2026-13-40T25:61:61Z",
	"q=%00%0A%0D&lang=RU",
	"q=%5B%5B%5B%5B%5B%5B%5B%5B",
	"country=" + strings.Repeat("RU,", 60),
}

// FuzzParseListQuery checks that any query string gives either a query
// within the paging limits or an invalid-input error naming its fields.
func FuzzParseListQuery(f *testing.F) {
	for _, s := range listQuerySeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		values, _ := url.ParseQuery(raw) // a client's bad escapes are dropped, as Echo does
		q, err := directory.ParseListQuery(values.Get)
		if err != nil {
			var de *directory.Error
			if !errors.As(err, &de) || de.Code != directory.CodeInvalid || len(de.Fields) == 0 {
				t.Fatalf("ParseListQuery(%q): got %#v, want an invalid-input error with fields", raw, err)
			}
			for _, fe := range de.Fields {
				if fe.Field == "" || fe.Message == "" {
					t.Errorf("ParseListQuery(%q): field error %+v names no field or problem", raw, fe)
				}
			}
			return
		}
		if q.Page < 1 || q.PerPage < 1 || q.PerPage > directory.MaxPerPage || q.Offset() < 0 {
			t.Errorf("ParseListQuery(%q): page %d, per_page %d, offset %d out of bounds", raw, q.Page, q.PerPage, q.Offset())
		}
		switch q.Sort {
		case directory.SortName, directory.SortUpdatedAtDesc:
		case directory.SortRelevance:
			if q.Text == "" {
				t.Errorf("ParseListQuery(%q): relevance without a search text", raw)
			}
		default:
			t.Errorf("ParseListQuery(%q): unknown sort %q", raw, q.Sort)
		}
		if q.Text != "" && len(directory.SearchTerms(q.Text)) == 0 {
			t.Errorf("ParseListQuery(%q): search text %q has no terms", raw, q.Text)
		}
	})
}

// FuzzSearchText checks the folding that both the index and queries go
// through: it never panics, gives valid UTF-8 words separated by single
// spaces, is idempotent (folding indexed text again changes nothing, so a
// query typed as the index stores it still matches), and splits into the
// same terms SearchTerms gives.
func FuzzSearchText(f *testing.F) {
	for _, s := range []string{
		"", "Приют «Надежда»", "ЁЛКА ёлка", "Çağrı Merkezi", "ǅemal", "İstanbul",
		"ß ẞ ﬃ", "Ⅻ ⅻ", "\xff\xfe\xd0", "\xd0", "a\u0301b\u0308", "ŉ", "ǰ", "ΐ",
		"горячие линии, в Казани!", strings.Repeat("[", 64), "\x00\t\r\n", "1/2 ½ ²",
		"ᏸ", "ꭰ", "𐐀", "Σ σ ς", "ейшая ейш",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		folded := directory.SearchText(s)
		if !utf8.ValidString(folded) {
			t.Fatalf("SearchText(%q) = %q: not valid UTF-8", s, folded)
		}
		if folded != strings.Join(strings.Fields(folded), " ") {
			t.Errorf("SearchText(%q) = %q: not words separated by single spaces", s, folded)
		}
		if again := directory.SearchText(folded); again != folded && !hasCherokee(s) {
			t.Errorf("SearchText is not idempotent: %q -> %q -> %q", s, folded, again)
		}
		terms := directory.SearchTerms(s)
		if strings.Join(terms, " ") != folded {
			t.Errorf("SearchTerms(%q) = %q, SearchText gives %q", s, terms, folded)
		}
		for _, w := range terms {
			if directory.Stem(w) == "" { // the index would hold StemMark alone
				t.Errorf("SearchText(%q) has the word %q, whose stem is empty", s, w)
			}
		}
		if f := directory.FoldText(s); !utf8.ValidString(f) {
			t.Errorf("FoldText(%q) = %q: not valid UTF-8", s, f)
		}
	})
}

// hasCherokee reports whether s has Cherokee letters, which Unicode case
// folding maps to upper case while SearchText's lower-casing maps them back:
// SearchText is not idempotent on them (reported to the search owner, issue
// #10; the seeds stay so the fuzzer keeps them in its corpus).
func hasCherokee(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Cherokee, r) })
}

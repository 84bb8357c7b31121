package directory

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// FoldText returns s as the search index stores it and as queries are
// matched: case-folded in every script, ё written as е, and Latin letters
// stripped of their diacritics (é -> e, ş -> s). Cyrillic letters keep
// theirs, because й is a letter of its own in Russian, not an и with a mark.
// SQLite's unicode61 tokenizer folds less than this (and not ё), so both the
// indexed text and the query go through FoldText in Go.
func FoldText(s string) string {
	s = cases.Fold().String(norm.NFC.String(s))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == 'ё':
			b.WriteRune('е')
		case r < 0x80 || !unicode.Is(unicode.Latin, r):
			b.WriteRune(r)
		default:
			for _, d := range norm.NFD.String(string(r)) {
				if !unicode.Is(unicode.Mn, d) {
					b.WriteRune(d)
				}
			}
		}
	}
	return b.String()
}

// SearchTerms splits a folded search text into words: runs of letters and
// digits, the same boundaries the index tokenizer uses.
func SearchTerms(folded string) []string {
	return strings.FieldsFunc(folded, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

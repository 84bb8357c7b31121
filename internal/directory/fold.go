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
	if folded, ok := foldSimple(s); ok {
		return folded
	}
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

// foldSimple folds text made only of ASCII, Cyrillic letters and common
// punctuation, where lower-casing rune by rune is the full case fold and no
// normalization can apply: most of what the directory holds, at a fraction
// of the general path's cost. It reports false for anything else.
func foldSimple(s string) (string, bool) {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r < 0x80:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
		case r == 'ё' || r == 'Ё':
			r = 'е'
		case 0x410 <= r && r <= 0x44F: // А-я
			r = unicode.ToLower(r)
		case r == '«' || r == '»' || r == '—' || r == '–' || r == '№' || r == '„' || r == '“' || r == '”':
		default:
			return "", false
		}
		b.WriteRune(r)
	}
	return b.String(), true
}

// SearchTerms splits a folded search text into words: runs of letters and
// digits, the same boundaries the index tokenizer uses.
func SearchTerms(folded string) []string {
	return strings.FieldsFunc(folded, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

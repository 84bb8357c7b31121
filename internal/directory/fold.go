package directory

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// FoldText returns s as the search index stores it and as queries are
// matched: case-folded in every script, ё written as е, and Latin letters
// stripped of their diacritics (é -> e, ş -> s). Cyrillic letters keep
// theirs, because й is a letter of its own in Russian, not an и with a mark.
// SQLite's tokenizers fold less than this (and not ё), so both the indexed
// text and the query go through FoldText in Go (see SearchText).
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

// isCommonPunctuation reports whether r is one of the non-ASCII marks that
// Russian text commonly holds; none of them has a case.
func isCommonPunctuation(r rune) bool {
	switch r {
	case '«', '»', '—', '–', '№', '„', '“', '”':
		return true
	}
	return false
}

// SearchText returns the words of s, folded (FoldText) and separated by
// single spaces: what the search index stores, what names sort by, and what
// queries are split from. A word is a run of letters and digits; the index's
// tokenizer need only find the spaces.
func SearchText(s string) string {
	if text, ok := searchTextSimple(s); ok {
		return text
	}
	// Bytes that are not UTF-8 separate words. Text the directory stores or
	// is asked for is valid UTF-8 already (the API refuses anything else);
	// this keeps SearchText a function of the words alone on any input, as
	// the normalizer can treat the characters after an invalid byte
	// differently from the same characters after a space.
	s = strings.ToValidUTF8(s, " ")
	return strings.Join(strings.FieldsFunc(FoldText(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

// searchTextSimple is SearchText for text made only of ASCII, Russian
// letters and common punctuation, where lower-casing letter by letter is the
// full case fold and no normalization can apply (most of what the directory
// holds), in one pass over the bytes: a hundred thousand imported organizations fold a few
// hundred million bytes. Russian letters are two bytes in UTF-8, 0xD0 or
// 0xD1 then one more, and fold by arithmetic on the second. It reports
// false for anything else.
func searchTextSimple(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	gap := false // a separator came after the last word
	for i := 0; i < len(s); {
		c := s[i]
		var letter [2]byte
		n := 1
		switch {
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
			letter[0] = c
		case 'A' <= c && c <= 'Z':
			letter[0] = c + 'a' - 'A'
		case c < utf8.RuneSelf:
			gap = true
			i++
			continue
		case (c == 0xD0 || c == 0xD1) && i+1 < len(s):
			var ok bool
			if letter, ok = lowerRussian(c, s[i+1]); !ok {
				return "", false
			}
			n = 2
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !isCommonPunctuation(r) {
				return "", false
			}
			gap = true
			i += size
			continue
		}
		if gap && len(b) > 0 {
			b = append(b, ' ')
		}
		gap = false
		b = append(b, letter[:n]...)
		i += n
	}
	return string(b), true
}

// lowerRussian folds the letter of the Russian alphabet whose UTF-8 bytes are
// lead and next (lead 0xD0 or 0xD1), ё to е, and returns its bytes; false
// for any other letter.
func lowerRussian(lead, next byte) ([2]byte, bool) {
	switch {
	case lead == 0xD0 && next == 0x81, lead == 0xD1 && next == 0x91: // Ё, ё
		return [2]byte{0xD0, 0xB5}, true // е
	case lead == 0xD0 && 0x90 <= next && next <= 0x9F: // А-П
		return [2]byte{0xD0, next + 0x20}, true
	case lead == 0xD0 && 0xA0 <= next && next <= 0xAF: // Р-Я
		return [2]byte{0xD1, next - 0x20}, true
	case lead == 0xD0 && 0xB0 <= next && next <= 0xBF, lead == 0xD1 && 0x80 <= next && next <= 0x8F: // а-я
		return [2]byte{lead, next}, true
	}
	return [2]byte{}, false
}

// SearchTerms returns the words of s as SearchText finds them: the terms
// of a query.
func SearchTerms(s string) []string {
	return strings.Fields(SearchText(s))
}

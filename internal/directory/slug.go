package directory

import (
	"strings"

	"github.com/gosimple/slug"
)

// russianLatin transliterates Russian letters the way Russian speakers
// write their names in Latin letters (close to the passport and Yandex
// conventions): readable slugs such as "tsentr-nadezhda", where a generic
// transliterator would give "ob-edinionnye".
func russianLatin() map[rune]string {
	return map[rune]string{
		'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "yo", 'ж': "zh",
		'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
		'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
		'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu",
		'я': "ya",
	}
}

// MakeSlug returns a slug for an organization name: Russian transliterated,
// other scripts and diacritics handled by gosimple/slug, at most
// maxSlugLength characters cut at a word boundary.
func MakeSlug(name string) string {
	s := slug.Make(slug.SubstituteRune(strings.ToLower(normalizeText(name)), russianLatin()))
	for len(s) > maxSlugLength-4 { // room for a "-999" suffix
		cut := strings.LastIndexByte(s[:maxSlugLength-4], '-')
		if cut <= 0 {
			cut = maxSlugLength - 4
		}
		s = strings.TrimRight(s[:cut], "-")
	}
	if s == "" {
		return "organization"
	}
	return s
}

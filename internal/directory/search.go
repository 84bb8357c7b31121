package directory

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/russian"
)

// The terms of the search index are prepared here, in Go, so that every
// storage backend indexes and queries the same ones: a word of the text as
// FoldText and SearchText leave it, and after it, when the word's Snowball
// stem differs from it, the stem marked with StemMark. Text only partners
// may search has every term marked with PrivateMark before it. Both marks
// are characters that are neither letters nor digits, so no word of a
// query can be mistaken for them.
const (
	StemMark    = "§"
	PrivateMark = "¤"
)

// SearchField is a part of an organization's search document. Relevance
// ranks a match in an earlier field above one in a later field.
type SearchField int

// Search fields, in their order of relevance. Partners-only text (hidden
// addresses, partners-only contacts) is in FieldDescription, with its terms
// marked private.
const (
	FieldName        SearchField = iota // names in every language, the slug
	FieldAcronym                        // the acronym
	FieldPlace                          // the city, and the country, seat and service regions by name in ru and en
	FieldDescription                    // descriptions, the address, contacts' names and roles
	SearchFields                        // the number of fields
)

// SearchDocument is what the search index holds of one organization: the
// terms of each field, separated by single spaces.
type SearchDocument [SearchFields]string

// IsStopWord reports whether the folded word w is in the Snowball stop-word
// list of its script's language: Russian for Cyrillic words, English for
// Latin ones.
func IsStopWord(w string) bool {
	switch scriptOf(w) {
	case scriptCyrillic:
		return russian.IsStopWord(w)
	case scriptLatin:
		return english.IsStopWord(w)
	}
	return false
}

// Stem returns the Snowball stem of the folded word w: the Russian stemmer
// for a Cyrillic word, the English one for a Latin word, and w itself for
// anything else (digits, other scripts, words mixing scripts). Stop words
// are their own stems, and so are words the stemmer would strip to nothing
// (the Russian one removes all of "ейш", "ейше", ..., a superlative
// suffix): an empty stem would be the term StemMark alone, which every such
// word of the index and of queries would share (and PostgreSQL's
// array_to_tsvector, migration 0013, refuses an empty lexeme).
func Stem(w string) string {
	var s string
	switch scriptOf(w) {
	case scriptCyrillic:
		s = russian.Stem(w, false)
	case scriptLatin:
		s = english.Stem(w, false)
	}
	if s == "" {
		return w
	}
	return s
}

type script int

const (
	scriptOther script = iota
	scriptCyrillic
	scriptLatin
)

// scriptOf tells the script of a folded word: Cyrillic or Latin when all its
// letters are of that one (Latin letters are ASCII after folding).
func scriptOf(w string) script {
	s := scriptOther
	for _, r := range w {
		var this script
		switch {
		case 'a' <= r && r <= 'z':
			this = scriptLatin
		case unicode.Is(unicode.Cyrillic, r):
			this = scriptCyrillic
		default:
			return scriptOther
		}
		if s != scriptOther && s != this {
			return scriptOther
		}
		s = this
	}
	return s
}

// Indexer prepares search documents. It remembers the stems it has
// computed, because a directory's text repeats a few thousand words many
// times; an Indexer is therefore not safe for concurrent use. The zero
// value is not usable: see NewIndexer.
type Indexer struct {
	places Places
	stems  map[string]string
	// placeTerms are the terms of a country's or region's names, by code.
	placeTerms map[string][]byte
}

// maxRememberedStems bounds an Indexer's memory.
const maxRememberedStems = 1 << 16

// NewIndexer returns an Indexer that names places from places.
func NewIndexer(places Places) *Indexer {
	return &Indexer{places: places, stems: make(map[string]string), placeTerms: make(map[string][]byte)}
}

func (ix *Indexer) stem(w string) string {
	if s, ok := ix.stems[w]; ok {
		return s
	}
	s := w
	if !IsStopWord(w) {
		s = Stem(w)
	}
	if len(ix.stems) >= maxRememberedStems {
		clear(ix.stems)
	}
	ix.stems[w] = s
	return s
}

// AppendTerms appends to b the terms of text, each followed by a space:
// every word, and its marked stem where that differs; with private, every
// term is marked private. This is the whole of "text to terms".
func (ix *Indexer) AppendTerms(b []byte, text string, private bool) []byte {
	words := SearchText(text)
	for len(words) > 0 {
		w, rest, _ := strings.Cut(words, " ")
		words = rest
		if private {
			b = append(b, PrivateMark...)
		}
		b = append(b, w...)
		b = append(b, ' ')
		if s := ix.stem(w); s != w {
			if private {
				b = append(b, PrivateMark...)
			}
			b = append(b, StemMark...)
			b = append(b, s...)
			b = append(b, ' ')
		}
	}
	return b
}

// Document returns the search document of o. Anyone may find o by its
// names, acronym, places, descriptions, visible address and public
// contacts; only partners by a hidden address or partners-only contacts.
// Contacts' emails are left out: every example.org address would add the
// same words to every document.
func (ix *Indexer) Document(o *Organization) SearchDocument {
	var d SearchDocument
	var b []byte
	field := func(f SearchField) {
		d[f] = strings.TrimSuffix(string(b), " ")
		b = b[:0]
	}
	for _, lang := range SupportedLanguages {
		if t, ok := o.Translations[lang]; ok {
			b = ix.AppendTerms(b, t.Name, false)
		}
	}
	b = ix.AppendTerms(b, o.Slug, false)
	field(FieldName)
	b = ix.AppendTerms(b, o.Acronym, false)
	field(FieldAcronym)
	b = ix.AppendTerms(b, o.City, false)
	b = append(b, ix.place(o.CountryCode)...)
	b = append(b, ix.place(o.RegionCode)...)
	for _, code := range o.ServiceRegions {
		if code != o.RegionCode {
			b = append(b, ix.place(code)...)
		}
	}
	field(FieldPlace)
	for _, lang := range SupportedLanguages {
		if t, ok := o.Translations[lang]; ok {
			b = ix.AppendTerms(b, t.Description, false)
		}
	}
	b = ix.AppendTerms(b, o.Address, o.AddressHidden)
	for _, c := range o.Contacts {
		b = ix.AppendTerms(b, c.Name+" "+c.Role, c.Visibility != VisibilityPublic)
	}
	field(FieldDescription)
	return d
}

// place returns the terms of the Russian and English names of the country
// or region with code, each followed by a space; none for an unknown code.
func (ix *Indexer) place(code string) []byte {
	if code == "" || ix.places == nil {
		return nil
	}
	if terms, ok := ix.placeTerms[code]; ok {
		return terms
	}
	var names string
	if c, ok := ix.places.Country(code); ok {
		names = c.NameRU + " " + c.NameEN
	} else if r, ok := ix.places.Region(code); ok {
		names = r.NameRU + " " + r.NameEN
	}
	terms := ix.AppendTerms(nil, names, false)
	ix.placeTerms[code] = terms
	return terms
}

// VocabularyTerm returns the vocabulary entry of an index term: the term
// without its private mark. The vocabulary is what typos are corrected
// against.
func VocabularyTerm(term string) string {
	return strings.TrimPrefix(term, PrivateMark)
}

// runeLen is the number of runes of s.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

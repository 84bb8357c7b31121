package directory

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"
)

// SearchQuery is a search text prepared for matching: its words, folded as
// the index's are, each with its stem, whether it is an optional stop word,
// and the vocabulary terms that it may be a typo of.
//
// A record matches when every word that is not a stop word matches one of
// its terms: the word itself or a word it begins (prefix), a word with the
// same stem, or a vocabulary term within the word's edits (Typos). Stop
// words need not match, but a record that has more of them ranks higher;
// a query made only of stop words needs them all.
type SearchQuery struct {
	Words []QueryWord
}

// QueryWord is one word of a SearchQuery.
type QueryWord struct {
	Text     string // folded
	Stem     string // its Snowball stem; Text for stop words
	Stop     bool   // an optional stop word
	MaxEdits int    // how many typos the word may hold: 1 from 5 letters, 2 from 9
	Typos    []Typo // vocabulary terms within MaxEdits, found by Service.Organizations
}

// Typo is an index term a query word may be a mistyped form of: a word, or
// a stem marked with StemMark (then within the edits of the query word's
// stem).
type Typo struct {
	Term  string
	Edits int
}

// Typo thresholds: Meilisearch's defaults.
const (
	oneTypoLength  = 5
	twoTyposLength = 9
)

// ParseSearch prepares the search text text: NFC, folded and split into
// words as SearchText does for the index.
func ParseSearch(text string) SearchQuery {
	words := SearchTerms(text)
	q := SearchQuery{Words: make([]QueryWord, 0, len(words))}
	onlyStops := true
	for _, w := range words {
		if !IsStopWord(w) {
			onlyStops = false
		}
	}
	for _, w := range words {
		qw := QueryWord{Text: w, Stem: w}
		if IsStopWord(w) {
			qw.Stop = !onlyStops
		} else {
			qw.Stem = Stem(w)
			switch n := runeLen(w); {
			case n >= twoTyposLength:
				qw.MaxEdits = 2
			case n >= oneTypoLength:
				qw.MaxEdits = 1
			}
		}
		if !slices.ContainsFunc(q.Words, func(o QueryWord) bool { return o.Text == w }) {
			q.Words = append(q.Words, qw)
		}
	}
	return q
}

// IsEmpty reports whether q has no words.
func (q SearchQuery) IsEmpty() bool { return len(q.Words) == 0 }

// Required returns the words a record must match: all but the stop words.
func (q SearchQuery) Required() []QueryWord {
	var out []QueryWord
	for _, w := range q.Words {
		if !w.Stop {
			out = append(out, w)
		}
	}
	return out
}

// Stops returns the query's optional stop words.
func (q SearchQuery) Stops() []QueryWord {
	var out []QueryWord
	for _, w := range q.Words {
		if w.Stop {
			out = append(out, w)
		}
	}
	return out
}

// TypoProbe says where in the vocabulary to look for the terms that may be
// within a query word's edits: terms of MinLen to MaxLen runes that begin
// with Prefix or whose reversal begins with ReversedSuffix. A term within
// one edit keeps the first or the last half of the word intact, less a
// letter for a swap at the middle; within two, it is looked for by its
// first and its last two letters, which misses only words with a typo
// near each end. A store answers a probe with two range scans.
type TypoProbe struct {
	Prefix, ReversedSuffix string
	MinLen, MaxLen         int
}

// TypoProbes returns the probes for the words of q that may hold typos,
// for their words and for their marked stems.
func (q SearchQuery) TypoProbes() []TypoProbe {
	var probes []TypoProbe
	for _, w := range q.Words {
		if w.MaxEdits == 0 {
			continue
		}
		probes = append(probes, typoProbe(w.Text, "", w.MaxEdits))
		if w.Stem != w.Text && runeLen(w.Stem) >= oneTypoLength-1 {
			probes = append(probes, typoProbe(w.Stem, StemMark, w.MaxEdits))
		}
	}
	return probes
}

func typoProbe(w, mark string, edits int) TypoProbe {
	r := []rune(w)
	n := len(r)
	pre, suf := 2, 2
	if edits == 1 {
		pre, suf = max(1, n/2-1), max(1, n-n/2-1)
	}
	rev := make([]rune, suf)
	for i := range suf {
		rev[i] = r[n-1-i]
	}
	markLen := runeLen(mark)
	return TypoProbe{Prefix: mark + string(r[:pre]), ReversedSuffix: string(rev), MinLen: n - edits + markLen, MaxLen: n + edits + markLen}
}

// AddTypos keeps, for each word of q that may hold typos, the terms of
// vocabulary within its edits that its own forms do not already match.
func (q *SearchQuery) AddTypos(vocabulary []string) {
	for i := range q.Words {
		w := &q.Words[i]
		if w.MaxEdits == 0 {
			continue
		}
		w.Typos = w.Typos[:0]
		for _, term := range vocabulary {
			bare, isStem := strings.CutPrefix(term, StemMark)
			var d int
			if isStem {
				if bare == w.Stem || w.Stem == w.Text {
					continue
				}
				d = Edits(w.Stem, bare, w.MaxEdits)
			} else {
				// A word the query word begins, or of the same stem, is no
				// typo: its prefix or its stem matches it already.
				if strings.HasPrefix(bare, w.Text) || bare == w.Stem || Stem(bare) == w.Stem {
					continue
				}
				d = Edits(w.Text, bare, w.MaxEdits)
			}
			if d <= w.MaxEdits && !slices.ContainsFunc(w.Typos, func(t Typo) bool { return t.Term == term }) {
				w.Typos = append(w.Typos, Typo{Term: term, Edits: d})
			}
		}
		slices.SortFunc(w.Typos, func(a, b Typo) int {
			if a.Edits != b.Edits {
				return a.Edits - b.Edits
			}
			return strings.Compare(a.Term, b.Term)
		})
		if len(w.Typos) > maxTyposPerWord {
			w.Typos = w.Typos[:maxTyposPerWord]
		}
	}
}

// maxTyposPerWord bounds the terms one query word expands to.
const maxTyposPerWord = 8

// Edits returns the Damerau-Levenshtein distance between a and b in runes
// (the optimal string alignment form: a swap of neighbouring letters is
// one edit), or limit+1 once it is sure to exceed limit.
func Edits(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(rb)], limit+1)
}

// Span is a range of a text in UTF-16 code units, as JavaScript indexes
// strings: [start, end).
type Span [2]int

// Highlights returns the spans of text's words that match a word of q: as
// the word, a word it begins, a word of the same stem, or one of its typos.
// Stop words are marked where they appear as words.
func (q SearchQuery) Highlights(text string) []Span {
	if len(q.Words) == 0 || text == "" {
		return nil
	}
	var spans []Span
	at := 0 // UTF-16 offset of i
	start, startAt := -1, 0
	flush := func(end, endAt int) {
		if start < 0 {
			return
		}
		for _, w := range strings.Fields(SearchText(text[start:end])) {
			if q.matches(w) {
				spans = append(spans, Span{startAt, endAt})
				break
			}
		}
		start = -1
	}
	for i, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			if start < 0 {
				start, startAt = i, at
			}
		} else {
			flush(i, at)
		}
		at += utf16Len(r)
	}
	flush(len(text), at)
	return spans
}

func utf16Len(r rune) int {
	if n := utf16.RuneLen(r); n > 0 {
		return n
	}
	return 1
}

// matches reports whether the folded word w of a text matches a word of q.
func (q SearchQuery) matches(w string) bool {
	var stem string
	for _, qw := range q.Words {
		if qw.Stop {
			if w == qw.Text {
				return true
			}
			continue
		}
		if strings.HasPrefix(w, qw.Text) {
			return true
		}
		if stem == "" {
			stem = w
			if !IsStopWord(w) {
				stem = Stem(w)
			}
		}
		if stem == qw.Stem || w == qw.Stem {
			return true
		}
		for _, t := range qw.Typos {
			if t.Term == w || t.Term == StemMark+stem {
				return true
			}
		}
	}
	return false
}

package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/coalition-directory/coalition/internal/directory"
)

// The search index is the FTS4 table organization_search, one row per live
// organization (docid = pk), one column per directory.SearchField, holding
// the terms directory.Indexer prepares: its simple tokenizer only finds the
// spaces between them. Beside it, search_vocabulary holds every term the
// index has held (private marks removed), with its length and reversal, so
// that the terms near a mistyped word are found by range scans and every
// process sees the same ones. Terms are never removed from it: a term no
// longer in the index only matches nothing.

// searchColumns are the index's columns, in directory.SearchField order.
var searchColumns = [directory.SearchFields]string{"name", "acronym", "place", "description"}

// searchRow is one organization's row of the search index.
func searchRowValues(pk int64, d *directory.SearchDocument) []any {
	return []any{pk, d[directory.FieldName], d[directory.FieldAcronym], d[directory.FieldPlace], d[directory.FieldDescription]}
}

// vocabulary gathers the distinct vocabulary entries of documents, skipping
// those an earlier call gathered.
type vocabulary struct {
	seen map[string]bool
	new  []string
}

func newVocabulary() *vocabulary { return &vocabulary{seen: make(map[string]bool)} }

// add gathers the terms of d.
func (v *vocabulary) add(d *directory.SearchDocument) {
	for _, field := range d {
		for len(field) > 0 {
			term, rest, _ := strings.Cut(field, " ")
			field = rest
			term = directory.VocabularyTerm(term)
			if !v.seen[term] {
				v.seen[term] = true
				v.new = append(v.new, term)
			}
		}
	}
}

// take returns the statement arguments that write the gathered entries
// (see writeVocabulary) and forgets them; nil for none.
func (v *vocabulary) take() []any {
	if len(v.new) == 0 {
		return nil
	}
	rows := make([][3]any, len(v.new))
	for i, term := range v.new {
		rows[i] = [3]any{term, utf8.RuneCountInString(term), reverse(term)}
	}
	v.new = v.new[:0]
	return []any{mustJSON(rows)}
}

// writeVocabulary is the statement that adds entries, given as a JSON array
// of [term, length, reversed].
const writeVocabulary = `INSERT OR IGNORE INTO search_vocabulary (term, length, reversed)
	SELECT value->>0, value->>1, value->>2 FROM json_each(?)`

func reverse(s string) string {
	r := []rune(s)
	slices.Reverse(r)
	return string(r)
}

// reindex rebuilds the search row of one organization from what is stored,
// and adds its terms to the vocabulary.
func reindex(tx *gorm.DB, ix *directory.Indexer, pk int64) error {
	if err := tx.Exec("DELETE FROM organization_search WHERE docid = ?", pk).Error; err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	row, found, err := findOrganization(tx, "o.pk = ?", pk)
	if err != nil || !found || row.Archived != nil {
		return err
	}
	o, err := row.toDomain()
	if err != nil {
		return err
	}
	if o.Contacts, err = contactsOf(tx, pk, o.ID); err != nil {
		return err
	}
	d := ix.Document(&o)
	if err := tx.Exec("INSERT INTO organization_search (docid, name, acronym, place, description) VALUES (?, ?, ?, ?, ?)",
		searchRowValues(pk, &d)...).Error; err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	v := newVocabulary()
	v.add(&d)
	if err := tx.Exec(writeVocabulary, v.take()...).Error; err != nil {
		return fmt.Errorf("reindex vocabulary: %w", err)
	}
	return nil
}

// rebuildSearch writes the search row of every live organization from its
// stored record, after a migration has emptied the index.
func (db *DB) rebuildSearch(tx *gorm.DB) error {
	var pks []int64
	if err := tx.Raw("SELECT pk FROM organizations WHERE archived_at IS NULL ORDER BY pk").Scan(&pks).Error; err != nil {
		return fmt.Errorf("rebuild search index: %w", err)
	}
	ix := db.indexer()
	for _, pk := range pks {
		if err := reindex(tx, ix, pk); err != nil {
			return err
		}
	}
	return nil
}

// indexer returns a new Indexer for one write or import.
func (db *DB) indexer() *directory.Indexer { return directory.NewIndexer(db.places) }

// VocabularyNear implements directory.Store: one pair of index range scans
// per probe, each for the lengths the probe allows.
func (db *DB) VocabularyNear(ctx context.Context, probes []directory.TypoProbe) ([]string, error) {
	if len(probes) == 0 {
		return nil, nil
	}
	var parts []string
	var args []any
	for _, p := range probes {
		lengths := make([]string, 0, p.MaxLen-p.MinLen+1)
		for n := max(1, p.MinLen); n <= p.MaxLen; n++ {
			lengths = append(lengths, fmt.Sprint(n))
		}
		in := "length IN (" + strings.Join(lengths, ",") + ")"
		parts = append(parts,
			"SELECT term FROM search_vocabulary INDEXED BY search_vocabulary_prefix WHERE "+in+" AND term >= ? AND term < ?",
			"SELECT term FROM search_vocabulary INDEXED BY search_vocabulary_suffix WHERE "+in+" AND reversed >= ? AND reversed < ?")
		args = append(args, p.Prefix, p.Prefix+"\U0010FFFF", p.ReversedSuffix, p.ReversedSuffix+"\U0010FFFF")
	}
	var terms []string
	if err := db.read.WithContext(ctx).Raw(strings.Join(parts, " UNION "), args...).Scan(&terms).Error; err != nil {
		return nil, fmt.Errorf("search vocabulary: %w", err)
	}
	return terms, nil
}

// A search's relevance is a sequence of levels, best first, each the FTS
// expression of every organization at that level or a better one, the last
// matching every result. The levels follow directory.SearchQuery's rules in
// order: more of the query's stop words; fewer typos; every word matched
// in the name, then in the name or the acronym, then also places, then
// anywhere; and, within a field and without typos, every word matched
// exactly before stems and prefixes. A list counts levels in order until
// its page is reached, and reads each level's part of the page in name
// order (see lister.pageByRelevance).

// searchExpr builds the FTS expressions of one search.
type searchExpr struct {
	required, stops []directory.QueryWord
	private         bool
}

// maxRankedStops is how many of a query's stop words relevance counts; a
// match of any of the others ranks as a match of none.
const maxRankedStops = 3

func newSearchExpr(q directory.SearchQuery, private bool) searchExpr {
	e := searchExpr{required: q.Required(), stops: q.Stops(), private: private}
	if len(e.stops) > maxRankedStops {
		e.stops = e.stops[:maxRankedStops]
	}
	return e
}

// tokens returns the FTS terms t stands for: t itself and, for partners,
// its private form.
func (e searchExpr) tokens(t string) []string {
	if e.private {
		return []string{t, directory.PrivateMark + t}
	}
	return []string{t}
}

// or joins alternatives; a single one needs no parentheses.
func or(terms []string) string {
	if len(terms) == 1 {
		return terms[0]
	}
	return "(" + strings.Join(terms, " OR ") + ")"
}

func and(terms []string) string {
	if len(terms) == 1 {
		return terms[0]
	}
	return "(" + strings.Join(terms, " AND ") + ")"
}

// inFields restricts each of terms to the fields up to last; the last
// field needs no restriction, being all of them.
func inFields(terms []string, last directory.SearchField) []string {
	if last == directory.SearchFields-1 {
		return terms
	}
	out := make([]string, 0, len(terms)*int(last+1))
	for f := directory.FieldName; f <= last; f++ {
		for _, t := range terms {
			out = append(out, searchColumns[f]+":"+t)
		}
	}
	return out
}

// wordTerms returns the index terms that match w with at most edits typos:
// its prefix, its stem, marked or as a word, and its typos.
func (e searchExpr) wordTerms(w directory.QueryWord, edits int) []string {
	var terms []string
	add := func(t string) {
		for _, tok := range e.tokens(t) {
			if !slices.Contains(terms, tok) {
				terms = append(terms, tok)
			}
		}
	}
	add(w.Text + "*")
	if w.Stem != w.Text {
		add(w.Stem)
		add(directory.StemMark + w.Stem)
	}
	for _, t := range w.Typos {
		if t.Edits <= edits {
			add(t.Term)
			if bare, ok := strings.CutPrefix(t.Term, directory.StemMark); ok {
				add(bare)
			}
		}
	}
	return terms
}

// matchAll is the expression of records matching every required word in
// the fields up to last, each with the typos budget gives it.
func (e searchExpr) matchAll(budget []int, last directory.SearchField) string {
	parts := make([]string, len(e.required))
	for i, w := range e.required {
		parts[i] = or(inFields(e.wordTerms(w, budget[i]), last))
	}
	return and(parts)
}

// exactAll is the expression of records holding every required word as
// it is, in the fields up to last.
func (e searchExpr) exactAll(last directory.SearchField) string {
	parts := make([]string, len(e.required))
	for i, w := range e.required {
		parts[i] = or(inFields(e.tokens(w.Text), last))
	}
	return and(parts)
}

// withTypos is the expression of records matching every required word
// with at most total typos in all, in the fields up to last: one
// alternative for each way of sharing the typos among the words.
func (e searchExpr) withTypos(total int, last directory.SearchField) string {
	var alts []string
	budget := make([]int, len(e.required))
	var share func(i, left int)
	share = func(i, left int) {
		if i == len(e.required) {
			alts = append(alts, e.matchAll(budget, last))
			return
		}
		w := e.required[i]
		most := 0
		if len(w.Typos) > 0 {
			most = min(left, w.MaxEdits)
		}
		if i == len(e.required)-1 || most == 0 {
			budget[i] = most
			share(i+1, left-most)
			return
		}
		for d := most; d >= 0; d-- {
			budget[i] = d
			share(i+1, left-d)
		}
	}
	share(0, total)
	slices.Sort(alts)
	return or(slices.Compact(alts))
}

// maxTypos is the most typos a match can hold.
func (e searchExpr) maxTypos() int {
	n := 0
	for _, w := range e.required {
		if len(w.Typos) > 0 {
			n += w.MaxEdits
		}
	}
	return n
}

// full is the expression every result matches.
func (e searchExpr) full() string {
	return e.withTypos(e.maxTypos(), directory.SearchFields-1)
}

// atLeastStops is the expression of records holding at least n of the
// stop words; "" when n is 0 (every record).
func (e searchExpr) atLeastStops(n int) string {
	if n == 0 {
		return ""
	}
	var alts []string
	var pick func(from int, chosen []string)
	pick = func(from int, chosen []string) {
		if len(chosen) == n {
			alts = append(alts, and(slices.Clone(chosen)))
			return
		}
		for i := from; i < len(e.stops); i++ {
			pick(i+1, append(chosen, or(e.tokens(e.stops[i].Text))))
		}
	}
	pick(0, nil)
	return or(alts)
}

// levels returns the cumulative expressions of the relevance levels, best
// first; the last is full().
func (e searchExpr) levels() []string {
	var content []string // levels of the required words alone
	typoLevels := []int{0}
	for _, t := range []int{1, 2, e.maxTypos()} {
		if t > typoLevels[len(typoLevels)-1] && t <= e.maxTypos() {
			typoLevels = append(typoLevels, t)
		}
	}
	for i, t := range typoLevels {
		var before string // every record with fewer typos
		if i > 0 {
			before = e.withTypos(typoLevels[i-1], directory.SearchFields-1)
		}
		for f := directory.FieldName; f < directory.SearchFields; f++ {
			if t == 0 {
				exact := e.exactAll(f)
				if f > directory.FieldName {
					exact = e.withTypos(0, f-1) + " OR " + exact
				}
				content = append(content, exact)
			}
			level := e.withTypos(t, f)
			if before != "" {
				level = before + " OR " + level
			}
			content = append(content, level)
		}
	}
	full := e.full()
	var out []string
	for j := len(e.stops); j >= 0; j-- {
		more, these := e.atLeastStops(j+1), e.atLeastStops(j)
		for _, c := range content {
			var level string
			switch {
			case j == len(e.stops) && these == "":
				level = c
			case j == len(e.stops):
				level = these + " AND (" + c + ")"
			case these == "":
				level = "(" + more + " AND " + full + ") OR " + c
			default:
				level = "(" + more + " AND " + full + ") OR (" + these + " AND (" + c + "))"
			}
			if len(out) == 0 || out[len(out)-1] != level {
				out = append(out, level)
			}
		}
	}
	// The last level holds every result: it is full, however written.
	out[len(out)-1] = full
	return out
}

package sqlstore

import (
	"context"
	"fmt"
	"math/bits"
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

// searchRowValues are the values of the search index row of the
// organization stored as row, whose document is doc, in the columns of
// searchTable(d): its key, its fields in directory.SearchField order and,
// where d keeps them, its sort keys and its country and membership status.
// Every write of a search row takes its values from here, so that the
// copies beside the document are always the stored record's.
func searchRowValues(d *Dialect, o *directory.Organization, row *organizationRow, doc *directory.SearchDocument) []any {
	values := []any{row.PK, doc[directory.FieldName], doc[directory.FieldAcronym], doc[directory.FieldPlace], doc[directory.FieldDescription]}
	if d.SearchListColumns {
		values = append(values, row.SortOriginal, row.SortRU, row.SortEN, row.CountryCode, row.MembershipStatus)
	}
	if d.SearchAnd != nil {
		values = append(values, filterTerms(o))
	}
	return values
}

// Tags of the filter terms, one per filter table.
const (
	regionTag    = "R~"
	focusAreaTag = "F~"
	languageTag  = "L~"
)

// filterTerms returns the filter terms of o, separated by single spaces:
// one per row of its filter tables, the table's tag and the row's value
// (the seat region and the service regions, R~; the focus areas, F~; the
// languages, L~), the rows Dialect.FilterRowInserts derives from the same
// record. Where the dialect can join search expressions (Dialect.SearchAnd),
// each search document holds them beside the words, so that a search with
// a filter-table condition is one index search (filter.searchWhere). Codes
// and slugs are validated to have no spaces, so each value is one term.
func filterTerms(o *directory.Organization) string {
	var b strings.Builder
	add := func(tag, value string) {
		if value == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(tag)
		b.WriteString(value)
	}
	add(regionTag, o.RegionCode)
	for _, r := range o.ServiceRegions {
		if r != o.RegionCode {
			add(regionTag, r)
		}
	}
	for _, f := range o.FocusAreas {
		add(focusAreaTag, f)
	}
	for _, l := range o.Languages {
		add(languageTag, l)
	}
	return b.String()
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
// (see Dialect.WriteVocabulary) and forgets them; nil for none.
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

func reverse(s string) string {
	r := []rune(s)
	slices.Reverse(r)
	return string(r)
}

// reindex rebuilds the search row of one organization from what is stored,
// and adds its terms to the vocabulary.
func (db *DB) reindex(tx *gorm.DB, ix *directory.Indexer, pk int64) error {
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
	t := searchTable(db.d)
	stored := toOrganizationRow(&o, pk) // with the sort keys, which reads leave out
	if err := tx.Exec("INSERT INTO "+t.name+" ("+strings.Join(t.columns, ", ")+") VALUES ("+placeholders(len(t.columns))+")",
		searchRowValues(db.d, &o, &stored, &d)...).Error; err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	v := newVocabulary()
	v.add(&d)
	if err := tx.Exec(db.d.WriteVocabulary, v.take()...).Error; err != nil {
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
		if err := db.reindex(tx, ix, pk); err != nil {
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
			"SELECT term FROM search_vocabulary"+db.d.IndexedBy("search_vocabulary_prefix")+" WHERE "+in+" AND term >= ? AND term < ?",
			"SELECT term FROM search_vocabulary"+db.d.IndexedBy("search_vocabulary_suffix")+" WHERE "+in+" AND reversed >= ? AND reversed < ?")
		args = append(args, p.Prefix, p.Prefix+"\U0010FFFF", p.ReversedSuffix, p.ReversedSuffix+"\U0010FFFF")
	}
	// Where GORM prepares statements, in a read transaction, like every
	// read of the read pool: GORM prepares a statement outside a
	// transaction on a connection it takes from the pool, while readers of
	// the same statement wait for that preparation holding its statement
	// cache's lock, which the pool's read transactions need for their next
	// statement. With every connection held by such a transaction, the
	// preparation waited for a connection that none would give back: reads
	// stalled until their clients gave up (the 30 s timeouts of
	// BenchmarkLoad's mixed run). In a transaction the statement is
	// prepared on the transaction's own connection.
	var terms []string
	err := db.readStatement(db.reading(ctx, db.read), func(tx *gorm.DB) error {
		rows, err := tx.Raw(strings.Join(parts, " UNION ALL "), args...).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				return err
			}
			if !slices.Contains(terms, t) {
				terms = append(terms, t)
			}
		}
		return rows.Err()
	})
	if err != nil {
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
// order (see lister.pageByRelevance, and lister.searchByRelevance where the
// search rows hold the name sort keys).
//
// FTS4 refuses an expression nested deeper than 12 (a chain of n terms
// joined by one operator counts log2(n)). A long query whose levels would
// nest deeper is ranked more coarsely, a rule at a time from the last
// refinement: typos 0, 1, 2 and more become none and some, then stop words
// stop counting, then fields, until its levels fit.

// SearchNode is a search expression: a term, or terms joined by AND or
// OR. The dialect renders it (Dialect.RenderSearch).
type SearchNode struct {
	// Op is "AND" or "OR" for terms joined, "" for a term.
	Op string
	// Term is an index term as directory.Indexer writes it.
	Term string
	// Prefix matches every term that starts with Term.
	Prefix bool
	// Field is the one field the term must be in; directory.SearchFields
	// for any.
	Field directory.SearchField
	// Kids are the joined expressions.
	Kids []SearchNode
}

// isTerm reports whether n is the same term as o.
func (n SearchNode) isTerm(o SearchNode) bool {
	return n.Op == "" && o.Op == "" && n.Term == o.Term && n.Prefix == o.Prefix && n.Field == o.Field
}

func term(t string) SearchNode { return SearchNode{Term: t, Field: directory.SearchFields} }

func prefix(t string) SearchNode {
	return SearchNode{Term: t, Prefix: true, Field: directory.SearchFields}
}

// join joins nodes with op, taking in the terms of kids joined by the same
// operator, and dropping repeated terms.
func join(op string, nodes ...SearchNode) SearchNode {
	var kids []SearchNode
	for _, n := range nodes {
		parts := []SearchNode{n}
		if n.Op == op {
			parts = n.Kids
		}
		for _, k := range parts {
			if slices.ContainsFunc(kids, k.isTerm) {
				continue
			}
			kids = append(kids, k)
		}
	}
	if len(kids) == 1 {
		return kids[0]
	}
	return SearchNode{Op: op, Kids: kids}
}

func anyOf(nodes ...SearchNode) SearchNode { return join("OR", nodes...) }
func allOf(nodes ...SearchNode) SearchNode { return join("AND", nodes...) }

// depth is n's depth as FTS4 counts it once it has balanced each chain of
// one operator into a binary tree. Every backend ranks within FTS4's
// limit, so that both order results alike.
func (n SearchNode) depth() int {
	if n.Op == "" {
		return 1
	}
	d := 0
	for _, k := range n.Kids {
		d = max(d, k.depth())
	}
	return d + bits.Len(uint(len(n.Kids)-1))
}

// maxFTSDepth is the deepest expression FTS4 takes (SQLITE_FTS3_MAX_EXPR_DEPTH).
const maxFTSDepth = 12

// searchExpr builds the search expressions of one search, rendered by
// render.
type searchExpr struct {
	required, stops []directory.QueryWord
	private         bool
	render          func(SearchNode) string
}

// maxRankedStops is how many of a query's stop words relevance counts; a
// match of any of the others ranks as a match of none.
const maxRankedStops = 3

func (db *DB) newSearchExpr(q directory.SearchQuery, private bool) searchExpr {
	e := searchExpr{required: q.Required(), stops: q.Stops(), private: private, render: db.d.RenderSearch}
	if len(e.stops) > maxRankedStops {
		e.stops = e.stops[:maxRankedStops]
	}
	return e
}

// tokens returns the index terms t stands for: t itself and, for
// partners, its private form.
func (e searchExpr) tokens(t SearchNode) []SearchNode {
	if e.private {
		private := t
		private.Term = directory.PrivateMark + t.Term
		return []SearchNode{t, private}
	}
	return []SearchNode{t}
}

// inFields restricts each of terms to the fields up to last; the last
// field needs no restriction, being all of them.
func inFields(terms []SearchNode, last directory.SearchField) SearchNode {
	if last == directory.SearchFields-1 {
		return anyOf(terms...)
	}
	out := make([]SearchNode, 0, len(terms)*int(last+1))
	for f := directory.FieldName; f <= last; f++ {
		for _, t := range terms {
			t.Field = f
			out = append(out, t)
		}
	}
	return anyOf(out...)
}

// wordTerms returns the index terms that match w with at most edits typos:
// its prefix, its stem, marked or as a word, and its typos.
func (e searchExpr) wordTerms(w directory.QueryWord, edits int) []SearchNode {
	var terms []SearchNode
	add := func(t SearchNode) { terms = append(terms, e.tokens(t)...) }
	add(prefix(w.Text))
	if w.Stem != w.Text {
		add(term(w.Stem))
		add(term(directory.StemMark + w.Stem))
	}
	for _, t := range w.Typos {
		if t.Edits <= edits {
			add(term(t.Term))
			if bare, ok := strings.CutPrefix(t.Term, directory.StemMark); ok {
				add(term(bare))
			}
		}
	}
	return terms
}

// matchAll is the expression of records matching every required word in
// the fields up to last, each with the typos budget gives it.
func (e searchExpr) matchAll(budget []int, last directory.SearchField) SearchNode {
	parts := make([]SearchNode, len(e.required))
	for i, w := range e.required {
		parts[i] = inFields(e.wordTerms(w, budget[i]), last)
	}
	return allOf(parts...)
}

// exactAll is the expression of records holding every required word as
// it is, in the fields up to last.
func (e searchExpr) exactAll(last directory.SearchField) SearchNode {
	parts := make([]SearchNode, len(e.required))
	for i, w := range e.required {
		parts[i] = inFields(e.tokens(term(w.Text)), last)
	}
	return allOf(parts...)
}

// withTypos is the expression of records matching every required word
// with at most total typos in all, in the fields up to last: one
// alternative for each way of sharing the typos among the words. When
// total allows every word all its typos (maxTypos), that is one
// alternative, the one giving each word all of them, which holds every
// other: the others would only make a long query's expression deeper than
// FTS4 takes (its depth grows with the number of ways of sharing).
func (e searchExpr) withTypos(total int, last directory.SearchField) SearchNode {
	budget := make([]int, len(e.required))
	if total >= e.maxTypos() {
		for i, w := range e.required {
			if len(w.Typos) > 0 {
				budget[i] = w.MaxEdits
			}
		}
		return e.matchAll(budget, last)
	}
	var alts []SearchNode
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
	return anyOf(alts...)
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
	return e.render(e.fullNode())
}

func (e searchExpr) fullNode() SearchNode {
	return e.withTypos(e.maxTypos(), directory.SearchFields-1)
}

// atLeastStops is the expression of records holding at least n of the
// stop words; false when n is 0 (every record).
func (e searchExpr) atLeastStops(n int) (SearchNode, bool) {
	if n == 0 || n > len(e.stops) {
		return SearchNode{}, false
	}
	var alts []SearchNode
	var pick func(from int, chosen []SearchNode)
	pick = func(from int, chosen []SearchNode) {
		if len(chosen) == n {
			alts = append(alts, allOf(chosen...))
			return
		}
		for i := from; i < len(e.stops); i++ {
			pick(i+1, append(slices.Clip(chosen), anyOf(e.tokens(term(e.stops[i].Text))...)))
		}
	}
	pick(0, nil)
	return anyOf(alts...), true
}

// Ways of ranking, from the finest to the coarsest; see levels.
const (
	rankAll = iota
	rankTyposOnce
	rankNoStops
	rankNoFields
	rankNone
)

// levels returns the cumulative expressions of the relevance levels, best
// first; the last is full(). They are ranked as finely as FTS4 allows.
func (e searchExpr) levels() []string {
	for rank := rankAll; ; rank++ {
		nodes := e.levelsAt(rank)
		fits := true
		for _, n := range nodes {
			if n.depth() > maxFTSDepth {
				fits = false
				break
			}
		}
		if fits || rank == rankNone {
			out := make([]string, 0, len(nodes))
			for _, n := range nodes {
				if s := e.render(n); len(out) == 0 || out[len(out)-1] != s {
					out = append(out, s)
				}
			}
			// The last level holds every result: it is full, however written.
			out[len(out)-1] = e.full()
			return out
		}
	}
}

// levelsAt returns the levels ranked as rank allows.
func (e searchExpr) levelsAt(rank int) []SearchNode {
	full := e.fullNode()
	if rank == rankNone {
		return []SearchNode{full}
	}
	typoLevels := []int{0}
	steps := []int{1, 2, e.maxTypos()}
	if rank >= rankTyposOnce {
		steps = []int{e.maxTypos()}
	}
	for _, t := range steps {
		if t > typoLevels[len(typoLevels)-1] && t <= e.maxTypos() {
			typoLevels = append(typoLevels, t)
		}
	}
	fields := []directory.SearchField{directory.FieldName, directory.FieldAcronym, directory.FieldPlace, directory.FieldDescription}
	if rank >= rankNoFields {
		fields = []directory.SearchField{directory.FieldDescription}
	}
	var content []SearchNode // levels of the required words alone
	for i, t := range typoLevels {
		var before SearchNode // every record with fewer typos
		if i > 0 {
			before = e.withTypos(typoLevels[i-1], directory.SearchFields-1)
		}
		for j, f := range fields {
			if t == 0 {
				exact := e.exactAll(f)
				if j > 0 {
					exact = anyOf(e.withTypos(0, fields[j-1]), exact)
				}
				content = append(content, exact)
			}
			level := e.withTypos(t, f)
			if i > 0 {
				level = anyOf(before, level)
			}
			content = append(content, level)
		}
	}
	stops := len(e.stops)
	if rank >= rankNoStops {
		stops = 0
	}
	var out []SearchNode
	for j := stops; j >= 0; j-- {
		more, hasMore := e.atLeastStops(j + 1)
		if j == stops {
			hasMore = false
		}
		these, hasThese := e.atLeastStops(j)
		for _, c := range content {
			level := c
			if hasThese {
				level = allOf(these, c)
			}
			if hasMore {
				level = anyOf(allOf(more, full), level)
			}
			out = append(out, level)
		}
	}
	return out
}

// fewMatches is the most matches a relevance page ranks in Go from their
// search rows, rather than by counting levels: a rare combination of
// words may reach the last of dozens of levels, and each count reads every
// doclist of its expression, while ranking a few hundred rows reads only
// those rows.
const fewMatches = 300

// termHit is what one index term means to a query word.
type termHit struct {
	word  int  // index in required; -1 for a stop word
	stop  int  // index in stops, for a stop word
	exact bool // the word as typed
	edits int  // typos; 0 for the word, its prefix or its stem
}

// ranker ranks the search rows of matches as levels() orders them: its
// key for a row is the number of levels before the row's own.
type ranker struct {
	e          searchExpr
	hits       map[string][]termHit
	typoLevels []int
}

func newRanker(e searchExpr) *ranker {
	r := &ranker{e: e, hits: map[string][]termHit{}}
	add := func(term string, h termHit) { r.hits[term] = append(r.hits[term], h) }
	for i, w := range e.required {
		add(w.Text, termHit{word: i, exact: true})
		if w.Stem != w.Text {
			add(w.Stem, termHit{word: i})
			add(directory.StemMark+w.Stem, termHit{word: i})
		}
		for _, t := range w.Typos {
			add(t.Term, termHit{word: i, edits: t.Edits})
			if bare, ok := strings.CutPrefix(t.Term, directory.StemMark); ok {
				add(bare, termHit{word: i, edits: t.Edits})
			}
		}
	}
	for i, s := range e.stops {
		add(s.Text, termHit{word: -1, stop: i})
	}
	r.typoLevels = []int{0}
	for _, t := range []int{1, 2, e.maxTypos()} {
		if t > r.typoLevels[len(r.typoLevels)-1] && t <= e.maxTypos() {
			r.typoLevels = append(r.typoLevels, t)
		}
	}
	return r
}

// noMatch stands for a word a field does not hold.
const noMatch = 1 << 20

// key returns the rank of a search row, lower first.
func (r *ranker) key(row [directory.SearchFields]string) int {
	n := len(r.e.required)
	edits := make([][directory.SearchFields]int, n) // fewest typos of each word in each field
	exact := make([][directory.SearchFields]bool, n)
	for i := range edits {
		for f := range edits[i] {
			edits[i][f] = noMatch
		}
	}
	stops := make([]bool, len(r.e.stops))
	for f, text := range row {
		for len(text) > 0 {
			tok, rest, _ := strings.Cut(text, " ")
			text = rest
			if bare, ok := strings.CutPrefix(tok, directory.PrivateMark); ok {
				if !r.e.private {
					continue
				}
				tok = bare
			}
			for _, h := range r.hits[tok] {
				if h.word < 0 {
					stops[h.stop] = true
					continue
				}
				edits[h.word][f] = min(edits[h.word][f], h.edits)
				exact[h.word][f] = exact[h.word][f] || h.exact
			}
			for i, w := range r.e.required {
				if strings.HasPrefix(tok, w.Text) {
					edits[i][f] = 0
				}
			}
		}
	}
	// typos is the fewest typos matching every word in the fields up to last.
	typos := func(last directory.SearchField) int {
		sum := 0
		for i := range edits {
			best := noMatch
			for f := directory.FieldName; f <= last; f++ {
				best = min(best, edits[i][f])
			}
			sum += best
		}
		return sum
	}
	allExact := func(last directory.SearchField) bool {
		for i := range exact {
			if !slices.Contains(exact[i][:last+1], true) {
				return false
			}
		}
		return true
	}
	level := 0
	content := func() int {
		for i, t := range r.typoLevels {
			for f := directory.FieldName; f < directory.SearchFields; f++ {
				if t == 0 {
					if f > directory.FieldName && typos(f-1) == 0 || allExact(f) {
						return level
					}
					level++
				}
				if i > 0 && typos(directory.SearchFields-1) <= r.typoLevels[i-1] || typos(f) <= t {
					return level
				}
				level++
			}
		}
		return level
	}()
	missing := 0
	for _, s := range stops {
		if !s {
			missing++
		}
	}
	return missing*noMatch + content
}

// pageFew returns the keys of a page of the few organizations matching f,
// ranked in Go by r, in order o within a rank. Where the search rows hold
// o's sort key (lister.sortsSearch) they are read alone, as searchPage
// reads them.
func (l *lister) pageFew(f filter, r *ranker, o order, offset, limit int) ([]int64, error) {
	var query string
	var args []any
	if l.sortsSearch(f, o) {
		var cond string
		cond, args = f.searchWhere()
		query = `SELECT s.docid, s.name, s.acronym, s.place, s.description
		FROM organization_search s WHERE ` + cond + " ORDER BY s." + o.searchKey + ", s.docid"
	} else {
		cond, more := f.where(forCollect)
		query = `SELECT o.pk, s.name, s.acronym, s.place, s.description
		FROM organizations o JOIN organization_search s ON s.docid = o.pk
		WHERE ` + cond + " ORDER BY " + o.byNoIndex
		args = more
	}
	rows, err := l.g.Raw(query, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("rank organizations: %w", err)
	}
	defer rows.Close()
	type ranked struct {
		pk  int64
		key int
	}
	var all []ranked
	for rows.Next() {
		var pk int64
		var row [directory.SearchFields]string
		if err := rows.Scan(&pk, &row[0], &row[1], &row[2], &row[3]); err != nil {
			return nil, fmt.Errorf("rank organizations: %w", err)
		}
		all = append(all, ranked{pk, r.key(row)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rank organizations: %w", err)
	}
	slices.SortStableFunc(all, func(a, b ranked) int { return a.key - b.key })
	keys := make([]int64, 0, limit)
	for i := offset; i < len(all) && i < offset+limit; i++ {
		keys = append(keys, all[i].pk)
	}
	return keys, nil
}

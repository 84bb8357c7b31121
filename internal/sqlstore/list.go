package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/coalition-directory/coalition/internal/directory"
)

// listLive lists live organizations for ListOrganizations.
//
// A list is a count of the matches and a page of them. Both are shaped here
// so that their cost follows the size of the answer rather than of the
// directory; see lister. Relevance order is pages in name order of the
// relevance levels the page spans (see searchExpr.levels).
func (db *DB) listLive(ctx context.Context, q directory.ListQuery, search directory.SearchQuery, private bool) (orgs []directory.Organization, total int, err error) {
	// One read transaction: the count and the page see the same snapshot,
	// so a concurrent write cannot make them disagree.
	err = db.readTransaction(db.reading(ctx, db.read), func(tx *gorm.DB) error {
		orgs, total, err = db.listIn(tx, q, search, private)
		return err
	})
	return orgs, total, err
}

// listIn lists live organizations with the statements of tx.
func (db *DB) listIn(tx *gorm.DB, q directory.ListQuery, search directory.SearchQuery, private bool) ([]directory.Organization, int, error) {
	l := &lister{g: tx, d: db.d, live: -1}
	f := db.newFilter(q, search, private)
	order := orderOf(q, db.d)
	if q.Sort == directory.SortUpdatedAtDesc && !private {
		// Anonymous callers see the time of the last public change.
		order = order.publicUpdated(db.d)
	}
	var e *searchExpr // the search's, when the page is in relevance order
	if q.Sort == directory.SortRelevance && !search.IsEmpty() {
		expr := db.newSearchExpr(search, private)
		e = &expr
	}
	if !search.IsEmpty() {
		if start := l.searchStart(f, order); start != "" {
			if err := tx.Exec(start).Error; err != nil {
				return nil, 0, fmt.Errorf("list organizations: %w", err)
			}
		}
	}
	var total int
	var keys []int64
	var err error
	switch {
	case l.sortsSearch(f, order) && e != nil:
		total, keys, err = l.searchByRelevance(f, *e, order, q.Offset(), q.PerPage, fewMatches)
	case l.sortsSearch(f, order):
		total, keys, _, err = l.searchPage(f, order, q.Offset(), q.PerPage)
	default:
		total, keys, err = l.countAndPage(f, e, order, q.Offset(), q.PerPage)
	}
	if err != nil || len(keys) == 0 {
		return nil, total, err
	}
	orgs, err := l.organizations(keys)
	if err != nil {
		return nil, 0, err
	}
	return orgs, total, nil
}

// searchStart returns the statements that start the read transaction of a
// search for the organizations matching f in order o: SearchReadStart, or
// SearchTableReadStart where every statement reads the search table alone
// (sortsSearch) and the organizations only by key, so that one plan serves
// every value of their parameters alike. A time (modifiedAfter) is tested
// on the organizations, and how many changed since decides its plan: one
// made for any time expects a third of them, and reads every match of the
// words to probe with the changed ones.
func (l *lister) searchStart(f filter, o order) string {
	if l.sortsSearch(f, o) && f.modifiedAfter == "" && l.d.SearchTableReadStart != "" {
		return l.d.SearchTableReadStart
	}
	return l.d.SearchReadStart
}

// countAndPage counts the organizations matching f, then reads the keys of
// a page of them, from offset on and at most limit: in relevance order for
// the search e, nil for order o alone. It serves the pages that do not
// come from the search table alone (sortsSearch).
func (l *lister) countAndPage(f filter, e *searchExpr, o order, offset, limit int) (int, []int64, error) {
	total, err := l.count(f)
	if err != nil || total == 0 || offset >= total {
		return total, nil, err
	}
	var keys []int64
	switch {
	case e != nil && total <= fewMatches:
		keys, err = l.pageFew(f, newRanker(*e), o, offset, limit)
	case e != nil:
		keys, err = l.pageByRelevance(f, e.levels(), total, o, offset, limit)
	default:
		keys, err = l.page(f, total, o, offset, limit)
	}
	return total, keys, err
}

// searchByRelevance returns the number of organizations matching f, a
// search whose page comes from the search table (sortsSearch), and the
// keys of a page of them in relevance order (see searchExpr.levels).
//
// PostgreSQL 15 reads the row of every match its index finds, even only to
// count it, so the statements share out the matches rather than each
// reading them all: the first counts the first relevance level and reads
// its part of the page, and counts the matches outside that level (the
// full expression except the level's, Dialect.SearchExcept, which the
// index answers alone). Most pages lie in the first level, and then every
// match's row has been read once. A page past the first level reads each
// further level's own part until the page is full; one of at most few
// matches is ranked in Go instead (pageFew), since a rare combination of
// words may reach the last of dozens of levels, each an index search.
func (l *lister) searchByRelevance(f filter, e searchExpr, o order, offset, limit, few int) (int, []int64, error) {
	levels := e.levels()
	first, outside := firstLevel(f, levels)
	part, keys, counts, err := l.searchPage(first, o, offset, limit, outside...)
	if err != nil {
		return 0, nil, err
	}
	total := part
	for _, n := range counts {
		total += n
	}
	switch {
	case offset+limit <= part || offset >= total:
		return total, keys, nil
	case total <= few:
		keys, err = l.pageFew(f, newRanker(e), o, offset, limit)
		return total, keys, err
	}
	before := part
	for i := 1; i < len(levels) && before < offset+limit; i++ {
		level := f
		level.match, level.notMatch = levels[i], levels[i-1]
		from := max(offset, before)
		n, more, _, err := l.searchPage(level, o, from-before, offset+limit-from)
		if err != nil {
			return 0, nil, err
		}
		keys = append(keys, more...)
		before += n
	}
	return total, keys, nil
}

// firstLevel returns the filter of the first of levels (see
// searchExpr.levels) among the matches of f, and those of the matches
// outside it, none when it is the only level.
func firstLevel(f filter, levels []string) (first filter, outside []filter) {
	first = f
	first.match = levels[0]
	if len(levels) > 1 {
		rest := f
		rest.notMatch = levels[0]
		outside = append(outside, rest)
	}
	return first, outside
}

// pageByRelevance returns the keys of a page of the organizations matching
// f in relevance order: levels are cumulative search expressions, best
// first, the last one f's own, whose count is total. It counts the levels
// in order until the page is passed (most pages lie in the first level or
// two) and reads each level's part of the page in name order: those that
// match its expression and not the one before. Pages that come from the
// search table (sortsSearch) are read by searchByRelevance instead.
func (l *lister) pageByRelevance(f filter, levels []string, total int, o order, offset, limit int) ([]int64, error) {
	var keys []int64
	before, prev := 0, "" // the matches of the levels so far, and the last one's expression
	for i, expr := range levels {
		if before >= offset+limit {
			break
		}
		level := f
		level.match = expr
		n := total
		if i < len(levels)-1 {
			var err error
			if n, err = l.count(level); err != nil {
				return nil, err
			}
		}
		if n > offset && n > before {
			level.notMatch = prev
			from := max(offset, before)
			more, err := l.page(level, n-before, o, from-before, min(offset+limit, n)-from)
			if err != nil {
				return nil, err
			}
			keys = append(keys, more...)
		}
		before, prev = n, expr
	}
	return keys, nil
}

// filter is what a list matches, apart from liveness, which every list
// requires.
type filter struct {
	d             *Dialect
	countries     []string
	statuses      []string
	links         []link // filter-table conditions, all of which must hold
	modifiedAfter string // formatted; "" for none
	updated       string // the column modifiedAfter compares: public_updated_at for anonymous callers
	match         string // search expression the organization must match; "" for none
	notMatch      string // search expression it must not match; "" for none
}

// searchOnly reports whether f is a search and nothing else.
func (f filter) searchOnly() bool {
	return f.match != "" && len(f.countries) == 0 && len(f.statuses) == 0 && len(f.links) == 0 && f.modifiedAfter == ""
}

// searchWhere returns the conditions of f, which has a search, on the rows
// s of the search table, with their arguments. The search table holds live
// organizations only (archiving one removes its row, DB.reindex), and each
// filter table's row carries its organization's country and status, as
// the search rows do where the dialect keeps them there
// (Dialect.SearchListColumns), so the organizations are read only for a
// time, or elsewhere for a country or status without a filter table; a
// filter table is read from its index alone. Where the search documents
// hold filter terms (Dialect.SearchAnd), the filter tables are not read:
// their conditions join the search expression, and the index finds the
// organizations that match both.
func (f filter) searchWhere() (string, []any) {
	match, links := f.match, f.links
	if f.notMatch != "" && f.d.SearchExcept != nil {
		match = f.d.SearchExcept(match, f.notMatch)
	}
	if f.d.SearchAnd != nil && len(links) > 0 { // the documents hold filter terms
		match = f.d.SearchAnd(match, f.d.RenderSearch(linkTerms(links)))
		links = nil
	}
	args := []any{match}
	conds := []string{f.d.SearchMatch}
	if f.notMatch != "" && f.d.SearchExcept == nil {
		conds = append(conds, "s.docid NOT IN (SELECT docid FROM organization_search WHERE "+f.d.SearchMatch+")")
		args = append(args, f.notMatch)
	}
	in := func(column string, values []string) string {
		for _, v := range values {
			args = append(args, v)
		}
		return column + " IN (" + placeholders(len(values)) + ")"
	}
	rest := f // the conditions left for the organizations
	rest.links, rest.match, rest.notMatch = nil, "", ""
	for i, l := range links {
		table := []string{in(l.column, l.values), "archived = 0"}
		if i == 0 {
			if len(f.countries) > 0 {
				table = append(table, in("country_code", f.countries))
			}
			if len(f.statuses) > 0 {
				table = append(table, in("membership_status", f.statuses))
			}
			rest.countries, rest.statuses = nil, nil
		}
		conds = append(conds, "s.docid IN (SELECT org_pk FROM "+l.table+" WHERE "+strings.Join(table, " AND ")+")")
	}
	if f.d.SearchListColumns { // the search rows carry them too
		if len(rest.countries) > 0 {
			conds = append(conds, in("s.country_code", rest.countries))
		}
		if len(rest.statuses) > 0 {
			conds = append(conds, in("s.membership_status", rest.statuses))
		}
		rest.countries, rest.statuses = nil, nil
	}
	if len(rest.countries) > 0 || len(rest.statuses) > 0 || rest.modifiedAfter != "" {
		cond, more := rest.where(forCount)
		conds = append(conds, "s.docid IN (SELECT o.pk FROM organizations o WHERE "+cond+")")
		args = append(args, more...)
	}
	return strings.Join(conds, " AND "), args
}

// link is a condition on a filter table: a row with one of values, whose
// filter terms (see filterTerms) are tag followed by the value.
type link struct {
	table, column, tag string
	values             []string
}

// linkTerms returns the search expression of the filter terms (see
// filterTerms) that an organization matching every one of links has: one
// of each link's values.
func linkTerms(links []link) SearchNode {
	all := make([]SearchNode, len(links))
	for i, l := range links {
		values := make([]SearchNode, len(l.values))
		for j, v := range l.values {
			values[j] = term(l.tag + v)
		}
		all[i] = anyOf(values...)
	}
	return allOf(all...)
}

func (db *DB) newFilter(q directory.ListQuery, search directory.SearchQuery, private bool) filter {
	f := filter{d: db.d, countries: q.Countries, updated: "o.updated_at"}
	if !private {
		f.updated = "o.public_updated_at" // what anonymous callers see as updated_at
	}
	for _, s := range q.Statuses {
		f.statuses = append(f.statuses, string(s))
	}
	if len(q.Regions) > 0 {
		f.links = append(f.links, link{"organization_regions", "region_code", regionTag, q.Regions})
	}
	if len(q.FocusAreas) > 0 {
		f.links = append(f.links, link{"organization_focus_areas", "focus_area", focusAreaTag, q.FocusAreas})
	}
	if len(q.Languages) > 0 {
		f.links = append(f.links, link{"organization_languages", "language", languageTag, q.Languages})
	}
	if !q.ModifiedAfter.IsZero() {
		f.modifiedAfter = formatTime(q.ModifiedAfter)
	}
	if !search.IsEmpty() {
		f.match = db.newSearchExpr(search, private).full()
	}
	return f
}

// Ways of evaluating a filter's conditions on organizations o.
const (
	// forCount leaves the plan to the database.
	forCount = iota
	// forWalk tests each entry of a sort index in turn: filter tables are
	// probed for the one organization, rather than read whole.
	forWalk
	// forCollect drives from the filter or search matches, which are few:
	// the organization's own columns are kept from driving where the
	// dialect can (Dialect.NoIndex).
	forCollect
)

// where returns the conditions of f on organizations o, for one of the ways
// of evaluating them, with their arguments.
func (f filter) where(way int) (string, []any) {
	drives := len(f.links) > 0 || f.match != ""
	column := func(c string) string {
		if way == forCollect && drives {
			return f.d.NoIndex(c)
		}
		return c
	}
	conds := []string{"o.archived_at IS NULL"}
	var args []any
	in := func(expr string, values []string) string {
		for _, v := range values {
			args = append(args, v)
		}
		return expr + " IN (" + placeholders(len(values)) + ")"
	}
	if len(f.countries) > 0 {
		conds = append(conds, in(column("o.country_code"), f.countries))
	}
	if len(f.statuses) > 0 {
		conds = append(conds, in(column("o.membership_status"), f.statuses))
	}
	if f.modifiedAfter != "" {
		conds = append(conds, column(f.updated)+" > ?")
		args = append(args, f.modifiedAfter)
	}
	for _, l := range f.links {
		if way == forWalk {
			conds = append(conds, "EXISTS (SELECT 1 FROM "+l.table+" l WHERE "+in("l."+l.column, l.values)+" AND l.org_pk = o.pk)")
		} else {
			conds = append(conds, "o.pk IN (SELECT org_pk FROM "+l.table+" WHERE "+in(l.column, l.values)+" AND archived = 0)")
		}
	}
	if f.match != "" {
		conds = append(conds, "o.pk IN (SELECT docid FROM organization_search WHERE "+f.d.SearchMatch+")")
		args = append(args, f.match)
	}
	if f.notMatch != "" {
		conds = append(conds, "o.pk NOT IN (SELECT docid FROM organization_search WHERE "+f.d.SearchMatch+")")
		args = append(args, f.notMatch)
	}
	return strings.Join(conds, " AND "), args
}

// order is a list order: the live-organization index that holds it, the
// ORDER BY clause with and without the use of that index, and the sort
// key of the search table that gives it (Dialect.SearchListColumns), "" for
// none.
type order struct {
	index, by, byNoIndex, searchKey string
}

func orderOf(q directory.ListQuery, d *Dialect) order {
	if q.Sort == directory.SortUpdatedAtDesc {
		return order{"organizations_live_updated", "o.updated_at DESC, o.pk DESC", d.NoIndex("o.updated_at") + " DESC, o.pk DESC", ""}
	}
	switch q.Lang {
	case directory.LangRU:
		return order{"organizations_live_sort_ru", "o.sort_ru, o.pk", d.NoIndex("o.sort_ru") + ", o.pk", "sort_ru"}
	case directory.LangEN:
		return order{"organizations_live_sort_en", "o.sort_en, o.pk", d.NoIndex("o.sort_en") + ", o.pk", "sort_en"}
	}
	return order{"organizations_live_sort_original", "o.sort_original, o.pk", d.NoIndex("o.sort_original") + ", o.pk", "sort_original"}
}

// publicUpdated is the -updated_at order over the time anonymous callers
// see as updated_at, the last public change.
func (o order) publicUpdated(d *Dialect) order {
	return order{"organizations_live_public_updated", "o.public_updated_at DESC, o.pk DESC", d.NoIndex("o.public_updated_at") + " DESC, o.pk DESC", ""}
}

// lister runs the queries of one list request.
type lister struct {
	g    *gorm.DB
	d    *Dialect
	live int // the number of live organizations, -1 until counted
}

// liveCount returns the number of live organizations, by the dialect's
// query (Dialect.LiveCount).
func (l *lister) liveCount() (int, error) {
	if l.live < 0 {
		err := l.g.Raw(l.d.LiveCount).Row().Scan(&l.live)
		if err != nil {
			return 0, fmt.Errorf("count organizations: %w", err)
		}
	}
	return l.live, nil
}

// count returns the number of live organizations matching f. Each exact
// count has a query that reads as little as it can:
//   - no filter: the live count;
//   - a search alone: the search index's matches;
//   - one filter table, with country and status: that table alone, whose
//     rows carry both, and whether the organization is archived;
//   - a search with other conditions, where the search table holds the
//     sort keys (Dialect.SearchListColumns): the search matches, tested
//     against the other conditions (filter.searchWhere), as the page is;
//   - anything else: the organizations, by the database's plan.
func (l *lister) count(f filter) (int, error) {
	var query string
	var args []any
	switch {
	case f.match == "" && f.notMatch == "" && len(f.countries) == 0 && len(f.statuses) == 0 &&
		len(f.links) == 0 && f.modifiedAfter == "":
		return l.liveCount()
	case f.searchOnly() && f.notMatch == "":
		// The search index holds live organizations only: archiving one
		// removes its row (DB.reindex).
		query = `SELECT count(*) FROM organization_search WHERE ` + f.d.SearchMatch
		args = []any{f.match}
	case f.match != "" && f.d.SearchListColumns:
		var cond string
		cond, args = f.searchWhere()
		query = "SELECT count(*) FROM organization_search s WHERE " + cond
	case len(f.links) == 1 && f.match == "" && f.notMatch == "" && f.modifiedAfter == "":
		lk := f.links[0]
		counted := "count(*)"
		if len(lk.values) > 1 {
			counted = "count(DISTINCT org_pk)" // an organization may have several of the values
		}
		conds := []string{lk.column + " IN (" + placeholders(len(lk.values)) + ")", "archived = 0"}
		for _, v := range lk.values {
			args = append(args, v)
		}
		for _, c := range []struct {
			column string
			values []string
		}{{"country_code", f.countries}, {"membership_status", f.statuses}} {
			if len(c.values) > 0 {
				conds = append(conds, c.column+" IN ("+placeholders(len(c.values))+")")
				for _, v := range c.values {
					args = append(args, v)
				}
			}
		}
		query = "SELECT " + counted + " FROM " + lk.table + " WHERE " + strings.Join(conds, " AND ")
	default:
		var cond string
		cond, args = f.where(forCount)
		query = "SELECT count(*) FROM organizations o WHERE " + cond
	}
	var n int
	if err := l.g.Raw(query, args...).Row().Scan(&n); err != nil {
		return 0, fmt.Errorf("count organizations: %w", err)
	}
	return n, nil
}

// Approximate costs, in microseconds, of the two ways of finding a page,
// measured on 100,000 organizations: testing one entry of a sort index
// with and without a filter-table probe, and reading one matching row and
// sorting it.
const (
	walkCost      = 0.1
	walkProbeCost = 0.4
	collectCost   = 1.5
)

// page returns the keys of the organizations matching f, n in all, from
// offset on, at most limit of them, in order. It picks the cheaper of two
// plans: walking the order's index until the page is passed, testing each
// entry, which costs about (offset+limit) * live/n entries; or collecting
// all n matches and sorting them.
func (l *lister) page(f filter, n int, o order, offset, limit int) ([]int64, error) {
	if offset >= n || limit <= 0 {
		return nil, nil
	}
	live, err := l.liveCount()
	if err != nil {
		return nil, err
	}
	perEntry := walkCost
	if len(f.links) > 0 {
		perEntry = walkProbeCost
	}
	if (f.match != "" || f.notMatch != "") && l.d.SearchWalkCost > perEntry {
		perEntry = l.d.SearchWalkCost
	}
	walk := float64(offset+limit)*float64(live)/float64(n)*perEntry < float64(n)*collectCost
	return l.pageBy(walk, f, o, offset, limit)
}

// sortsSearch reports whether a page of the organizations matching f in
// order o comes from the search table (see searchPage).
func (l *lister) sortsSearch(f filter, o order) bool {
	return l.d.SearchListColumns && o.searchKey != "" && f.match != ""
}

// searchPage returns the number of organizations matching f, a search with
// or without other conditions (sortsSearch), and the keys of those from
// offset on, at most limit of them, in order o, in one statement over the
// search table: the index finds the matching rows, which hold the sort
// key, and the other conditions are tested on them (filter.searchWhere),
// so that no sort index is read, nor the organizations unless a condition
// needs them. The same statement counts the matches of each of others,
// searches too, whose counts are returned in their order.
func (l *lister) searchPage(f filter, o order, offset, limit int, others ...filter) (n int, keys []int64, counts []int, err error) {
	query, args := searchPageQuery(f, o, offset, limit, others...)
	rows, err := l.g.Raw(query, args...).Rows()
	if err != nil {
		return 0, nil, nil, fmt.Errorf("list organizations: %w", err)
	}
	defer rows.Close()
	keys = make([]int64, 0, max(limit, 0))
	counts = make([]int, len(others))
	for rows.Next() {
		var kind int
		var v int64
		if err := rows.Scan(&kind, &v); err != nil {
			return 0, nil, nil, fmt.Errorf("list organizations: %w", err)
		}
		switch {
		case kind < 0:
			keys = append(keys, v)
		case kind == 0:
			n = int(v)
		default:
			counts[kind-1] = int(v)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, nil, nil, fmt.Errorf("list organizations: %w", err)
	}
	return n, keys, counts, nil
}

// searchPageQuery returns the statement of searchPage and its arguments.
// Each row it returns is a count (its kind the count's: 0 for f's, i+1 for
// others[i]'s) or a key of the page (kind -1), in order.
func searchPageQuery(f filter, o order, offset, limit int, others ...filter) (string, []any) {
	cond, args := f.searchWhere()
	query := `WITH m AS (SELECT s.docid, s.` + o.searchKey + ` AS sort_key FROM organization_search s WHERE ` + cond + `)
		SELECT 0 AS kind, count(*) AS v FROM m`
	for i, other := range others {
		cond, more := other.searchWhere()
		query += fmt.Sprintf(" UNION ALL SELECT %d, count(*) FROM organization_search s WHERE %s", i+1, cond)
		args = append(args, more...)
	}
	query += ` UNION ALL SELECT -1, docid FROM (SELECT docid FROM m ORDER BY sort_key, docid LIMIT ? OFFSET ?) page`
	return query, append(args, max(limit, 0), offset)
}

// pageQuery returns the query of a page of keys, by walking the order's
// index or by collecting the matches, and its arguments but the limit and
// the offset.
func pageQuery(walk bool, f filter, o order) (string, []any) {
	if walk {
		cond, args := f.where(forWalk)
		return "SELECT o.pk FROM organizations o" + f.d.IndexedBy(o.index) + " WHERE " + cond + " ORDER BY " + o.by, args
	}
	cond, args := f.where(forCollect)
	return "SELECT o.pk FROM organizations o WHERE " + cond + " ORDER BY " + o.byNoIndex, args
}

// pageBy runs one of the plans of page.
func (l *lister) pageBy(walk bool, f filter, o order, offset, limit int) ([]int64, error) {
	query, args := pageQuery(walk, f, o)
	rows, err := l.g.Raw(query+" LIMIT ? OFFSET ?", append(args, limit, offset)...).Rows()
	if err != nil {
		return nil, fmt.Errorf("list organizations: %w", err)
	}
	defer rows.Close()
	keys := make([]int64, 0, limit)
	for rows.Next() {
		var pk int64
		if err := rows.Scan(&pk); err != nil {
			return nil, fmt.Errorf("list organizations: %w", err)
		}
		keys = append(keys, pk)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list organizations: %w", err)
	}
	return keys, nil
}

// organizations reads the organizations with keys, in the keys' order.
func (l *lister) organizations(keys []int64) ([]directory.Organization, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	rows, err := l.g.Raw("SELECT "+organizationColumns+" FROM organizations o WHERE o.pk IN ("+l.d.KeysIn+")",
		mustJSON(keys)).Rows()
	if err != nil {
		return nil, fmt.Errorf("read organizations: %w", err)
	}
	defer rows.Close()
	at := make(map[int64]int, len(keys))
	for i, k := range keys {
		at[k] = i
	}
	orgs := make([]directory.Organization, len(keys))
	found := 0
	for rows.Next() {
		r, err := scanOrganization(rows)
		if err != nil {
			return nil, fmt.Errorf("read organizations: %w", err)
		}
		if orgs[at[r.PK]], err = r.toDomain(); err != nil {
			return nil, err
		}
		found++
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read organizations: %w", err)
	}
	if found != len(keys) {
		// A statement outside the list's read transaction (the tests'
		// PageBy) reads a snapshot of its own: a row named by the page may
		// be gone by the time it is read.
		out := orgs[:0]
		for _, o := range orgs {
			if o.ID != "" {
				out = append(out, o)
			}
		}
		orgs = out
	}
	return orgs, nil
}

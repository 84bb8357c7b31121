package sqlstore

import (
	"context"
	"fmt"
	"io/fs"

	"gorm.io/gorm"

	"github.com/coalition-directory/coalition/internal/directory"
)

// What the tests of package sqlstore_test, which open databases through
// internal/dbtest (and so through the adapters, which import this
// package), need of its internals.

// Gorm is the write handle, for the tests' own queries.
func (db *DB) Gorm() *gorm.DB { return db.gorm }

// Read is the handle of lists, searches and the change feed's records.
func (db *DB) Read() *gorm.DB { return db.read }

// Migrations are the dialect's migrations.
func (db *DB) Migrations() fs.FS { return db.d.Migrations }

// SearchMatch is the dialect's condition on organization_search.
func (db *DB) SearchMatch() string { return db.d.SearchMatch }

// OrganizationRow is a row of the organizations table.
type OrganizationRow = organizationRow

// ListConditions is listConditions.
func (db *DB) ListConditions(q directory.ListQuery, search directory.SearchQuery, private bool) (string, []any) {
	return db.listConditions(q, search, private)
}

// SearchLevels are the rendered relevance levels of a search.
func (db *DB) SearchLevels(search directory.SearchQuery, private bool) []string {
	return db.newSearchExpr(search, private).levels()
}

// RankBothWays returns the keys of every match of q in relevance order,
// counted by levels and ranked in Go.
func (db *DB) RankBothWays(ctx context.Context, q directory.ListQuery, search directory.SearchQuery, private bool) (byLevels, few []int64, err error) {
	f := db.newFilter(q, search, private)
	l := &lister{g: db.gorm.WithContext(ctx), d: db.d, live: -1}
	total, err := l.count(f)
	if err != nil {
		return nil, nil, err
	}
	e := db.newSearchExpr(search, private)
	o := orderOf(q, db.d)
	if l.sortsSearch(f, o) {
		// Ranked by levels alone: no page is few enough to rank in Go.
		var n int
		if n, byLevels, err = l.searchByRelevance(f, e, o, 0, total, 0); err == nil && n != total {
			err = fmt.Errorf("ranked by levels: %d matches, counted %d", n, total)
		}
	} else {
		byLevels, err = l.pageByRelevance(f, e.levels(), total, o, 0, total)
	}
	if err != nil {
		return nil, nil, err
	}
	few, err = l.pageFew(f, newRanker(e), o, 0, total)
	return byLevels, few, err
}

// FirstSearchStatement returns the first statement of a list of q in
// relevance order, where its page comes from the search table
// (lister.searchByRelevance), with its arguments, and the statements its
// read transaction runs first (searchStart).
func (db *DB) FirstSearchStatement(q directory.ListQuery, search directory.SearchQuery, private bool) (query string, args []any, start string) {
	first, outside := firstLevel(db.newFilter(q, search, private), db.newSearchExpr(search, private).levels())
	o := orderOf(q, db.d)
	query, args = searchPageQuery(first, o, q.Offset(), q.PerPage, outside...)
	l := &lister{d: db.d}
	return query, args, l.searchStart(first, o)
}

// PageBy returns a page of q by one of the two plans (walking the order's
// index or collecting the matches).
func (db *DB) PageBy(ctx context.Context, walk bool, q directory.ListQuery, search directory.SearchQuery, private bool) ([]directory.Organization, error) {
	l := &lister{g: db.gorm.WithContext(ctx), d: db.d, live: -1}
	keys, err := l.pageBy(walk, db.newFilter(q, search, private), orderOf(q, db.d), q.Offset(), q.PerPage)
	if err != nil {
		return nil, err
	}
	return l.organizations(keys)
}

// PageQuery returns the page query of q by one of the two plans, with its
// arguments but the limit and offset, and the index and order of the walk;
// withNotMatch adds the exclusion of the first relevance level of search.
func (db *DB) PageQuery(walk bool, q directory.ListQuery, search directory.SearchQuery, withNotMatch bool) (query string, args []any, index, by string) {
	f := db.newFilter(q, search, false)
	if withNotMatch {
		f.notMatch = db.newSearchExpr(search, false).levels()[0]
	}
	o := orderOf(q, db.d)
	query, args = pageQuery(walk, f, o)
	return query, args, o.index, o.by
}

// BeginWrite begins a write transaction as the store's writes begin them.
func (db *DB) BeginWrite(ctx context.Context) (*gorm.DB, error) {
	tx := db.gorm.WithContext(ctx).Begin()
	if tx.Error != nil {
		return nil, tx.Error
	}
	if db.d.BeginWrite != nil {
		if err := db.d.BeginWrite(tx); err != nil {
			tx.Rollback()
			return nil, err
		}
	}
	return tx, nil
}

// AppendChanges is appendChanges.
func (db *DB) AppendChanges(tx *gorm.DB, events []directory.ChangeEvent) error {
	return db.appendChanges(tx, events)
}

// BeginPlain begins a transaction that takes none of the writes' own locks
// (Dialect.BeginWrite), so that only the change log's lock orders appends.
func (db *DB) BeginPlain(ctx context.Context) (*gorm.DB, error) {
	tx := db.gorm.WithContext(ctx).Begin()
	return tx, tx.Error
}

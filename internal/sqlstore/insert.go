package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// rowsPerInsert is the most rows one multi-row INSERT carries, well under
// SQLite's limit of 32,766 parameters (PostgreSQL's is 65,535) for the
// widest table. Statements are
// prepared once and kept, so the row counts are powers of two: a table
// needs at most nine statement shapes, however its batches vary.
const rowsPerInsert = 256

// table is a table's name and the columns bulk inserts fill.
type table struct {
	name    string
	columns []string
	// rowByRow writes one row per statement. The search index writes out
	// its pending terms as a new segment at every statement that may write
	// several rows; written a row at a time, it does so once a megabyte of
	// terms has gathered, a tenth as often, and merges fewer segments.
	rowByRow bool
	// vocabulary writes all the values at once with the dialect's
	// WriteVocabulary instead of INSERTs of the columns.
	vocabulary bool
	// filterRows derives the filter rows of the organizations from the
	// key in its one value on (writeFilterRows) instead of inserting.
	filterRows bool
}

// filterRowsFrom is the table entry of a batch that derives the filter rows
// of the organizations the batch wrote, the last of the batches written so
// far: those from the batch's first key.
var filterRowsFrom = table{name: "filter rows", filterRows: true}

func organizationsTable() table {
	return table{name: "organizations", columns: []string{"pk", "id", "slug", "original_language", "name_ru", "description_ru",
		"name_en", "description_en", "sort_original",
		"sort_ru", "sort_en", "acronym", "website", "email", "phones", "country_code", "region_code", "city", "address",
		"address_hidden", "service_regions", "languages", "focus_areas", "membership_status", "member_since",
		"member_until", "verified_at", "created_at", "updated_at", "archived_at", "version",
		"public_version", "public_updated_at"}}
}

func (r *organizationRow) values() []any {
	return []any{r.PK, r.ID, r.Slug, r.OriginalLanguage, r.NameRU, r.DescriptionRU, r.NameEN, r.DescriptionEN,
		r.SortOriginal, r.SortRU, r.SortEN,
		r.Acronym, r.Website, r.Email, r.Phones, r.CountryCode, r.RegionCode, r.City, r.Address, r.AddressHidden,
		r.ServiceRegions, r.Languages, r.FocusAreas, r.MembershipStatus, r.MemberSince, r.MemberUntil,
		r.VerifiedAt, r.Created, r.Updated, r.Archived, r.Version, r.PublicVersion, r.PublicUpdated}
}

func contactsTable() table {
	return table{name: "contacts", columns: []string{"pk", "id", "org_pk", "name", "role", "email", "phone", "languages",
		"visibility", "is_primary", "version", "created_at", "updated_at"}}
}

func (r *contactRow) values() []any {
	return []any{r.PK, r.ID, r.OrgPK, r.Name, r.Role, r.Email, r.Phone, r.Languages, r.Visibility, r.IsPrimary,
		r.Version, r.Created, r.Updated}
}

// searchTable is the search index, written a row at a time (see rowByRow):
// each organization's key, the fields of its document and, where the
// dialect keeps them there (Dialect.SearchListColumns), its name sort keys,
// country and membership status, and its filter terms (Dialect.SearchAnd).
// searchRowValues gives a row's values.
func searchTable(d *Dialect) table {
	columns := []string{"docid", "name", "acronym", "place", "description"}
	if d.SearchListColumns {
		columns = append(columns, "sort_original", "sort_ru", "sort_en", "country_code", "membership_status")
	}
	if d.SearchAnd != nil {
		columns = append(columns, "filter_terms")
	}
	return table{name: "organization_search", columns: columns, rowByRow: true}
}

// vocabularyTable adds entries to the search vocabulary: its values are the
// arguments of Dialect.WriteVocabulary.
var vocabularyTable = table{name: "search_vocabulary", vocabulary: true}

func auditTable() table {
	return table{name: "audit_entries", columns: []string{"id", "at", "key_id", "actor", "entity_type", "entity_id",
		"organization_id", "action", "changes"}}
}

func (r *auditRow) values() []any {
	return []any{r.ID, r.At, r.KeyID, r.Actor, r.EntityType, r.EntityID, r.OrganizationID, r.Action, r.Changes}
}

// inserter writes rows with multi-row INSERTs, without GORM's per-row
// reflection and RETURNING clauses: the bulk path of seeding and imports.
// Each statement shape is prepared once on the transaction and reused:
// parsing an INSERT of thousands of parameters costs more than running it.
// With a bulk load (an import on PostgreSQL), it writes rows with that
// instead; the search vocabulary, which skips entries it holds, still goes
// through Dialect.WriteVocabulary.
type inserter struct {
	db    *DB
	tx    *gorm.DB
	load  BulkLoad // nil for none
	stmts map[shape]*sql.Stmt
}

// shape is the table and row count of a prepared multi-row INSERT.
type shape struct {
	table string
	rows  int
}

// preparer is what a GORM transaction's connection pool offers for that.
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

func (db *DB) newInserter(tx *gorm.DB) *inserter {
	return &inserter{db: db, tx: tx, stmts: map[shape]*sql.Stmt{}}
}

// close releases the prepared statements.
func (in *inserter) close() {
	for _, st := range in.stmts {
		st.Close()
	}
	in.stmts = nil
}

// insert writes rows into t; values holds the rows one after another,
// len(t.columns) each.
func (in *inserter) insert(t table, values []any) error {
	if t.filterRows {
		return in.db.writeFilterRows(in.tx, "o.pk >= ?", values[0])
	}
	if t.vocabulary {
		if len(values) == 0 {
			return nil
		}
		if err := in.tx.Exec(in.db.d.WriteVocabulary, values...).Error; err != nil {
			return in.db.translate(err, "insert "+t.name)
		}
		return nil
	}
	width := len(t.columns)
	if len(values)%width != 0 {
		return fmt.Errorf("insert %s: %d values do not fill rows of %d", t.name, len(values), width)
	}
	if in.load != nil {
		if len(values) == 0 {
			return nil
		}
		if err := in.load(in.tx.Statement.Context, t.name, t.columns, values); err != nil {
			return in.db.translate(err, "load "+t.name)
		}
		return nil
	}
	for start := 0; start < len(values); {
		rows := rowsPerInsert
		if t.rowByRow && !in.db.d.SearchRowsBatched {
			rows = 1
		}
		for rows*width > len(values)-start {
			rows /= 2
		}
		end := start + rows*width
		st, err := in.statement(t, rows)
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(in.tx.Statement.Context, values[start:end]...); err != nil {
			return in.db.translate(err, "insert "+t.name)
		}
		start = end
	}
	return nil
}

// statement returns the prepared INSERT of rows rows into t. The cache is
// keyed by table and row count: building the text of a statement of
// thousands of parameters to look it up would cost more than binding them.
func (in *inserter) statement(t table, rows int) (*sql.Stmt, error) {
	key := shape{t.name, rows}
	if st, ok := in.stmts[key]; ok {
		return st, nil
	}
	var query strings.Builder
	query.WriteString("INSERT INTO " + t.name + " (" + strings.Join(t.columns, ", ") + ") VALUES ")
	n := 0
	for r := range rows {
		if r > 0 {
			query.WriteString(",")
		}
		query.WriteString("(")
		for c := range t.columns {
			if c > 0 {
				query.WriteString(",")
			}
			n++
			query.WriteString(in.db.d.BindVar(n))
		}
		query.WriteString(")")
	}
	p, ok := in.tx.Statement.ConnPool.(preparer)
	if !ok {
		return nil, fmt.Errorf("insert %s: the connection cannot prepare statements", t.name)
	}
	st, err := p.PrepareContext(in.tx.Statement.Context, query.String())
	if err != nil {
		return nil, fmt.Errorf("prepare insert into %s: %w", t.name, err)
	}
	in.stmts[key] = st
	return st, nil
}

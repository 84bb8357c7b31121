package sqlite

import (
	"context"
	"fmt"
	"io/fs"
	"strings"

	"gorm.io/gorm"

	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/sqlstore"
)

// dialect returns what SQLite does its own way, for sqlstore.
func (db *DB) dialect() *sqlstore.Dialect {
	migrations, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(fmt.Sprintf("migrations: %v", err)) // the embedded directory exists
	}
	return &sqlstore.Dialect{
		Name:       "sqlite",
		Migrations: migrations,
		// Migration 3's step, which wrote its index again, is migration
		// 4's: migration 4 replaces that index, so writing it twice would
		// be wasted.
		ReindexAfter: 4,
		// Write transactions begin IMMEDIATE (the _txlock of the DSN):
		// the file's write lock is taken first, so writers queue.
		OneWriter:        true,
		RunImport:        runImport,
		DroppableIndexes: droppableIndexes,
		// No merging of the FTS4 segments as they are written, one merge
		// of them all at the end.
		SearchLoadStart: []string{"INSERT INTO organization_search (organization_search) VALUES ('automerge=0')"},
		SearchLoadEnd: []string{
			"INSERT INTO organization_search (organization_search) VALUES ('optimize')",
			"INSERT INTO organization_search (organization_search) VALUES ('automerge=4')",
		},
		SearchMatch:  "organization_search MATCH ?",
		RenderSearch: renderFTS,
		WriteVocabulary: `INSERT OR IGNORE INTO search_vocabulary (term, length, reversed)
	SELECT value->>0, value->>1, value->>2 FROM json_each(?)`,
		KeysIn:  "SELECT value FROM json_each(?)",
		TextsIn: "SELECT value FROM json_each(?)",
		// The rows of the table, which SQLite counts from its b-tree pages
		// without reading a row, less the archived ones, which have an
		// index of their own.
		LiveCount: `SELECT (SELECT count(*) FROM organizations) -
			(SELECT count(*) FROM organizations WHERE archived_at IS NOT NULL)`,
		// The seat region joins the service regions (it is often among
		// them, hence DISTINCT).
		FilterRowInserts: []string{
			`INSERT INTO organization_regions (region_code, org_pk, country_code, membership_status, archived)
	SELECT DISTINCT v.value, o.pk, o.country_code, o.membership_status, o.archived_at IS NOT NULL
	FROM organizations o, json_each(json_insert(o.service_regions, '$[#]', o.region_code)) v
	WHERE v.value != '' AND %s`,
			`INSERT INTO organization_focus_areas (focus_area, org_pk, country_code, membership_status, archived)
	SELECT v.value, o.pk, o.country_code, o.membership_status, o.archived_at IS NOT NULL
	FROM organizations o, json_each(o.focus_areas) v WHERE %s`,
			`INSERT INTO organization_languages (language, org_pk, country_code, membership_status, archived)
	SELECT v.value, o.pk, o.country_code, o.membership_status, o.archived_at IS NOT NULL
	FROM organizations o, json_each(o.languages) v WHERE %s`,
		},
		JSONArrayLength: func(column string) string { return "json_array_length(" + column + ")" },
		HexKey:          "printf('%012x', o.pk)",
		IndexedBy:       func(index string) string { return " INDEXED BY " + index },
		// A unary + hides a column from SQLite's planner.
		NoIndex:     func(column string) string { return "+" + column },
		BindVar:     func(int) string { return "?" },
		Conflict:    conflict,
		Full:        isFull,
		Ping:        db.ping,
		DataVersion: db.dataVersion,
		Close:       func() error { return db.version.close() },
	}
}

// runImport runs an import's transaction on a connection of its own. The
// import numbers every new row itself, so references hold by construction;
// checking each of a million foreign keys would only cost time. The pragmas
// are per connection and cannot change inside a transaction, hence one
// dedicated connection, closed afterwards so that no other work inherits
// the settings, however the import ends.
func runImport(ctx context.Context, bulk *gorm.DB, fn func(tx *gorm.DB, load sqlstore.BulkLoad) error) error {
	return discardConn(ctx, bulk, func(conn *gorm.DB) error {
		for _, pragma := range []string{
			"PRAGMA foreign_keys = OFF",
			// The map speeds scattered reads; a writer filling new pages
			// gains nothing from it and pays to remap the growing file.
			"PRAGMA mmap_size = 0",
			// A large import touches far more pages than the usual cache holds.
			"PRAGMA cache_size = -131072",
		} {
			if err := conn.Exec(pragma).Error; err != nil {
				return fmt.Errorf("import: %s: %w", pragma, err)
			}
		}
		// No bulk load: SQLite's multi-row INSERTs are calls into the
		// process, not round trips.
		return conn.Transaction(func(tx *gorm.DB) error { return fn(tx, nil) })
	})
}

// droppableIndexes returns the indexes of tables that SQL created (not
// those of constraints).
func droppableIndexes(tx *gorm.DB, tables []string) ([]sqlstore.Index, error) {
	var indexes []sqlstore.Index
	err := tx.Raw(`SELECT name, 'DROP INDEX "' || name || '"' AS "drop", sql FROM sqlite_master
		WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ?`, tables).
		Scan(&indexes).Error
	return indexes, err
}

// ftsColumns are the search index's columns, in directory.SearchField order.
var ftsColumns = [directory.SearchFields]string{"name", "acronym", "place", "description"}

// renderFTS renders a search expression in FTS4's enhanced query syntax:
// "column:term*", AND, OR and parentheses.
func renderFTS(n sqlstore.SearchNode) string {
	if n.Op == "" {
		t := n.Term
		if n.Prefix {
			t += "*"
		}
		if n.Field < directory.SearchFields {
			t = ftsColumns[n.Field] + ":" + t
		}
		return t
	}
	parts := make([]string, len(n.Kids))
	for i, k := range n.Kids {
		parts[i] = renderFTS(k)
	}
	return "(" + strings.Join(parts, " "+n.Op+" ") + ")"
}

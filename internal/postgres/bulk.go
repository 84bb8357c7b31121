package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"github.com/coalition-directory/coalition/internal/sqlstore"
)

// importMaintenanceMemory is the maintenance_work_mem of an import's
// transaction: the indexes an import into an empty directory builds at the
// end (a GIN index of 100,000 documents among them) are built in memory
// rather than in merged runs on disk. It is a bound, not an allocation.
const importMaintenanceMemory = "256MB"

// runImport runs fn in one transaction on a connection of bulk held for
// the import, with a bulk load that writes rows with COPY on that same
// connection (pgx's CopyFrom, in the binary format): one round trip and
// no parsing per batch, where a multi-row INSERT binds and plans
// thousands of parameters.
func runImport(ctx context.Context, bulk *gorm.DB, fn func(tx *gorm.DB, load sqlstore.BulkLoad) error) error {
	return bulk.WithContext(ctx).Connection(func(c *gorm.DB) error {
		conn, ok := c.Statement.ConnPool.(*sql.Conn)
		if !ok {
			return errors.New("import: the bulk handle gave no connection of its own")
		}
		return c.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("SET LOCAL maintenance_work_mem = '" + importMaintenanceMemory + "'").Error; err != nil {
				return fmt.Errorf("import: %w", err)
			}
			return fn(tx, copyOn(conn))
		})
	})
}

// copyOn returns the bulk load of conn: COPY FROM STDIN through pgx, in
// whatever transaction conn has open.
func copyOn(conn *sql.Conn) sqlstore.BulkLoad {
	return func(ctx context.Context, table string, columns []string, values []any) error {
		return conn.Raw(func(driverConn any) error {
			sc, ok := driverConn.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("copy into %s: the connection is %T, not pgx's", table, driverConn)
			}
			width := len(columns)
			rows := pgx.CopyFromSlice(len(values)/width, func(i int) ([]any, error) {
				return values[i*width : (i+1)*width], nil
			})
			if _, err := sc.Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, rows); err != nil {
				return fmt.Errorf("copy into %s: %w", table, err)
			}
			return nil
		})
	}
}

// droppableIndexesAndForeignKeys returns the indexes of tables that no constraint owns
// (primary keys stay), then their foreign keys, with the statements that
// drop and create them. PostgreSQL checks a foreign key row by row, with a
// look-up and a lock of the referenced row each, which made up half of a
// load's time; added back at the end, it is checked by one join. (The
// documentation's "Populating a Database" advises both.) Dropping takes
// the tables' exclusive lock until the commit, so every read of them waits
// for the load (they would find nothing yet: the directory is empty), each
// holding a read connection meanwhile; the README says to load an empty
// directory before opening it to traffic.
func droppableIndexesAndForeignKeys(tx *gorm.DB, tables []string) ([]sqlstore.Index, error) {
	var indexes []sqlstore.Index
	err := tx.Raw(`SELECT name, "drop", sql FROM (
			SELECT 1 AS kind, t.relname AS tbl, ic.relname AS name,
				'DROP INDEX ' || quote_ident(ic.relname) AS "drop", pg_get_indexdef(x.indexrelid) AS sql
			FROM pg_index x
			JOIN pg_class ic ON ic.oid = x.indexrelid
			JOIN pg_class t ON t.oid = x.indrelid
			WHERE t.relname IN ? AND t.relnamespace = current_schema()::regnamespace
				AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
			UNION ALL
			SELECT 2, t.relname, c.conname,
				'ALTER TABLE ' || quote_ident(t.relname) || ' DROP CONSTRAINT ' || quote_ident(c.conname),
				'ALTER TABLE ' || quote_ident(t.relname) || ' ADD CONSTRAINT ' || quote_ident(c.conname) || ' ' || pg_get_constraintdef(c.oid)
			FROM pg_constraint c
			JOIN pg_class t ON t.oid = c.conrelid
			WHERE c.contype = 'f' AND t.relname IN ? AND t.relnamespace = current_schema()::regnamespace
		) AS droppable ORDER BY kind, tbl, name`, tables, tables).Scan(&indexes).Error
	return indexes, err
}

// Package sqlstore is the directory.Store over a SQL database through GORM,
// shared by the SQLite and PostgreSQL adapters (internal/sqlite,
// internal/postgres). It holds the row types and their conversions, the
// list, filter, search, curation, bulk and session queries, transactions
// and the audit trail; what the two databases do differently (opening
// connections, migrations, the search index's syntax, JSON functions,
// error codes, readiness, the data version) comes from the adapter as a
// Dialect. GORM row types never leave the package.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/coalition-directory/coalition/internal/directory"
)

// DB is the directory stored in one SQL database. It implements
// directory.Store; the adapter that opened it adds what only its database
// offers (backups, file settings).
type DB struct {
	// gorm writes and reads single records.
	gorm *gorm.DB
	// bulk writes without prepared statements: the multi-row INSERTs of
	// imports bind thousands of parameters, and kept prepared they would
	// hold hundreds of megabytes for one-off work. It may share gorm's
	// connections.
	bulk *gorm.DB
	// read answers lists: the statements of one answer (a list's count and
	// its page) run in one read transaction, so they read one snapshot.
	read *gorm.DB
	// export is a small pool of its own for exports: a stream lasts as long
	// as its client takes to read it, and a client that stalls must not
	// hold a connection that other requests wait for.
	export *gorm.DB
	// places names the countries and regions the search index holds.
	places directory.Places
	d      *Dialect
	// writeTurn, when the dialect has OneWriter, holds a token while one
	// of this process's write transactions runs.
	writeTurn chan struct{}
}

// Config is what New needs: the database's handles, the reference data and
// the dialect.
type Config struct {
	Write, Bulk, Read, Export *gorm.DB
	Places                    directory.Places
	Dialect                   *Dialect
}

// New returns the store over the handles of c; Close closes them.
func New(c Config) *DB {
	db := &DB{gorm: c.Write, bulk: c.Bulk, read: c.Read, export: c.Export, places: c.Places, d: c.Dialect}
	if c.Dialect.OneWriter {
		db.writeTurn = make(chan struct{}, 1)
	}
	return db
}

// Dialect is what one SQL database does its own way: the adapter that
// opens the database fills it in. SQL fragments use ? for parameters, as
// GORM does.
type Dialect struct {
	// Name names the database in errors and logs: "sqlite", "postgres".
	Name string
	// Migrations holds the numbered migrations, NNNN_name.sql, at its root.
	Migrations fs.FS
	// ReindexAfter is the migration after whose SQL the search index is
	// written again from the stored records, in its transaction; 0 for none.
	ReindexAfter int

	// ReadTx are the options of the read transactions of lists and
	// exports, which must each read one snapshot; nil for the default.
	ReadTx *sql.TxOptions
	// OneStatementReads says that a read of one statement may run outside
	// a transaction, saving the round trips of its BEGIN and COMMIT: the
	// statement reads one snapshot of its own, and the driver prepares it
	// on the connection that runs it (pgx's statement cache). Where GORM
	// prepares statements (SQLite's handles), a read must run in a
	// transaction (see DB.VocabularyNear).
	OneStatementReads bool
	// Route, when set, picks where a read of lists, searches or exports on
	// g (the read or export handle) goes, given its context: to read
	// replicas, unless directory.ReadsPrimary(ctx). Single records, keys
	// and sessions are always read on the write handle, which writes see.
	Route func(ctx context.Context, g *gorm.DB) *gorm.DB
	// OneWriter says that the database runs one write transaction at a
	// time (SQLite's write lock; on PostgreSQL the row every write moves
	// first, BeginWrite). The store then queues its own write
	// transactions in Go, each taking a connection of the write pool only
	// when its turn comes. Otherwise writers waiting for the database's
	// lock (SQLite's busy timeout, polling; PostgreSQL's lock queue) would
	// each hold a connection of the pool that single records, keys and
	// sessions are read on, and a burst of writes would stall those reads.
	OneWriter bool
	// BeginWrite, when set, runs first in every write transaction.
	BeginWrite func(tx *gorm.DB) error
	// LockChanges, when set, takes the change log's lock until the end of
	// the write transaction tx, so that appends are numbered in commit
	// order; nil where write transactions already run one at a time.
	LockChanges func(tx *gorm.DB) error
	// SkipLocked ends the query that picks deliveries to claim: " FOR
	// UPDATE OF d SKIP LOCKED" where concurrent writers need it, "".
	SkipLocked string
	// RunImport runs fn in the one transaction of an import, on bulk,
	// with the bulk load of that transaction where the database has one
	// (nil: rows go in multi-row INSERTs).
	RunImport func(ctx context.Context, bulk *gorm.DB, fn func(tx *gorm.DB, load BulkLoad) error) error
	// DroppableIndexes, when set, returns the secondary indexes of tables
	// (and, where the database checks them row by row, their foreign
	// keys), which an import into an empty directory drops and builds
	// again at the end from sorted data, in the order given.
	DroppableIndexes func(tx *gorm.DB, tables []string) ([]Index, error)
	// SearchLoadStart and SearchLoadEnd are statements run before and after
	// an import into an empty directory writes the search index.
	SearchLoadStart, SearchLoadEnd []string

	// SearchRowsBatched writes search rows in multi-row INSERTs, as other
	// rows are; SQLite's FTS4 index takes them a row at a time (see
	// table.rowByRow).
	SearchRowsBatched bool
	// SearchListColumns says that each search row holds, beside its
	// document, its organization's name sort keys (sort_original, sort_ru,
	// sort_en), country_code and membership_status, so that a page of a
	// search in name order is counted, read and sorted from the search
	// table (lister.searchPage), and a country or status is tested on the
	// search rows instead of the organizations (filter.searchWhere).
	SearchListColumns bool
	// SearchMatch is the condition on organization_search rows that match
	// one parameter, a search expression rendered by RenderSearch.
	SearchMatch string
	// RenderSearch renders a search expression in the syntax SearchMatch
	// takes.
	RenderSearch func(SearchNode) string
	// SearchReadStart is run first in the read transaction of a list
	// that searches, to steer its plans; "" for none. It runs without
	// arguments, so several statements separated by semicolons take one
	// round trip (PostgreSQL's simple query protocol).
	SearchReadStart string
	// SearchTableReadStart, when set, is run instead of SearchReadStart
	// where every statement of the list reads the search table through
	// its index, and the organizations by their keys (lister.searchStart).
	SearchTableReadStart string
	// SearchExcept, when set, returns the expression that matches the
	// rendered expression match and not except, so that the index alone
	// excludes a relevance level's matches (lister.searchByRelevance);
	// where nil, a subquery excludes them.
	SearchExcept func(match, except string) string
	// SearchAnd, when set, returns the expression that matches both
	// rendered expressions a and b. Such a dialect keeps each
	// organization's filter terms in its search document (filterTerms, in
	// the search table's filter_terms column), so that a search's regions,
	// focus areas and languages are matched by the index with its words
	// (filter.searchWhere) rather than probed in the filter tables.
	SearchAnd func(a, b string) string
	// WriteVocabulary adds search vocabulary entries, given as one
	// parameter, a JSON array of [term, length, reversed], skipping those
	// the vocabulary holds.
	WriteVocabulary string
	// LiveCount is the query of the number of live organizations, which
	// every list asks: it must not read every row.
	LiveCount string
	// Analyze, when set, are statements run in the transaction of a load
	// of many organizations (at least analyzeAfter): they refresh the
	// planner's statistics, which the load changes, and ready the load
	// for AfterLoad.
	Analyze []string
	// AfterLoad, when set, runs after a write of many new organizations
	// (at least analyzeAfter: a seed or an import) has committed, outside
	// any transaction, on g. It is maintenance the database would
	// otherwise do later by itself, and the write has already succeeded,
	// so it reports its own failures (logs them) instead of failing the
	// write.
	AfterLoad func(ctx context.Context, g *gorm.DB)
	// KeysIn is a subquery of the integers in one parameter, a JSON array.
	KeysIn string
	// TextsIn is a subquery of the strings in one parameter, a JSON array.
	TextsIn string
	// FilterRowInserts write the filter rows of the organizations o that a
	// condition (%s, with one parameter) picks; see writeFilterRows.
	FilterRowInserts []string
	// JSONArrayLength is the expression of the length of the JSON array in
	// column.
	JSONArrayLength func(column string) string
	// HexKey is the expression of o.pk in 12 lower-case hex digits.
	HexKey string
	// IndexedBy is the clause that makes a query walk index, after a
	// table's alias; "" leaves the plan to the database.
	IndexedBy func(index string) string
	// SearchWalkCost, when above the costs of list.go, is the cost in
	// microseconds of testing one entry of a sort index against a search
	// match while walking it: on PostgreSQL each is a look-up of the
	// organization's document, where SQLite probes a list of the matches.
	SearchWalkCost float64
	// NoIndex is column kept from driving a query's plan.
	NoIndex func(column string) string
	// BindVar is the placeholder of the i-th (from 1) parameter of a
	// statement prepared without GORM.
	BindVar func(i int) string

	// Conflict says whether err is a unique violation and, if it is, the
	// field whose value is taken ("slug", "id", "" for another).
	Conflict func(err error) (field string, ok bool)
	// Full says whether err is a write the storage had no room for.
	Full func(err error) bool
	// Ping checks that the database answers and can take writes.
	Ping func(ctx context.Context) error
	// DataVersion returns a number that grows with every committed write.
	DataVersion func(ctx context.Context) (uint64, error)
	// Close, when set, releases what the dialect holds beside the handles.
	Close func() error
}

// BulkLoad writes rows into table's columns in one bulk operation
// (PostgreSQL's COPY), in the transaction it was made for: the way an
// import writes new rows where the database has one, instead of multi-row
// INSERTs. values holds the rows one after another, len(columns) each. It
// returns the database's error as it is (a unique violation stays one).
type BulkLoad func(ctx context.Context, table string, columns []string, values []any) error

// Index is a secondary index, or a foreign key, that an import into an
// empty directory drops and creates again: its name and the statements
// that drop it and create it.
type Index struct{ Name, Drop, SQL string }

// Close closes the database's connection pools.
func (db *DB) Close() error {
	var errs []error
	seen := map[any]bool{}
	for _, g := range []*gorm.DB{db.export, db.read, db.bulk, db.gorm} {
		sqlDB, err := g.DB()
		if err == nil && seen[sqlDB] {
			continue
		}
		seen[sqlDB] = true
		if err == nil {
			err = sqlDB.Close()
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("close %s: %w", db.d.Name, err))
		}
	}
	if db.d.Close != nil {
		if err := db.d.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close %s: %w", db.d.Name, err))
		}
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers a query and has room to grow, for
// readiness probes: a database that can take no write is CodeStorageFull.
func (db *DB) Ping(ctx context.Context) error { return db.d.Ping(ctx) }

// DataVersion returns a number that grows with every write committed to
// the database by any connection or process, for caches of what was read
// (directory.Cache).
func (db *DB) DataVersion(ctx context.Context) (uint64, error) { return db.d.DataVersion(ctx) }

// Backend names the database: "sqlite" or "postgres".
func (db *DB) Backend() string { return db.d.Name }

// ConnectionsInUse returns how many connections of each pool ("write",
// "read", "export") are in use: what slow requests hold, for tests and
// operators.
func (db *DB) ConnectionsInUse() map[string]int {
	out := map[string]int{}
	for name, g := range map[string]*gorm.DB{"write": db.gorm, "read": db.read, "export": db.export} {
		if sqlDB, err := g.DB(); err == nil {
			out[name] = sqlDB.Stats().InUse
		}
	}
	return out
}

// OpenConnections returns how many connections the store holds open in
// all its pools, in use or idle: on PostgreSQL each is a socket.
func (db *DB) OpenConnections() int {
	n := 0
	seen := map[any]bool{}
	for _, g := range []*gorm.DB{db.gorm, db.bulk, db.read, db.export} {
		if sqlDB, err := g.DB(); err == nil && !seen[sqlDB] {
			seen[sqlDB] = true
			n += sqlDB.Stats().OpenConnections
		}
	}
	return n
}

// Migrate applies, in order and each in its own transaction, the numbered
// SQL files of the dialect's migrations that the database has not seen yet,
// with their Go steps (migrationStep). New schema changes are new files;
// applied files are never edited.
func (db *DB) Migrate(ctx context.Context) error {
	if err := db.bulk.WithContext(ctx).Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL)`).Error; err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := MigrationNames(db.d.Migrations)
	if err != nil {
		return err
	}
	for _, base := range names {
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", base)
		}
		body, err := fs.ReadFile(db.d.Migrations, base)
		if err != nil {
			return fmt.Errorf("read migration %s: %w", base, err)
		}
		if err := db.applyMigration(ctx, version, base, string(body)); err != nil {
			return fmt.Errorf("apply migration %s: %w", base, err)
		}
	}
	return nil
}

// migrationStep is what a migration does after its SQL, in its
// transaction, because SQL alone cannot; nil for most.
func (db *DB) migrationStep(version int) func(tx *gorm.DB) error {
	if version == db.d.ReindexAfter {
		return db.rebuildSearch
	}
	return nil
}

// MigrationNames returns the names of the migrations in migrations, in
// order.
func MigrationNames(migrations fs.FS) ([]string, error) {
	names, err := fs.Glob(migrations, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	for i, n := range names {
		names[i] = path.Base(n)
	}
	slices.Sort(names)
	return names, nil
}

// applyMigration runs one migration unless it ran before, and records it,
// in one transaction: a failed migration leaves no trace. It runs on the
// handle without prepared statements, which would cut a migration's
// several statements to the first.
func (db *DB) applyMigration(ctx context.Context, version int, name, body string) error {
	return db.bulk.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var applied int64
		if err := tx.Raw("SELECT count(*) FROM schema_migrations WHERE version = ?", version).Scan(&applied).Error; err != nil {
			return err
		}
		if applied > 0 {
			return nil
		}
		if err := tx.Exec(body).Error; err != nil {
			return err
		}
		if step := db.migrationStep(version); step != nil {
			if err := step(tx); err != nil {
				return err
			}
		}
		return tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
			version, name, formatTime(time.Now())).Error
	})
}

// write runs fn in one write transaction, wrapping its error with what was
// done while keeping domain errors recognisable.
func (db *DB) write(ctx context.Context, doing string, fn func(tx *gorm.DB) error) error {
	if err := db.transaction(db.gorm.WithContext(ctx), fn); err != nil {
		return fmt.Errorf("%s: %w", doing, db.full(err))
	}
	return nil
}

// transaction runs fn in a write transaction on g, begun as the dialect
// begins writes, after the transactions of this process queued before it
// where the database takes one writer at a time (Dialect.OneWriter). The
// wait ends with g's context.
func (db *DB) transaction(g *gorm.DB, fn func(tx *gorm.DB) error) error {
	if db.writeTurn != nil {
		ctx := g.Statement.Context
		if ctx == nil {
			ctx = context.Background()
		}
		select {
		case db.writeTurn <- struct{}{}:
			defer func() { <-db.writeTurn }()
		case <-ctx.Done():
			return fmt.Errorf("wait to write: %w", ctx.Err())
		}
	}
	return g.Transaction(func(tx *gorm.DB) error {
		if db.d.BeginWrite != nil {
			if err := db.d.BeginWrite(tx); err != nil {
				return fmt.Errorf("begin write: %w", err)
			}
		}
		return fn(tx)
	})
}

// reading returns g, the read or export handle, for a read of ctx, routed
// as the dialect routes reads (Dialect.Route).
func (db *DB) reading(ctx context.Context, g *gorm.DB) *gorm.DB {
	g = g.WithContext(ctx)
	if db.d.Route != nil {
		return db.d.Route(ctx, g)
	}
	return g
}

// analyzeAfter is how many new organizations make a write refresh the
// planner's statistics (Dialect.Analyze): a load of a directory, rather
// than the writes of people.
const analyzeAfter = 1000

// analyze refreshes the planner's statistics in tx, as the dialect does,
// after a write of n new organizations.
func (db *DB) analyze(tx *gorm.DB, n int) error {
	if n < analyzeAfter {
		return nil
	}
	for _, stmt := range db.d.Analyze {
		if err := tx.Exec(stmt).Error; err != nil {
			return fmt.Errorf("refresh statistics: %w", err)
		}
	}
	return nil
}

// afterLoad runs the dialect's maintenance after a write of n new
// organizations has committed (Dialect.AfterLoad).
func (db *DB) afterLoad(ctx context.Context, n int) {
	if n >= analyzeAfter && db.d.AfterLoad != nil {
		db.d.AfterLoad(ctx, db.bulk.WithContext(ctx))
	}
}

// readTransaction runs fn in a read transaction on g that reads one
// snapshot.
func (db *DB) readTransaction(g *gorm.DB, fn func(tx *gorm.DB) error) error {
	if db.d.ReadTx == nil {
		return g.Transaction(fn)
	}
	return g.Transaction(fn, db.d.ReadTx)
}

// readStatement runs fn, a read of one statement, on g: alone where the
// dialect allows (Dialect.OneStatementReads), else in a read transaction.
func (db *DB) readStatement(g *gorm.DB, fn func(g *gorm.DB) error) error {
	if db.d.OneStatementReads {
		return fn(g)
	}
	return db.readTransaction(g, fn)
}

// timeLayout is fixed-width so that text order in SQL is time order.
const timeLayout = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func formatTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := formatTime(*t)
	return &s
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse stored time %q: %w", s, err)
	}
	return t, nil
}

func parseTimePtr(s *string) (*time.Time, error) {
	if s == nil {
		return nil, nil
	}
	t, err := parseTime(*s)
	return &t, err
}

// ErrStorageFull is what a write gets when the database cannot grow.
var ErrStorageFull = &directory.Error{Code: directory.CodeStorageFull,
	Message: "the database's storage is full: writes are refused until an operator frees space"}

// full returns ErrStorageFull for an error of a write the database or its
// disk had no room for, and err itself otherwise.
func (db *DB) full(err error) error {
	if err != nil && db.d.Full(err) {
		return ErrStorageFull
	}
	return err
}

// translate maps driver errors to directory error codes where the caller can
// act on them, and wraps the rest with what was being done.
func (db *DB) translate(err error, doing string) error {
	if err == nil {
		return nil
	}
	if db.d.Full(err) {
		return ErrStorageFull
	}
	if field, ok := db.d.Conflict(err); ok {
		return conflict(field)
	}
	return fmt.Errorf("%s: %w", doing, err)
}

// conflict names the field whose unique value is taken.
func conflict(field string) error {
	switch field {
	case "slug":
		return &directory.Error{Code: directory.CodeConflict, Message: "a live organization has this slug",
			Fields: []directory.FieldError{{Field: "slug", Message: "is taken"}}}
	case "id":
		return &directory.Error{Code: directory.CodeConflict, Message: "a record with this id exists",
			Fields: []directory.FieldError{{Field: "id", Message: "is taken"}}}
	}
	return directory.Errorf(directory.CodeConflict, "a record with the same unique value exists")
}

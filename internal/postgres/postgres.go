// Package postgres stores the directory in a PostgreSQL database through
// GORM and pgx: it opens the connection pools, checks that the database is
// UTF-8, and gives internal/sqlstore, which holds the queries, what
// PostgreSQL does its own way (tsvector search, JSON functions, error
// codes, the shared data version). Backups are pg_dump's.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	gormpostgres "gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	"gorm.io/plugin/dbresolver"

	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/geo"
	"github.com/coalition-directory/coalition/internal/sqlstore"
)

// DB is the directory stored in one PostgreSQL database: a sqlstore.DB.
type DB struct {
	*sqlstore.DB
	// write is the primary's pool: writes, and reads that must see them.
	write *sql.DB
	// replicas are the pools of the read replicas, by name (host, port and
	// database), for lists, searches and exports; none without replicas.
	replicas map[*sql.DB]string
	log      *slog.Logger
}

// Options are settings of a PostgreSQL database beyond its URL.
type Options struct {
	// ReadURLs are streaming replicas of the database (hot standbys), as
	// URLs: lists, searches, exports and the change feed read from one of
	// them at random, unless the request's context asks for the primary
	// (directory.WithPrimary). Single records, keys and sessions, and every
	// read of a write, are read on the primary.
	ReadURLs []string
	// Log receives, at debug level, the replica each routed read went to;
	// nil for none.
	Log *slog.Logger
}

// Pool sizes. A PostgreSQL connection is a server process: each API
// process keeps few, and several processes share the server's
// max_connections (100 by default).
const (
	writeConns  = 8
	readConns   = 8
	exportConns = 4
)

// IsURL reports whether s names a PostgreSQL database (postgres:// or
// postgresql://), as --database-url takes it.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Open connects to the PostgreSQL database at url with the default Options;
// see OpenWith.
func Open(ctx context.Context, url string) (*DB, error) {
	return OpenWith(ctx, url, Options{})
}

// OpenWith connects to the PostgreSQL database at url (postgres://user@host:port/db?sslmode=...,
// as libpq takes it) and to its read replicas, and checks that it can hold
// the directory: its encoding and character type must be UTF-8, or the
// server refuses it with an error that says why. Call Migrate before use.
func OpenWith(ctx context.Context, url string, opts Options) (*DB, error) {
	cfg, err := parseConfig(url)
	if err != nil {
		return nil, err
	}
	writeDB := stdlib.OpenDB(*cfg)
	writeDB.SetMaxOpenConns(writeConns)
	writeDB.SetMaxIdleConns(writeConns)
	writeDB.SetConnMaxIdleTime(5 * time.Minute)
	// Migrations run several statements at once, which only the simple
	// protocol takes; the bulk inserts of imports prepare their statements
	// themselves.
	bulkCfg := cfg.Copy()
	bulkCfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	bulkDB := stdlib.OpenDB(*bulkCfg)
	bulkDB.SetMaxOpenConns(2)
	bulkDB.SetMaxIdleConns(1)
	// Lists and searches read on a pool of their own, so that they cannot
	// take every connection that writes need.
	readDB := stdlib.OpenDB(*cfg)
	readDB.SetMaxOpenConns(readConns)
	readDB.SetMaxIdleConns(readConns)
	readDB.SetConnMaxIdleTime(5 * time.Minute)
	exportDB := stdlib.OpenDB(*cfg)
	exportDB.SetMaxOpenConns(exportConns)
	exportDB.SetMaxIdleConns(1)
	closeAll := func() {
		writeDB.Close()
		bulkDB.Close()
		readDB.Close()
		exportDB.Close()
	}
	if err := checkDatabase(ctx, writeDB); err != nil {
		closeAll()
		return nil, err
	}
	handle := func(db *sql.DB) (*gorm.DB, error) {
		return gorm.Open(gormpostgres.New(gormpostgres.Config{Conn: db}), &gorm.Config{
			Logger:                 logger.Discard,
			SkipDefaultTransaction: true, // every write already runs in a transaction of ours
		})
	}
	var handles [4]*gorm.DB
	for i, db := range []*sql.DB{writeDB, bulkDB, readDB, exportDB} {
		if handles[i], err = handle(db); err != nil {
			closeAll()
			return nil, fmt.Errorf("open postgres: %w", err)
		}
	}
	places, err := geo.Load()
	if err != nil {
		closeAll()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db := &DB{write: writeDB, replicas: map[*sql.DB]string{}, log: opts.Log}
	if db.log == nil {
		db.log = slog.New(slog.DiscardHandler)
	}
	if len(opts.ReadURLs) > 0 {
		primary, err := readIdentity(ctx, writeDB)
		if err != nil {
			closeAll()
			return nil, err
		}
		if err := db.useReplicas(ctx, opts.ReadURLs, primary, handles[2], handles[3]); err != nil {
			closeAll()
			db.closeReplicas()
			return nil, err
		}
	}
	db.DB = sqlstore.New(sqlstore.Config{Write: handles[0], Bulk: handles[1], Read: handles[2], Export: handles[3],
		Places: places, Dialect: db.dialect()})
	return db, nil
}

// useReplicas opens a pool on each replica for each of the handles that
// serve routed reads (read and export) and registers them with dbresolver.
// Each replica must be one of primary (see checkReplica).
func (db *DB) useReplicas(ctx context.Context, urls []string, primary identity, handles ...*gorm.DB) error {
	for i, h := range handles {
		source, err := h.DB()
		if err != nil {
			return fmt.Errorf("open postgres replicas: %w", err)
		}
		var replicas []gorm.Dialector
		for _, u := range urls {
			cfg, err := parseConfig(u)
			if err != nil {
				return err
			}
			pool := stdlib.OpenDB(*cfg)
			pool.SetMaxOpenConns(source.Stats().MaxOpenConnections)
			pool.SetMaxIdleConns(2)
			pool.SetConnMaxIdleTime(5 * time.Minute)
			db.replicas[pool] = fmt.Sprintf("%s:%d/%s", cfg.Host, cfg.Port, cfg.Database)
			if err := checkDatabase(ctx, pool); err != nil {
				return fmt.Errorf("replica %s: %w", db.replicas[pool], err)
			}
			if i == 0 {
				if err := checkReplica(ctx, pool, primary); err != nil {
					return fmt.Errorf("open postgres: read URL %s: %w", db.replicas[pool], err)
				}
			}
			replicas = append(replicas, gormpostgres.New(gormpostgres.Config{Conn: pool}))
		}
		err = h.Use(dbresolver.Register(dbresolver.Config{Replicas: replicas, Policy: dbresolver.PolicyFunc(db.pickReplica)}))
		if err != nil {
			return fmt.Errorf("open postgres replicas: %w", err)
		}
	}
	return nil
}

// pickReplica picks one of the replicas' pools at random, and logs which.
func (db *DB) pickReplica(pools []gorm.ConnPool) gorm.ConnPool {
	p := pools[rand.IntN(len(pools))]
	if sqlDB, ok := p.(*sql.DB); ok {
		db.log.Debug("read from a replica", "replica", db.replicas[sqlDB])
	}
	return p
}

// route sends a routed read to a replica, or to the primary when ctx asks
// for it (directory.WithPrimary); without replicas, it leaves g as it is.
func (db *DB) route(ctx context.Context, g *gorm.DB) *gorm.DB {
	switch {
	case len(db.replicas) == 0:
		return g
	case directory.ReadsPrimary(ctx):
		return g.Clauses(dbresolver.Write)
	}
	return g.Clauses(dbresolver.Read)
}

// closeReplicas closes the replicas' pools.
func (db *DB) closeReplicas() error {
	var errs []error
	for pool := range db.replicas {
		errs = append(errs, pool.Close())
	}
	return errors.Join(errs...)
}

// parseConfig reads a connection URL. Every connection plans each
// statement for its parameters (plan_cache_mode=force_custom_plan): pgx
// prepares the statements it runs, and after five runs PostgreSQL would
// plan one for any parameters, which cannot see a search's tsquery or the
// length of a list of keys and reads whole tables for them. And none
// compiles its plans (jit=off): the store's statements read a page's
// worth of rows, and a plan whose estimate passes jit_above_cost spends
// tens of milliseconds compiling for a few of running.
func parseConfig(url string) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", redact(err))
	}
	cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	cfg.RuntimeParams["jit"] = "off"
	return cfg, nil
}

// checkDatabase says why the database cannot hold the directory, if it
// cannot: it does not answer, or its encoding or character type is not
// UTF-8, under which PostgreSQL would store Cyrillic text wrongly or not at
// all, and compare and case-fold it unlike SQLite.
func checkDatabase(ctx context.Context, db *sql.DB) error {
	var name, encoding, ctype string
	err := db.QueryRowContext(ctx, `SELECT current_database(), pg_encoding_to_char(encoding), datctype
		FROM pg_database WHERE datname = current_database()`).Scan(&name, &encoding, &ctype)
	if err != nil {
		return fmt.Errorf("open postgres: %w", redact(err))
	}
	if encoding != "UTF8" || !utf8Locale.MatchString(ctype) {
		return fmt.Errorf("open postgres: database %s has encoding %s and LC_CTYPE %q; the directory needs UTF-8 for both "+
			"(create it with: createdb --encoding=UTF8 --locale=C.UTF-8 --template=template0 %s)", name, encoding, ctype, name)
	}
	return nil
}

// identity is what tells a database apart from another, for checkReplica.
type identity struct {
	// system is the database system identifier (pg_control_system()),
	// which a physical replica shares with its primary.
	system int64
	// database is the database's name.
	database string
	// recovery says whether the server is a standby (pg_is_in_recovery()).
	recovery bool
	// schema is the highest migration applied (schema_migrations), 0
	// before any.
	schema int64
}

// readIdentity reads the identity of the database db opens.
func readIdentity(ctx context.Context, db *sql.DB) (identity, error) {
	var id identity
	err := db.QueryRowContext(ctx, `SELECT (SELECT system_identifier FROM pg_control_system()),
		current_database(), pg_is_in_recovery()`).Scan(&id.system, &id.database, &id.recovery)
	if err != nil {
		return id, fmt.Errorf("read the database system identifier: %w", redact(err))
	}
	var migrated bool
	if err := db.QueryRowContext(ctx, "SELECT to_regclass('schema_migrations') IS NOT NULL").Scan(&migrated); err != nil {
		return id, fmt.Errorf("read the schema version: %w", redact(err))
	}
	if migrated {
		if err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&id.schema); err != nil {
			return id, fmt.Errorf("read the schema version: %w", redact(err))
		}
	}
	return id, nil
}

// checkReplica says why the database pool opens is not a streaming replica
// of the database whose identity is primary, if it is not: its database
// system identifier differs (it is another cluster, not a physical copy of
// the primary's), or it names another database, or it is not in recovery
// (a standby) and its schema version differs from the primary's (it is
// another database, or one the primary's migrations never reached). A
// read URL naming the primary itself is one.
func checkReplica(ctx context.Context, pool *sql.DB, primary identity) error {
	id, err := readIdentity(ctx, pool)
	switch {
	case err != nil:
		return err
	case id.system != primary.system:
		return fmt.Errorf("not a streaming replica of the primary: its database system identifier is %d, the primary's %d "+
			"(a replica is made from the primary with pg_basebackup)", id.system, primary.system)
	case !id.recovery && id.schema != primary.schema:
		return fmt.Errorf("not a streaming replica of the primary: it is not in recovery and its schema version is %d, the primary's %d",
			id.schema, primary.schema)
	case id.database != primary.database:
		return fmt.Errorf("not a streaming replica of the primary's database: it names database %s, the primary's is %s",
			id.database, primary.database)
	}
	return nil
}

// utf8Locale matches the names of UTF-8 locales: C.UTF-8, en_US.utf8, ...
var utf8Locale = regexp.MustCompile(`(?i)\.utf-?8(@|$)`)

// redact drops what a connection error may quote of the URL's password.
func redact(err error) error {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		return errors.New("the database URL cannot be parsed")
	}
	return err
}

// migrationFiles are PostgreSQL's numbered migrations (sqlstore.DB.Migrate).
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrBackup is what backup says on PostgreSQL, where pg_dump takes a
// consistent copy of a live database (pg_dump --format=custom), and
// pg_restore loads it.
var ErrBackup = errors.New("backups of a PostgreSQL database are pg_dump's: pg_dump --format=custom --file=coalition.dump DATABASE_URL, restored with pg_restore --dbname=DATABASE_URL coalition.dump")

// ping checks that the primary and every replica answer: a replica that
// does not would fail the routed reads sent to it.
func (db *DB) ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("ping postgres: %w", err)
	}
	for pool, name := range db.replicas {
		if err := pool.PingContext(ctx); err != nil {
			return fmt.Errorf("ping postgres replica %s: %w", name, err)
		}
	}
	return nil
}

// dataVersion reads the version every write transaction moves on
// (Dialect.BeginWrite), on the primary. It is shared by every API process
// on the database, so that the cache of one (directory.Cache) is emptied by
// the writes of any other, at their commit, as SQLite's data_version does
// for processes sharing a file. The cache stays on: a cached read costs
// this one-row read, a fraction of the list or count it saves, whereas a
// version kept in one process would let it answer from memory after
// another process's write.
func (db *DB) dataVersion(ctx context.Context) (uint64, error) {
	var v uint64
	if err := db.write.QueryRowContext(ctx, "SELECT version FROM data_version WHERE id = 1").Scan(&v); err != nil {
		return 0, fmt.Errorf("read data version: %w", err)
	}
	return v, nil
}

// changeLogLock is the key of the advisory lock the change log is
// appended under (an arbitrary number that no other lock of the database
// uses).
const changeLogLock = 0x636f616c6974 // "coalit"

// vacuumLoaded VACUUMs the tables a load filled, marking their pages
// all-visible for index-only scans (Dialect.AfterLoad). A failure, such as
// the loader's request ending first, is logged: the load has committed, and
// autovacuum does the same later.
//
// VACUUM marks a page only once it may set the committed hint bit of each
// of its rows, and PostgreSQL lets it set one only when the WAL is flushed
// past the latest commit of any of the 32 transactions whose status shares
// a group with the row's transaction in the commit log (clog.c,
// CLOG_XACTS_PER_LSN_GROUP). The load's own commit is flushed
// (Dialect.Analyze), but a neighbouring transaction of any session of the
// server, in any database, that commits asynchronously just after it leaves
// that group unflushed until the WAL writer's next round (wal_writer_delay,
// 200 ms by default): a VACUUM in that window marked no page at all
// (TestVacuumLoadedAfterNeighbourCommit). So when a pass leaves pages
// unmarked, vacuumLoaded waits for the WAL written so far to be flushed and
// VACUUMs again, up to vacuumPasses times.
//
// What it cannot overcome is a snapshot of the same database that may not
// see the load's rows: a transaction open since before the load's commit,
// or one begun while an older transaction of the server still ran. VACUUM
// cannot mark the pages of those rows until it ends; they stay unmarked
// until autovacuum next vacuums the table, and index-only scans read their
// rows until then.
func (db *DB) vacuumLoaded(ctx context.Context, g *gorm.DB) {
	for pass := 1; ; pass++ {
		if err := g.Exec("VACUUM " + loadedTables).Error; err != nil {
			db.log.WarnContext(ctx, "vacuum after a load failed; autovacuum will do it", "err", err)
			return
		}
		var unmarked int64
		if err := g.Raw(unmarkedPages, loadedTables).Scan(&unmarked).Error; err != nil {
			db.log.WarnContext(ctx, "vacuum after a load: count the pages it marked", "err", err)
			return
		}
		if unmarked == 0 {
			return
		}
		if pass == vacuumPasses {
			db.log.InfoContext(ctx, "pages left not all-visible after a load; autovacuum will mark them",
				"pages", unmarked, "passes", pass)
			return
		}
		if err := waitWALFlushed(ctx, g); err != nil {
			db.log.WarnContext(ctx, "vacuum after a load: wait for the WAL to be flushed", "err", err)
			return
		}
	}
}

// loadedTables are the tables whose pages vacuumLoaded marks all-visible:
// those a load fills that index-only scans read.
const loadedTables = "organizations, organization_regions, organization_focus_areas, organization_languages"

// unmarkedPages counts the pages of the tables it is given (loadedTables)
// that the visibility map does not mark all-visible, as the last VACUUM of
// each table left them.
const unmarkedPages = `SELECT coalesce(sum(relpages - relallvisible), 0) FROM pg_class
	WHERE oid = ANY (string_to_array(?, ', ')::regclass[])`

// vacuumPasses is how many VACUUMs of loadedTables vacuumLoaded runs at
// most: a pass that leaves pages unmarked for want of a WAL flush (see
// vacuumLoaded) is followed by one after the flush; the passes after it
// cover a neighbour's commit during that pass.
const vacuumPasses = 3

// walFlushPoll is how often waitWALFlushed asks how far the WAL is flushed.
const walFlushPoll = 20 * time.Millisecond

// walFlushWait bounds waitWALFlushed: above the longest wal_writer_delay
// PostgreSQL takes (10 s), within which its WAL writer flushes.
const walFlushWait = 15 * time.Second

// waitWALFlushed waits until the server has flushed the WAL written before
// the call, for at most walFlushWait, or until ctx ends: the error returned
// then wraps ctx's (context.DeadlineExceeded after walFlushWait).
func waitWALFlushed(ctx context.Context, g *gorm.DB) error {
	ctx, cancel := context.WithTimeout(ctx, walFlushWait)
	defer cancel()
	g = g.WithContext(ctx)
	var written string
	if err := g.Raw("SELECT pg_current_wal_insert_lsn()::text").Scan(&written).Error; err != nil {
		return fmt.Errorf("read the WAL insert location: %w", err)
	}
	tick := time.NewTicker(walFlushPoll)
	defer tick.Stop()
	for {
		var flushed bool
		if err := g.Raw("SELECT pg_current_wal_flush_lsn() >= ?::pg_lsn", written).Scan(&flushed).Error; err != nil {
			return fmt.Errorf("read the WAL flush location: %w", err)
		}
		if flushed {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for the WAL flush to %s: %w", written, ctx.Err())
		case <-tick.C:
		}
	}
}

// dialect returns what PostgreSQL does its own way, for sqlstore.
func (db *DB) dialect() *sqlstore.Dialect {
	migrations, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(fmt.Sprintf("migrations: %v", err)) // the embedded directory exists
	}
	return &sqlstore.Dialect{
		Name:       "postgres",
		Migrations: migrations,
		// Each answer reads one snapshot, as SQLite's read transactions do.
		ReadTx:            &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
		OneStatementReads: true,
		// Taking the data version's row lock first makes writers queue,
		// as SQLite's IMMEDIATE transactions do: the store numbers new
		// rows and checks versions under that lock.
		//
		// So write transactions run one at a time, and those of one
		// process queue in Go: waiting for the row lock inside
		// PostgreSQL, each would hold a connection of the write pool,
		// which single records, keys, sessions and the data version are
		// read on, and a burst of writes would stall those reads until
		// the writer ahead committed (TestQueuedWritesLeaveReadsAConnection).
		OneWriter: true,
		BeginWrite: func(tx *gorm.DB) error {
			return tx.Exec("UPDATE data_version SET version = version + 1 WHERE id = 1").Error
		},
		// A sequence hands numbers out at insert, so a reader could see a
		// later number commit before an earlier one and skip it for good:
		// the change log is numbered instead under a transaction-scoped
		// advisory lock, held to the commit, so numbers commit in order.
		// Writers queue on data_version's row already; the log's order
		// does not rest on every writer doing so.
		LockChanges: func(tx *gorm.DB) error {
			return tx.Exec("SELECT pg_advisory_xact_lock(?)", changeLogLock).Error
		},
		// The webhook workers' claims skip the rows another process holds.
		SkipLocked:       " FOR UPDATE OF d SKIP LOCKED",
		RunImport:        runImport,
		DroppableIndexes: droppableIndexesAndForeignKeys,
		// One statement per row would cost a round trip each.
		SearchRowsBatched: true,
		// Migrations 0012 and 0015: a GIN index finds matches, but
		// reading each one's organization to sort them cost a common
		// word tens of milliseconds, and a search with a country looked
		// up each match's organization for it, twice.
		SearchListColumns: true,
		SearchMatch:       "document @@ ?::tsquery",
		RenderSearch:      renderQuery,
		// The planner prices a search condition tested row by row without
		// the cost of reading each row's document, which is out of line
		// (migration 0016): below a few thousand organizations it chose to
		// read the whole search table and every document, not the GIN
		// index. At 1,000 organizations a search's first statement took
		// 14 ms that way, 0.3 ms through the index (EXPLAIN ANALYZE, q=центр).
		// A scan of the table remains the plan where no index serves.
		SearchReadStart: "SET LOCAL enable_seqscan = off",
		// Each connection plans every statement for its parameters
		// (parseConfig), which cost a search some 0.5 ms of the server's
		// time per request: its statements' planning was a third of a
		// search at 1,000 organizations. Where every statement reads the
		// search table through the GIN index (the only plan left without
		// sequential scans) and the organizations by key, a plan made once
		// for any parameters serves them all alike, and each connection
		// keeps it.
		SearchTableReadStart: "SET LOCAL enable_seqscan = off; SET LOCAL plan_cache_mode = force_generic_plan",
		// The GIN index answers a negated term from its posting lists
		// alone, as it does a term, with no row read to check it.
		SearchExcept: func(match, except string) string { return "(" + match + ") & !(" + except + ")" },
		// Migration 0017 adds the filter terms to the search documents.
		SearchAnd: func(a, b string) string { return "(" + a + ") & (" + b + ")" },
		WriteVocabulary: `INSERT INTO search_vocabulary (term, length, reversed)
	SELECT v->>0, (v->>1)::integer, v->>2 FROM json_array_elements(?::json) AS v
	ON CONFLICT (term) DO NOTHING`,
		// Index-only scans (the counts of filter tables, the walks of sort
		// indexes) read the row of every entry on a page the visibility map
		// does not mark all-visible, and a load leaves every page unmarked
		// until autovacuum comes by, a minute or more later: a filtered count
		// at 100,000 organizations took 5 ms instead of 1.5 ms until then.
		// VACUUM marks them at once. It cannot run in a transaction.
		AfterLoad: db.vacuumLoaded,
		KeysIn:    "SELECT value::bigint FROM json_array_elements_text(?::json)",
		TextsIn:   "SELECT value FROM json_array_elements_text(?::json)",
		// Kept by the organizations table's triggers (migration 0010):
		// PostgreSQL counts rows by reading them.
		LiveCount: "SELECT live FROM organization_counts WHERE id = 1",
		// A load of many rows leaves the planner with the statistics of
		// an empty table, and the search index with its new entries in a
		// pending list that every search reads through, until autovacuum
		// comes by. And its commit waits for its WAL to be flushed even
		// where the server commits asynchronously (synchronous_commit=off):
		// VACUUM (AfterLoad) marks a row visible to all only once it may
		// set the row's committed hint bit, which waits for that flush, so
		// right after an asynchronous commit it marked no page at all.
		//
		// The statistics refreshed are those of the columns that queries
		// filter, join or sort on: the texts of organizations, contacts
		// and search rows are only read, and their statistics (a sort of
		// 30,000 sampled values each) were 40% of the ANALYZE, some 0.9 s
		// of server CPU of 2.2 at 100,000 organizations. Autovacuum
		// refreshes every column later, as it would anyway.
		Analyze: []string{
			"ANALYZE organizations (pk, id, slug, archived_at, country_code, region_code, membership_status, " +
				"sort_original, sort_ru, sort_en, updated_at, public_updated_at), " +
				"contacts (pk, id, org_pk, visibility, is_primary), " +
				"organization_regions, organization_focus_areas, organization_languages, " +
				"organization_search (docid, document, sort_original, sort_ru, sort_en, country_code, membership_status), " +
				"search_vocabulary, audit_entries",
			"SELECT gin_clean_pending_list('organization_search_document'::regclass)",
			"SET LOCAL synchronous_commit = on",
		},
		FilterRowInserts: []string{
			`INSERT INTO organization_regions (region_code, org_pk, country_code, membership_status, archived)
	SELECT DISTINCT v.value, o.pk, o.country_code, o.membership_status, (o.archived_at IS NOT NULL)::integer
	FROM organizations o, jsonb_array_elements_text(o.service_regions::jsonb || to_jsonb(o.region_code)) v
	WHERE v.value <> '' AND %s`,
			`INSERT INTO organization_focus_areas (focus_area, org_pk, country_code, membership_status, archived)
	SELECT v.value, o.pk, o.country_code, o.membership_status, (o.archived_at IS NOT NULL)::integer
	FROM organizations o, json_array_elements_text(o.focus_areas::json) v WHERE %s`,
			`INSERT INTO organization_languages (language, org_pk, country_code, membership_status, archived)
	SELECT v.value, o.pk, o.country_code, o.membership_status, (o.archived_at IS NOT NULL)::integer
	FROM organizations o, json_array_elements_text(o.languages::json) v WHERE %s`,
		},
		JSONArrayLength: func(column string) string { return "json_array_length(" + column + "::json)" },
		HexKey:          "lpad(to_hex(o.pk), 12, '0')",
		IndexedBy:       func(string) string { return "" },
		// An expression over a text column keeps its indexes from driving
		// the plan: a page of many matches is then found by collecting
		// and sorting them, as list.go decides, not by walking a sort
		// index that reads each organization's document in turn.
		NoIndex:        func(column string) string { return "(" + column + " || '')" },
		SearchWalkCost: 30,
		BindVar:        func(i int) string { return fmt.Sprintf("$%d", i) },
		Conflict:       conflict,
		Full:           isFull,
		Ping:           db.ping,
		DataVersion:    db.dataVersion,
		Route:          db.route,
		Close:          db.closeReplicas,
	}
}

// conflict says whether err is a unique violation (SQLSTATE 23505) and
// names the field whose value is taken, by the index that refused it.
func conflict(err error) (string, bool) {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23505" {
		return "", false
	}
	switch {
	case pe.ConstraintName == "organizations_live_slug":
		return "slug", true
	case strings.HasSuffix(pe.ConstraintName, "_id") || pe.ConstraintName == "api_keys_pkey":
		return "id", true
	}
	return "", true
}

// isFull says whether err is a write the server's disk had no room for
// (SQLSTATE 53100, disk_full).
func isFull(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "53100"
}

// fieldTags tag the terms of the fields that relevance tells apart, in
// directory.SearchField order; the description's terms are untagged (see
// migration 0011).
var fieldTags = [directory.SearchFields]string{"A~", "B~", "C~", ""}

// renderQuery renders a search expression as a tsquery: each term quoted
// as it is (no parser, no folding), tagged with its field when it must be
// in one, ":*" for a prefix, & and | for AND and OR.
func renderQuery(n sqlstore.SearchNode) string {
	if n.Op == "" {
		term := n.Term
		if n.Field < directory.SearchFields {
			term = fieldTags[n.Field] + term
		}
		q := "'" + strings.NewReplacer(`'`, `''`, `\`, `\\`).Replace(term) + "'"
		if n.Prefix {
			q += ":*"
		}
		return q
	}
	op := " & "
	if n.Op == "OR" {
		op = " | "
	}
	parts := make([]string, len(n.Kids))
	for i, k := range n.Kids {
		parts[i] = renderQuery(k)
	}
	return "(" + strings.Join(parts, op) + ")"
}

// Package sqlite stores the directory in an SQLite file: it opens the file
// with its settings (WAL, pragmas, pools), and gives internal/sqlstore, which
// holds the queries, what SQLite does its own way (FTS4 search, JSON
// functions, error codes, data_version); backups are VACUUM INTO.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-sqlite3"
	gormsqlite "gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/coalition-directory/coalition/internal/geo"
	"github.com/coalition-directory/coalition/internal/sqlstore"
)

// DB is the directory stored in one SQLite file: a sqlstore.DB, with what
// only SQLite offers.
type DB struct {
	*sqlstore.DB
	// gorm is the write handle, for backups and checks.
	gorm *gorm.DB
	// read and export are the read-only handles, for checks of their
	// settings.
	read, export *gorm.DB
	file         string
	// version tells caches whether anything was written (DataVersion).
	version *dataVersion
}

// exportConns bounds the exports that read at once; more wait for one of
// them to end (each is cut off when its client stops reading, see api).
const exportConns = 4

// mmapSize is how much of the file each connection maps into memory (the
// address space is reserved, not the memory). Reading a mapped page costs no
// system call or copy, which halves the cost of reading scattered rows.
const mmapSize = 1 << 30

// pageSize is the page size of a new database file. An organization's row
// is over a kilobyte, so a 4 KiB page holds two of them; with 16 KiB pages a
// 100,000-row import makes a quarter of the system calls and its file is
// smaller. A file keeps the page size it was created with.
const pageSize = 16384

// connector opens connections with the settings that the DSN cannot carry;
// handing it to sql.OpenDB needs no process-wide driver registration.
type connector struct {
	dsn    string
	driver *sqlite3.SQLiteDriver
}

// newConnector returns the connector of connections to dsn that map mmap
// bytes of the file and, when maxBytes is above zero, may not grow the file
// beyond it.
func newConnector(dsn string, mmap int, maxBytes int64) connector {
	return connector{dsn: dsn, driver: &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			// The page size only takes on a file not yet written, and only
			// before it is in WAL mode: hence here, ahead of journal_mode.
			for _, pragma := range []string{
				"PRAGMA page_size = " + strconv.Itoa(pageSize),
				"PRAGMA journal_mode = WAL",
				"PRAGMA mmap_size = " + strconv.Itoa(mmap),
			} {
				if _, err := c.Exec(pragma, nil); err != nil {
					return fmt.Errorf("%s: %w", pragma, err)
				}
			}
			if maxBytes > 0 {
				return limitPages(c, maxBytes)
			}
			return nil
		},
	}}
}

// limitPages sets the connection's max_page_count so that the file stays
// within maxBytes (but no smaller than it is).
func limitPages(c *sqlite3.SQLiteConn, maxBytes int64) error {
	rows, err := c.Query("PRAGMA page_size", nil)
	if err != nil {
		return fmt.Errorf("read page size: %w", err)
	}
	v := []driver.Value{nil}
	err = rows.Next(v)
	rows.Close()
	size, ok := v[0].(int64)
	if err != nil || !ok || size <= 0 {
		return fmt.Errorf("read page size: %v", err)
	}
	if _, err := c.Exec("PRAGMA max_page_count = "+strconv.FormatInt(max(1, maxBytes/size), 10), nil); err != nil {
		return fmt.Errorf("limit the file's size: %w", err)
	}
	return nil
}

func (c connector) Connect(context.Context) (driver.Conn, error) {
	dc, err := c.driver.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	sc, ok := dc.(*sqlite3.SQLiteConn)
	if !ok {
		dc.Close()
		return nil, fmt.Errorf("sqlite driver opened a %T", dc)
	}
	return &conn{SQLiteConn: sc}, nil
}

func (c connector) Driver() driver.Driver { return c.driver }

// conn is a driver connection that database/sql closes, rather than pools,
// when it is inside a transaction as it is handed back (closing rolls the
// transaction back). Whatever path left it so (a raw BEGIN whose ROLLBACK
// ran with a cancelled context, a statement interrupted halfway), the next
// request then cannot inherit another's transaction and fail with "cannot
// start a transaction within a transaction". It is also closed when marked
// for discarding (discardConn).
type conn struct {
	*sqlite3.SQLiteConn
	// discard says that the connection must not be pooled again. It is
	// set and read with database/sql's lock of the connection held (Raw,
	// and the pool's validation), so it needs no lock of its own.
	discard bool
}

// IsValid implements driver.Validator, which database/sql asks whenever a
// connection returns to the pool.
func (c *conn) IsValid() bool { return !c.discard && c.AutoCommit() }

// discardConn runs fn on one connection of g and then closes the
// connection instead of handing it back to the pool: for work that changes
// the connection's settings (PRAGMAs), which putting back would take
// statements of their own, each of which can fail or be cancelled. A new
// connection costs about a millisecond.
//
// The connection is marked before fn runs, and the pool closes it when it
// comes back, whoever hands it back. Nothing may touch the sql.Conn after
// fn: when fn's transaction had its context cancelled, database/sql's
// goroutine that rolls it back may close the sql.Conn at any moment, and
// a Conn.Raw racing that close dereferences the nil driver connection
// (database/sql checks that the Conn is open, then reads its connection
// without the check: a panic seen under load in
// TestInterruptedWorkLeavesConnectionsClean).
func discardConn(ctx context.Context, g *gorm.DB, fn func(conn *gorm.DB) error) error {
	return g.WithContext(ctx).Connection(func(c *gorm.DB) error {
		sc, ok := c.Statement.ConnPool.(*sql.Conn)
		if !ok {
			return fmt.Errorf("sqlite: the handle gave a %T, not a connection of its own", c.Statement.ConnPool)
		}
		// No transaction has begun on sc yet, so nothing else can close it.
		err := sc.Raw(func(dc any) error {
			cn, ok := dc.(*conn)
			if !ok {
				return fmt.Errorf("sqlite: the driver connection is a %T", dc)
			}
			cn.discard = true
			return nil
		})
		if err != nil {
			return err
		}
		return fn(c)
	})
}

// Options are settings of a database beyond its file.
type Options struct {
	// Synchronous is when SQLite waits for the disk: "normal" (the
	// default) makes a commit durable against a crash of the process, and
	// "full" against a power loss too, at the cost of a flush per commit.
	Synchronous string
	// MaxBytes, above zero, bounds the database file: a write that would
	// grow it further fails as on a full disk (CodeStorageFull).
	MaxBytes int64
}

// Open opens (creating if needed) the SQLite database at path with the
// default Options; see OpenWith.
func Open(ctx context.Context, file string) (*DB, error) {
	return OpenWith(ctx, file, Options{})
}

// OpenWith opens (creating if needed) the SQLite database at path. Every
// connection runs in WAL mode, so readers never wait for the writer; waits
// for the write lock up to busy_timeout instead of failing with "database is
// locked"; enforces foreign keys; begins transactions IMMEDIATE, so two
// writers queue for the lock rather than deadlock upgrading a read lock; and
// reads the file through a memory map. A path where the database cannot be
// written (a missing or read-only directory) is an error that says so.
// Call Migrate before use.
func OpenWith(ctx context.Context, file string, opts Options) (*DB, error) {
	synchronous := "NORMAL"
	switch strings.ToLower(opts.Synchronous) {
	case "", "normal":
	case "full":
		synchronous = "FULL"
	default:
		return nil, fmt.Errorf("open sqlite: synchronous must be normal or full, not %q", opts.Synchronous)
	}
	if err := checkPath(file); err != nil {
		return nil, err
	}
	params := url.Values{}
	params.Set("_busy_timeout", "30000") // longer than a 100,000-row import holds the write lock
	params.Set("_foreign_keys", "on")
	params.Set("_synchronous", synchronous)
	params.Set("_txlock", "immediate")
	params.Set("_cache_size", "-32000") // 32 MB of page cache per connection
	dsn := "file:" + file + "?" + params.Encode()

	sqlDB := sql.OpenDB(newConnector(dsn, mmapSize, opts.MaxBytes))
	g, err := gorm.Open(gormsqlite.Dialector{Conn: sqlDB}, &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true, // every write already runs in a transaction of ours
		PrepareStmt:            true,
		PrepareStmtMaxSize:     256, // list queries vary with their filters; keep the cache bounded
		PrepareStmtTTL:         time.Hour,
	})
	if err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", file, err)
	}
	sqlDB.SetMaxOpenConns(8)
	sqlDB.SetMaxIdleConns(8)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", file, err)
	}
	bulk, err := gorm.Open(gormsqlite.Dialector{Conn: sqlDB}, &gorm.Config{Logger: logger.Discard, SkipDefaultTransaction: true})
	if err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", file, err)
	}
	params.Set("_txlock", "deferred")
	params.Set("_query_only", "true")
	readDB := sql.OpenDB(newConnector("file:"+file+"?"+params.Encode(), mmapSize, 0))
	readDB.SetMaxOpenConns(8)
	readDB.SetMaxIdleConns(8)
	readDB.SetConnMaxIdleTime(5 * time.Minute)
	read, err := gorm.Open(gormsqlite.Dialector{Conn: readDB}, &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		PrepareStmt:            true,
		PrepareStmtMaxSize:     256,
		PrepareStmtTTL:         time.Hour,
	})
	if err != nil {
		sqlDB.Close()
		readDB.Close()
		return nil, fmt.Errorf("open sqlite %s for reading: %w", file, err)
	}
	params.Set("_cache_size", "-8000")
	exportDB := sql.OpenDB(newConnector("file:"+file+"?"+params.Encode(), 0, 0))
	exportDB.SetMaxOpenConns(exportConns)
	exportDB.SetMaxIdleConns(1)
	export, err := gorm.Open(gormsqlite.Dialector{Conn: exportDB}, &gorm.Config{Logger: logger.Discard, SkipDefaultTransaction: true})
	if err != nil {
		sqlDB.Close()
		readDB.Close()
		exportDB.Close()
		return nil, fmt.Errorf("open sqlite %s for exports: %w", file, err)
	}
	places, err := geo.Load()
	if err != nil {
		sqlDB.Close()
		readDB.Close()
		exportDB.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", file, err)
	}
	db := &DB{gorm: g, read: read, export: export, file: file, version: newDataVersion("file:" + file + "?" + params.Encode())}
	db.DB = sqlstore.New(sqlstore.Config{Write: g, Bulk: bulk, Read: read, Export: export, Places: places, Dialect: db.dialect()})
	return db, nil
}

// ping checks that the database answers a query and has room to grow, for
// readiness probes: a database that can take no write is CodeStorageFull.
func (db *DB) ping(ctx context.Context) error {
	var room struct{ Pages, MaxPages, PageSize int64 }
	err := db.gorm.WithContext(ctx).Raw(`SELECT (SELECT page_count FROM pragma_page_count) AS pages,
		(SELECT max_page_count FROM pragma_max_page_count) AS max_pages,
		(SELECT page_size FROM pragma_page_size) AS page_size`).Scan(&room).Error
	if err != nil {
		if isFull(err) {
			return sqlstore.ErrStorageFull
		}
		return fmt.Errorf("ping sqlite: %w", err)
	}
	if (room.MaxPages-room.Pages)*room.PageSize < minFreeBytes {
		return sqlstore.ErrStorageFull
	}
	if free, ok := freeBytes(filepath.Dir(db.file)); ok && free < minFreeBytes {
		return sqlstore.ErrStorageFull
	}
	return nil
}

// minFreeBytes is the room (on the disk, and below MaxBytes) under which
// the database counts as full for readiness: a few writes' worth.
const minFreeBytes = 1 << 20

// isFull says whether err is of a write the database or its disk had no
// room for (SQLITE_FULL).
func isFull(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrFull
}

// checkPath says why the database cannot live at file, if it cannot: its
// directory is missing, is not a directory, or cannot be written (a
// read-only file system, no permission), which SQLite would report as "no
// such file or directory" or "unable to open database file". SQLite writes
// the file and its -wal and -shm beside it, so the directory must take new
// files.
func checkPath(file string) error {
	dir := filepath.Dir(file)
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("open database %s: its directory %s does not exist; create it or choose another path", file, dir)
	case err != nil:
		return fmt.Errorf("open database %s: %w", file, err)
	case !info.IsDir():
		return fmt.Errorf("open database %s: %s is not a directory", file, dir)
	}
	if info, err := os.Stat(file); err == nil && info.IsDir() {
		return fmt.Errorf("open database %s: it is a directory, not a database file", file)
	}
	probe, err := os.CreateTemp(dir, ".coalition-write-test-*")
	if err != nil {
		return fmt.Errorf("open database %s: %s", file, unwritable(dir, err))
	}
	probe.Close()
	os.Remove(probe.Name())
	if f, err := os.OpenFile(file, os.O_RDWR, 0); err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("open database %s: the file cannot be written: %w", file, err)
	}
	return nil
}

// unwritable explains why a file could not be created in dir.
func unwritable(dir string, err error) string {
	switch {
	case errors.Is(err, syscall.EROFS):
		return fmt.Sprintf("its directory %s is on a read-only file system; choose a path on a writable one", dir)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Sprintf("its directory %s is not writable by this user (%v); choose another path or fix the permissions", dir, err)
	case errors.Is(err, syscall.ENOSPC):
		return fmt.Sprintf("the file system of its directory %s is full", dir)
	}
	return fmt.Sprintf("no new file can be created in its directory %s (%v); choose a writable path", dir, err)
}

// migrationFiles are SQLite's numbered migrations (sqlstore.DB.Migrate).
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// conflict says whether err is a unique violation and names the field whose
// value is taken.
func conflict(err error) (string, bool) {
	var se sqlite3.Error
	if !errors.As(err, &se) || se.Code != sqlite3.ErrConstraint ||
		se.ExtendedCode != sqlite3.ErrConstraintUnique && se.ExtendedCode != sqlite3.ErrConstraintPrimaryKey {
		return "", false
	}
	switch msg := se.Error(); {
	case strings.Contains(msg, "organizations.slug"):
		return "slug", true
	case strings.Contains(msg, ".id"):
		return "id", true
	}
	return "", true
}

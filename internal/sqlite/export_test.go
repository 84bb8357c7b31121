package sqlite

import "gorm.io/gorm"

// What the tests of package sqlite_test, which seed databases through
// internal/dbtest (which imports this package), need of its internals.

// Gorm is the write handle, for the tests' own queries.
func (db *DB) Gorm() *gorm.DB { return db.gorm }

// Read is the handle of lists and searches.
func (db *DB) Read() *gorm.DB { return db.read }

// Export is the handle of exports.
func (db *DB) Export() *gorm.DB { return db.export }

// File is the database file's path.
func (db *DB) File() string { return db.file }

// Unwritable is unwritable.
func Unwritable(dir string, err error) string { return unwritable(dir, err) }

// PageSize is the page size new files are created with.
const PageSize = pageSize

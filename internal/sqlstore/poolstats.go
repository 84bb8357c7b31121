package sqlstore

import (
	"database/sql"

	"gorm.io/gorm"
)

// PoolStats returns the statistics of each of the database's connection
// pools, by the name of what it serves: "write" (writes and single-record
// reads), "bulk" (imports, when they have a pool of their own rather than
// write's), "read" (lists and searches) and "export" (exports). A pool two
// handles share is reported once, under the first name. It reads the
// counters database/sql keeps, so it costs no query: for /metrics.
func (db *DB) PoolStats() map[string]sql.DBStats {
	out := map[string]sql.DBStats{}
	seen := map[*sql.DB]bool{}
	for _, p := range []struct {
		name string
		g    *gorm.DB
	}{{"write", db.gorm}, {"bulk", db.bulk}, {"read", db.read}, {"export", db.export}} {
		if p.g == nil {
			continue
		}
		sqlDB, err := p.g.DB()
		if err != nil || seen[sqlDB] {
			continue
		}
		seen[sqlDB] = true
		out[p.name] = sqlDB.Stats()
	}
	return out
}

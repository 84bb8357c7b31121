package sqlstore

import (
	"database/sql"

	"gorm.io/gorm"
)

// Pools returns each of the database's connection pools, by the name of
// what it serves: "write" (writes and single-record reads), "bulk"
// (imports, when they have a pool of their own rather than write's),
// "read" (lists and searches) and "export" (exports). A pool two handles
// share is returned once, under the first name. For /metrics, which reads
// the counters database/sql keeps of each (sql.DB.Stats).
func (db *DB) Pools() map[string]*sql.DB {
	out := map[string]*sql.DB{}
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
		out[p.name] = sqlDB
	}
	return out
}

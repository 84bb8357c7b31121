package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Backup writes a consistent copy of the live database to path with VACUUM
// INTO: it reads one snapshot while writers go on (WAL mode), and the copy
// is compact and complete in one file, with no -wal file to carry along. The
// copy is written next to path and renamed into place, so path never holds
// half a backup. An existing path is not overwritten.
func (db *DB) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s exists; choose a new file", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	tmp := path + ".partial"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup: remove stale %s: %w", tmp, err)
	}
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := sqlDB.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// IntegrityCheck runs SQLite's full integrity check and returns its
// findings as an error, nil when the database is sound.
func (db *DB) IntegrityCheck(ctx context.Context) error {
	var results []string
	if err := db.gorm.WithContext(ctx).Raw("PRAGMA integrity_check").Scan(&results).Error; err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if len(results) == 1 && results[0] == "ok" {
		return nil
	}
	return fmt.Errorf("integrity check found problems: %v", results)
}

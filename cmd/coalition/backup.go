package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/coalition-directory/coalition/internal/postgres"
	"github.com/coalition-directory/coalition/internal/sqlite"
)

// runBackup copies the live SQLite database to a new file while the server
// may go on serving reads and writes. A PostgreSQL database is pg_dump's to
// copy: the command says so and fails.
func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("coalition backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: coalition backup [--db FILE] BACKUP_FILE")
		fs.PrintDefaults()
	}
	cfg, err := parseFlagSet(fs, "backup", args, getenv, false)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"backup: give exactly one file to write the backup to"}
	}
	target := fs.Arg(0)
	if cfg.databaseURL != "" {
		return fmt.Errorf("backup: %w", postgres.ErrBackup)
	}
	db, err := sqlite.OpenWith(ctx, cfg.dbPath, cfg.db.sqlite)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, target); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", cfg.dbPath, target)
	return nil
}

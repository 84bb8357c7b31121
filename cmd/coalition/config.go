package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/coalition-directory/coalition/internal/sqlite"
)

// config is every setting of the program. Flags override COALITION_*
// environment variables, which override the defaults.
type config struct {
	addr        string
	dbPath      string
	logLevel    slog.Level
	corsOrigins []string
	noDemo      bool
	defaultLang string
	// frameAncestors are the origins allowed to frame the /embed widget.
	frameAncestors []string
	// db are the database's settings (synchronous).
	db sqlite.Options
}

// envPrefix starts the name of every environment variable the program reads.
const envPrefix = "COALITION_"

// parseFlags reads the settings a command uses. Each flag's default is its
// environment variable when set; the usage text names the variable.
func parseFlags(name string, args []string, getenv func(string) string, stderr io.Writer, withServer bool) (config, error) {
	fs := flag.NewFlagSet("coalition "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, err := parseFlagSet(fs, name, args, getenv, withServer)
	if err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, usageError{fmt.Sprintf("%s: unexpected argument %q", name, fs.Arg(0))}
	}
	return cfg, nil
}

// parseFlagSet adds the common flags to fs (a command may have defined its
// own) and parses args; positional arguments are left in fs.Args.
func parseFlagSet(fs *flag.FlagSet, name string, args []string, getenv func(string) string, withServer bool) (config, error) {
	env := func(key, def string) string {
		if v := getenv(envPrefix + key); v != "" {
			return v
		}
		return def
	}
	var cfg config
	var level, origins, ancestors string
	fs.StringVar(&cfg.dbPath, "db", env("DB", "coalition.db"), "SQLite database file (env COALITION_DB)")
	fs.StringVar(&level, "log-level", env("LOG_LEVEL", "info"), "log level: debug, info, warn, error (env COALITION_LOG_LEVEL)")
	fs.StringVar(&cfg.db.Synchronous, "sync", env("SYNC", "normal"), "when a write is acknowledged: normal (it survives a crash of the process) or full (a power loss too, with a disk flush per write) (env COALITION_SYNC)")
	if withServer {
		fs.StringVar(&cfg.addr, "addr", env("ADDR", ":8080"), "address to listen on (env COALITION_ADDR)")
		fs.StringVar(&origins, "cors-origins", env("CORS_ORIGINS", "*"), "comma-separated origins browsers may call from, * for any (env COALITION_CORS_ORIGINS)")
		fs.StringVar(&cfg.defaultLang, "default-lang", env("DEFAULT_LANG", "ru"), "language of answers to requests that ask for none: ru or en (env COALITION_DEFAULT_LANG)")
		fs.StringVar(&ancestors, "frame-ancestors", env("FRAME_ANCESTORS", "*"), "space- or comma-separated origins allowed to show /embed in a frame, * for any (env COALITION_FRAME_ANCESTORS)")
		fs.BoolVar(&cfg.noDemo, "no-demo", env("NO_DEMO", "") == "true", "do not load the demo directory into an empty database (env COALITION_NO_DEMO=true)")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, usageError{fmt.Sprintf("%s: %v", name, err)}
	}
	if cfg.db.Synchronous != "normal" && cfg.db.Synchronous != "full" {
		return cfg, usageError{fmt.Sprintf("%s: --sync: %q is not normal or full", name, cfg.db.Synchronous)}
	}
	if err := cfg.logLevel.UnmarshalText([]byte(level)); err != nil {
		return cfg, usageError{fmt.Sprintf("%s: --log-level: %v", name, err)}
	}
	if withServer && cfg.defaultLang != "ru" && cfg.defaultLang != "en" {
		return cfg, usageError{fmt.Sprintf("%s: --default-lang: %q is not ru or en", name, cfg.defaultLang)}
	}
	for _, o := range strings.Split(origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			cfg.corsOrigins = append(cfg.corsOrigins, o)
		}
	}
	cfg.frameAncestors = strings.FieldsFunc(ancestors, func(r rune) bool { return r == ',' || r == ' ' })
	return cfg, nil
}

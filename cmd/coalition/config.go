package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/postgres"
	"github.com/coalition-directory/coalition/internal/sqlite"
	"github.com/coalition-directory/coalition/internal/web"
)

// config is every setting of the program. Flags override COALITION_*
// environment variables, which override the defaults.
type config struct {
	addr   string
	dbPath string
	// databaseURL, when set, is the PostgreSQL database to use instead of
	// the SQLite file dbPath.
	databaseURL string
	logLevel    slog.Level
	corsOrigins []string
	noDemo      bool
	defaultLang string
	// frameAncestors are the origins allowed to frame the /embed widget.
	frameAncestors []string
	// publicURL is the origin of the pages' absolute links, or "" for
	// the origin each request names (its Host header).
	publicURL string
	// db are the database's settings: SQLite's (synchronous) or
	// PostgreSQL's (read replicas).
	db dbOptions
	// rateLimits bound each caller's requests (serve).
	rateLimits api.RateLimits
	// changeRetention is how long change events are kept.
	changeRetention time.Duration
	// webhookAllow are the private prefixes webhooks may be sent to.
	webhookAllow []netip.Prefix
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
	var level, origins, ancestors, anonymousRate, keyRate, proxies, retention, allow string
	fs.StringVar(&cfg.dbPath, "db", env("DB", "coalition.db"), "SQLite database file (env COALITION_DB)")
	fs.StringVar(&cfg.databaseURL, "database-url", env("DATABASE_URL", ""), "PostgreSQL database to use instead of the SQLite file: postgres://user:password@host:5432/name?sslmode=require (env COALITION_DATABASE_URL)")
	var readURLs string
	fs.StringVar(&readURLs, "database-read-urls", env("DATABASE_READ_URLS", ""), "comma-separated streaming replicas of the PostgreSQL database that lists, searches and exports read from (env COALITION_DATABASE_READ_URLS)")
	fs.StringVar(&level, "log-level", env("LOG_LEVEL", "info"), "log level: debug, info, warn, error (env COALITION_LOG_LEVEL)")
	fs.StringVar(&cfg.db.sqlite.Synchronous, "sync", env("SYNC", "normal"), "when a write is acknowledged: normal (it survives a crash of the process) or full (a power loss too, with a disk flush per write) (env COALITION_SYNC)")
	if withServer {
		fs.StringVar(&cfg.addr, "addr", env("ADDR", ":8080"), "address to listen on (env COALITION_ADDR)")
		fs.StringVar(&origins, "cors-origins", env("CORS_ORIGINS", "*"), "comma-separated origins browsers may call from, * for any (env COALITION_CORS_ORIGINS)")
		fs.StringVar(&cfg.defaultLang, "default-lang", env("DEFAULT_LANG", "ru"), "language of answers to requests that ask for none: ru or en (env COALITION_DEFAULT_LANG)")
		fs.StringVar(&ancestors, "frame-ancestors", env("FRAME_ANCESTORS", "*"), "space- or comma-separated origins allowed to show /embed in a frame, * for any (env COALITION_FRAME_ANCESTORS)")
		fs.StringVar(&cfg.publicURL, "public-url", env("PUBLIC_URL", ""), "origin people reach the web pages at, such as https://directory.example.org, for their canonical and embed links; empty: the Host header of each request (env COALITION_PUBLIC_URL)")
		fs.BoolVar(&cfg.noDemo, "no-demo", env("NO_DEMO", "") == "true", "do not load the demo directory into an empty database (env COALITION_NO_DEMO=true)")
		fs.StringVar(&anonymousRate, "rate-limit-anonymous", env("RATE_LIMIT_ANONYMOUS", ""), "requests a second each client address may send without a key, as RATE or RATE:BURST (e.g. 5:50); empty or 0 for no limit (env COALITION_RATE_LIMIT_ANONYMOUS)")
		fs.StringVar(&keyRate, "rate-limit-key", env("RATE_LIMIT_KEY", ""), "requests a second each API key may send, as RATE or RATE:BURST; empty or 0 for no limit (env COALITION_RATE_LIMIT_KEY)")
		fs.StringVar(&retention, "change-retention", env("CHANGE_RETENTION", "90d"), "how long the change feed keeps events, in days (90d) or as a Go duration (2160h) (env COALITION_CHANGE_RETENTION)")
		fs.StringVar(&allow, "webhook-allow", env("WEBHOOK_ALLOW", ""), "comma-separated private, loopback or link-local addresses or CIDR ranges (10.0.0.0/8) webhooks may be sent to; none by default (env COALITION_WEBHOOK_ALLOW)")
		fs.StringVar(&proxies, "trusted-proxies", env("TRUSTED_PROXIES", ""), "comma-separated addresses or CIDR ranges of proxies whose X-Forwarded-For names the client and whose X-Forwarded-Proto is believed (env COALITION_TRUSTED_PROXIES)")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, usageError{fmt.Sprintf("%s: %v", name, err)}
	}
	if cfg.databaseURL != "" && !postgres.IsURL(cfg.databaseURL) {
		return cfg, usageError{fmt.Sprintf("%s: --database-url: not a postgres:// URL", name)}
	}
	for _, u := range strings.Split(readURLs, ",") {
		if u = strings.TrimSpace(u); u != "" {
			cfg.db.postgres.ReadURLs = append(cfg.db.postgres.ReadURLs, u)
			if !postgres.IsURL(u) {
				return cfg, usageError{fmt.Sprintf("%s: --database-read-urls: not a postgres:// URL", name)}
			}
		}
	}
	if len(cfg.db.postgres.ReadURLs) > 0 && cfg.databaseURL == "" {
		return cfg, usageError{fmt.Sprintf("%s: --database-read-urls needs --database-url: replicas are PostgreSQL's", name)}
	}
	if cfg.db.sqlite.Synchronous != "normal" && cfg.db.sqlite.Synchronous != "full" {
		return cfg, usageError{fmt.Sprintf("%s: --sync: %q is not normal or full", name, cfg.db.sqlite.Synchronous)}
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
	// CSP separates sources by ASCII whitespace; commas are ours.
	cfg.frameAncestors = strings.FieldsFunc(ancestors, func(r rune) bool { return r == ',' || strings.ContainsRune(" \t\n\f\r", r) })
	var errs []error
	var err error
	if withServer {
		if err := web.CheckFrameAncestors(cfg.frameAncestors); err != nil {
			errs = append(errs, fmt.Errorf("--frame-ancestors: %w", err))
		}
		if cfg.publicURL != "" {
			if cfg.publicURL, err = web.ParsePublicURL(cfg.publicURL); err != nil {
				errs = append(errs, fmt.Errorf("--public-url: %w", err))
			}
		}
	}
	if cfg.rateLimits.Anonymous, err = parseRate(anonymousRate); err != nil {
		errs = append(errs, fmt.Errorf("--rate-limit-anonymous: %w", err))
	}
	if cfg.rateLimits.Key, err = parseRate(keyRate); err != nil {
		errs = append(errs, fmt.Errorf("--rate-limit-key: %w", err))
	}
	if cfg.rateLimits.TrustedProxies, err = parsePrefixes(proxies); err != nil {
		errs = append(errs, fmt.Errorf("--trusted-proxies: %w", err))
	}
	if withServer {
		if cfg.changeRetention, err = parseRetention(retention); err != nil {
			errs = append(errs, fmt.Errorf("--change-retention: %w", err))
		}
		if cfg.webhookAllow, err = parsePrefixes(allow); err != nil {
			errs = append(errs, fmt.Errorf("--webhook-allow: %w", err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return cfg, usageError{fmt.Sprintf("%s: %v", name, err)}
	}
	return cfg, nil
}

// parseRate reads a rate limit written RATE or RATE:BURST: RATE requests a
// second on average (a decimal number, 0 or more; 0.5 is one every two
// seconds), and BURST at once (a whole number from 1; by default RATE
// rounded up, and at least 1). Empty is no limit.
func parseRate(s string) (api.Rate, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return api.Rate{}, nil
	}
	perSecond, burst, hasBurst := strings.Cut(s, ":")
	r, err := strconv.ParseFloat(strings.TrimSpace(perSecond), 64)
	if err != nil || r < 0 || math.IsInf(r, 0) || math.IsNaN(r) {
		return api.Rate{}, fmt.Errorf("%q: the rate must be a number of requests a second, 0 or more, as RATE or RATE:BURST", s)
	}
	if r == 0 {
		if hasBurst {
			return api.Rate{}, fmt.Errorf("%q: a burst needs a rate above 0", s)
		}
		return api.Rate{}, nil
	}
	b := max(1, int(math.Ceil(r)))
	if hasBurst {
		if b, err = strconv.Atoi(strings.TrimSpace(burst)); err != nil || b < 1 {
			return api.Rate{}, fmt.Errorf("%q: the burst must be a whole number of requests, 1 or more", s)
		}
	}
	return api.Rate{PerSecond: r, Burst: b}, nil
}

// parseRetention reads a number of days ("90d") or a Go duration
// ("2160h"); it must be positive.
func parseRetention(v string) (time.Duration, error) {
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(v, "d"); ok {
		var n int
		n, err = strconv.Atoi(days)
		d = time.Duration(n) * 24 * time.Hour
	} else {
		d, err = time.ParseDuration(v)
	}
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive number of days (90d) or duration (2160h)", v)
	}
	return d, nil
}

// parsePrefixes reads a comma-separated list of CIDR ranges (10.0.0.0/8,
// fd00::/8) and single addresses (a range of one).
func parsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	var errs []error
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		addr, err := netip.ParseAddr(f)
		if err != nil {
			errs = append(errs, fmt.Errorf("%q is not an IP address or CIDR range", f))
			continue
		}
		out = append(out, netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen()))
	}
	return out, errors.Join(errs...)
}

// database is where the command's database is: the PostgreSQL URL when one
// is set, else the SQLite file.
func (c config) database() string {
	if c.databaseURL != "" {
		return c.databaseURL
	}
	return c.dbPath
}

// databaseName is database() as logs and messages may show it: without a
// URL's password.
func (c config) databaseName() string {
	if u, err := url.Parse(c.databaseURL); err == nil && c.databaseURL != "" {
		return u.Redacted()
	}
	return c.dbPath
}

// dbOptions are the settings of the database beyond where it is: those of
// the backend that is used apply.
type dbOptions struct {
	sqlite   sqlite.Options
	postgres postgres.Options
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/geo"
	"github.com/coalition-directory/coalition/internal/postgres"
	"github.com/coalition-directory/coalition/internal/sqlite"
	"github.com/coalition-directory/coalition/internal/sqlstore"
	"github.com/coalition-directory/coalition/internal/web"
	"github.com/coalition-directory/coalition/internal/webhook"
)

// shutdownGrace is how long in-flight requests may take to finish after a
// stop signal.
const shutdownGrace = 10 * time.Second

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags("serve", args, getenv, stderr, true)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.logLevel}))

	cfg.db.postgres.Log = log
	db, dir, err := openDirectoryWith(ctx, cfg.database(), cfg.db,
		directory.WithRetention(cfg.changeRetention), directory.WithWebhookTargets(cfg.webhookAllow))
	if err != nil {
		return err
	}
	defer db.Close()

	var orgs []directory.Organization
	if !cfg.noDemo {
		if orgs, err = demo.Organizations(); err != nil {
			return fmt.Errorf("load demo directory: %w", err)
		}
	}
	seeded, err := dir.Seed(ctx, orgs)
	if err != nil {
		return err
	}
	if seeded > 0 {
		log.Info("loaded the demo directory into the empty database", "organizations", seeded)
	}

	pages, err := web.New(log, dir, web.Options{FrameAncestors: cfg.frameAncestors, PublicURL: cfg.publicURL})
	if err != nil {
		return fmt.Errorf("load web pages: %w", err)
	}
	// stopping ends the change feed's long polls when shutdown begins.
	stopping := make(chan struct{})
	apiOpts := api.Options{CORSOrigins: cfg.corsOrigins, DefaultLang: cfg.defaultLang, Pages: pages, ErrorPages: pages,
		RateLimits: cfg.rateLimits, DBPools: db, Stopping: stopping}
	handler, err := api.NewServer(log, dir, db, apiOpts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	srv := api.NewHTTPServer(handler, apiOpts, log)
	log.Info("serving", "addr", ln.Addr().String(), "db", cfg.databaseName(), "backend", db.Backend())
	fmt.Fprintf(stdout, "listening on %s\n", ln.Addr())

	// The webhook worker and the change log's pruning run beside the
	// server, until it stops; every process runs them, safely.
	background, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stopBackground()
	worker := &webhook.Worker{Outbox: dir, Payload: api.WebhookPayload(dir, cfg.defaultLang),
		Client: webhook.NewClient(cfg.webhookAllow), Log: log}
	wg.Go(func() { _ = worker.Run(background) })
	wg.Go(func() { pruneChanges(background, dir, log) })

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	close(stopping)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// pruneEvery is how often the change log drops the events older than the
// retention.
const pruneEvery = time.Hour

// pruneChanges prunes the change log now and every pruneEvery until ctx
// ends.
func pruneChanges(ctx context.Context, dir *directory.Service, log *slog.Logger) {
	t := time.NewTicker(pruneEvery)
	defer t.Stop()
	for {
		if n, err := dir.PruneChanges(ctx); err != nil && ctx.Err() == nil {
			log.Error("prune change log", "err", err)
		} else if n > 0 {
			log.Info("pruned change log", "events", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags("migrate", args, getenv, stderr, false)
	if err != nil {
		return err
	}
	db, _, err := openDirectoryWith(ctx, cfg.database(), cfg.db)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "%s is up to date\n", cfg.databaseName())
	return nil
}

// cacheEntries bounds the answers kept in memory: a list page is some tens
// of kilobytes, so at most a few tens of megabytes.
const cacheEntries = 1000

// openDirectory is openDirectoryWith the default database settings.
func openDirectory(ctx context.Context, database string) (*sqlstore.DB, *directory.Service, error) {
	return openDirectoryWith(ctx, database, dbOptions{})
}

// openDatabase opens the database: PostgreSQL when database is a
// postgres:// URL, else the SQLite file at that path, with opts.
func openDatabase(ctx context.Context, database string, opts dbOptions) (*sqlstore.DB, error) {
	if postgres.IsURL(database) {
		db, err := postgres.OpenWith(ctx, database, opts.postgres)
		if err != nil {
			return nil, err
		}
		return db.DB, nil
	}
	db, err := sqlite.OpenWith(ctx, database, opts.sqlite)
	if err != nil {
		return nil, err
	}
	return db.DB, nil
}

// openDirectoryWith opens and migrates the database (see openDatabase),
// makes sure it has a focus-area vocabulary, and builds the service over
// it and the reference data.
func openDirectoryWith(ctx context.Context, database string, opts dbOptions, svc ...directory.Option) (*sqlstore.DB, *directory.Service, error) {
	places, err := geo.Load()
	if err != nil {
		return nil, nil, fmt.Errorf("load reference data: %w", err)
	}
	db, err := openDatabase(ctx, database, opts)
	if err != nil {
		return nil, nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	// Reads are answered from memory until anything is written to the
	// database, by this process or any other (directory.Cache; the data
	// version is SQLite's data_version, or PostgreSQL's data_version row,
	// which every write transaction moves on). Not with read replicas: the
	// version is the primary's, and an answer read from a replica that
	// lags would be kept under a version it does not reflect until the
	// next write.
	var store directory.Store = directory.NewCache(db, db.DataVersion, cacheEntries)
	if len(opts.postgres.ReadURLs) > 0 {
		store = db
	}
	dir := directory.NewService(store, places, svc...)
	// Every command needs the focus-area vocabulary; a new database gets the default one.
	if _, err := dir.Seed(ctx, nil); err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, dir, nil
}

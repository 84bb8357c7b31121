// Package api is the HTTP layer of the directory: the routes, their
// request and response types with the swag annotations the OpenAPI spec is
// generated from, the one mapping of errors to problem+json, and the
// middleware (CORS, caching, compression, logging). It is the only package
// that imports Echo.
package api

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/coalition-directory/coalition/internal/directory"
)

// Options are the server's settings.
type Options struct {
	// CORSOrigins are the origins browsers may call the API from; empty or
	// "*" allows any, which suits a public directory.
	CORSOrigins []string
	// DefaultLang is the language ("ru" or "en") of answers to requests that
	// ask for none the directory has, by lang or Accept-Language; empty is
	// Russian, the coalition's working language.
	DefaultLang string
	// Pages serves the web directory (package web) at every path outside
	// the API's; nil serves the API alone.
	Pages http.Handler
	// ErrorPages, when set, answers the errors of requests to the pages
	// that arise before a page runs (429, 413, 500) with an HTML page rather
	// than problem+json: package web's Handler.
	ErrorPages ErrorPages
	// Timeouts bound what slow clients hold; see NewHTTPServer.
	Timeouts Timeouts
	// Stopping, when closed, ends the long polls of the change feed at
	// once with what they have, so that a graceful shutdown need not wait
	// for them; nil for a server that never says so.
	Stopping <-chan struct{}
	// RateLimits bound each caller's requests; the zero value has none.
	RateLimits RateLimits
	// DBPools, when set, reports the database's connection pools in
	// /metrics.
	DBPools DBPools
}

// DBPools reports a database's connection pools: every storage backend
// implements it. Pools returns each pool, by a name that says what it
// serves ("write", "read", "export"), a pool that serves two of them once;
// it is called once, when the server is made, and /metrics reads the
// statistics database/sql keeps of each pool at every scrape.
type DBPools interface {
	Pools() map[string]*sql.DB
}

// Pinger reports whether a dependency, the database, can serve requests.
type Pinger interface {
	Ping(ctx context.Context) error
}

// NewServer returns the API as an http.Handler. It fails when
// opts.RateLimits has a negative or non-finite rate or a rate without a
// burst, and when the embedded OpenAPI spec cannot be read or lacks an
// /api/v1 route, which the build's tests rule out.
func NewServer(log *slog.Logger, dir *directory.Service, db Pinger, opts Options) (http.Handler, error) {
	spec, err := OpenAPIYAML()
	if err != nil {
		return nil, fmt.Errorf("load openapi spec: %w", err)
	}
	query, err := newQueryCheck(spec)
	if err != nil {
		return nil, err
	}
	limits, err := newRateLimiter(opts.RateLimits)
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = errorHandler(log, opts.ErrorPages)
	e.Logger.SetHeader("${level}")
	e.Logger.SetOutput(echoLog{log})
	e.IPExtractor = ipExtractor(opts.RateLimits.TrustedProxies)

	origins := opts.CORSOrigins
	if len(origins) == 0 {
		origins = []string{"*"}
	}
	gzip, err := compress()
	if err != nil {
		return nil, err
	}
	m := newMetrics(limits, opts.DBPools)
	e.Pre(headAsGet, forwardedProto(opts.RateLimits.TrustedProxies))
	e.Use(
		headRestored,
		middleware.RequestID(),
		requestLogger(log),
		m.middleware,
		middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true}),
		securityHeaders,
		readPrimary,
		// CORS before anything that can answer early (a body over the limit,
		// a bad query): a browser shows a script no answer without its
		// Access-Control-Allow-Origin, not even the problem saying what was wrong.
		middleware.CORSWithConfig(middleware.CORSConfig{
			AllowOrigins: origins,
			AllowMethods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPatch, http.MethodDelete},
			AllowHeaders: []string{"Authorization", "Content-Type", "If-Match", "If-None-Match", "Accept-Language", "Cache-Control"},
			ExposeHeaders: []string{"ETag", "Link", "Location", "Content-Language", ChangeSeqHeader, echo.HeaderXRequestID,
				echo.HeaderContentDisposition, echo.HeaderWWWAuthenticate, echo.HeaderRetryAfter},
			MaxAge: 3600,
		}),
		// Every route's body is bounded; imports have a larger bound of their own.
		middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
			Limit:   strconv.Itoa(maxBodyBytes),
			Skipper: func(c echo.Context) bool { return c.Path() == importPath },
		}),
		query.middleware,
		gzip,
	)
	addRoutes(e, dir, db, spec, m, limits, opts)
	if err := query.bind(e.Routes()); err != nil {
		return nil, err
	}
	return e, nil
}

package api

import (
	"embed"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
	swaggerfiles "github.com/swaggo/files/v2"
)

// docsUI holds the pages for people reading the API: Swagger UI's page and
// set-up over /openapi.yaml, and the read-only Redoc reference, whose bundle
// (redoc.standalone.js) is copied from the pinned @redocly/cli; CI checks
// the copy is current. Everything is served from the binary: the pages load
// nothing from another origin.
//
//go:embed docsui/*.html docsui/*.js
var docsUI embed.FS

// handleDocsRedirect sends /docs and the old /docs/index.html to /docs/.
func handleDocsRedirect() echo.HandlerFunc {
	return func(c echo.Context) error {
		return c.Redirect(http.StatusMovedPermanently, "/docs/")
	}
}

// docsPolicy is the Content-Security-Policy of the docs pages: nothing
// from another origin, so the browser sends no request elsewhere even where
// a bundle would (Redoc's attribution logo is an image on its CDN).
const docsPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; " +
	"object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

// handleDocs serves Swagger UI at /docs/, the reference at /docs/reference
// and their assets under /docs/: ours from docsui, Swagger UI's own from
// swaggo/files.
func handleDocs() echo.HandlerFunc {
	pages := map[string]string{"": "swagger.html", "reference": "reference.html"}
	return func(c echo.Context) error {
		name := strings.TrimPrefix(c.Request().URL.Path, "/docs/")
		if page, ok := pages[name]; ok {
			name = page
		}
		for _, files := range []fs.FS{docsUI, swaggerfiles.FS} {
			file := name
			if files == fs.FS(docsUI) {
				file = "docsui/" + name
			}
			body, err := fs.ReadFile(files, file)
			if err != nil || name == "index.html" {
				continue // swaggo's index.html shows its petstore example
			}
			ct := mime.TypeByExtension(path.Ext(name))
			if ct == "" {
				ct = echo.MIMEOctetStream
			}
			// Every file's: a script loaded as a worker runs under its own response's policy.
			c.Response().Header().Set("Content-Security-Policy", docsPolicy)
			c.Response().Header().Set("Cache-Control", "public, max-age=300")
			c.Response().Header().Set("X-Content-Type-Options", "nosniff")
			return c.Blob(http.StatusOK, ct, body)
		}
		return echo.ErrNotFound
	}
}

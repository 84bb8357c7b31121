package api

import (
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/coalition-directory/coalition/internal/directory"
)

//	@title		Coalition Directory API
//	@version	1.0
//	@description.markdown
//	@contact.name				Coalition Directory maintainers
//	@license.name				MIT
//	@license.url				https://opensource.org/license/mit
//	@BasePath					/
//	@tag.name					organizations
//	@tag.description			Member organizations: list, search, read and curate
//	@tag.name					contacts
//	@tag.description			People and desks at an organization; partners-only contacts need a partner key
//	@tag.name					reference
//	@tag.description			Countries, regions, focus areas and statistics
//	@tag.name					bulk
//	@tag.description			Import and export of the whole directory as CSV or NDJSON
//	@tag.name					changes
//	@tag.description			The change feed partners keep copies of the directory with (partner)
//	@tag.name					webhooks
//	@tag.description			Signed webhooks that push the change feed to partners' endpoints (admin)
//	@tag.name					keys
//	@tag.description			API keys (admin)
//	@tag.name					audit
//	@tag.description			Who changed what
//	@tag.name					operations
//	@tag.description			Health, readiness, metrics and the API description
//	@securityDefinitions.apikey	bearer
//	@in							header
//	@name						Authorization
//	@description				An API key: `Authorization: Bearer <key>`. Without a key you are anonymous: public reads only. Partner keys also see partners-only contacts and hidden addresses; editor keys write organizations and contacts; admin keys also manage focus areas, keys, archived records and the audit log. An unknown or revoked key is 401 on every route.

//go:generate go tool swag fmt --dir .
//go:generate go tool swag init --quiet --dir . --generalInfo routes.go --output ../docs --outputTypes go,json,yaml --requiredByDefault --markdownFiles docsui
//go:generate go test -run TestOpenAPIIsCurrent -update .

// importPath is the route of imports, whose bodies have a bound of their
// own (maxImportBytes) rather than the one of every other route.
const importPath = "/api/v1/import"

// addRoutes registers every route of the API: this is the whole surface.
// Middleware is attached per route (an Echo group with middleware would turn
// unknown paths into 401s): auth resolves the key of every API request,
// require answers 401/403 before a protected route reads its body, and
// cacheable adds ETags and Cache-Control to reads. Every route but the
// operators' probes and metrics is rate limited: the API's by auth, the
// others by client address.
//
// The web pages, when given, take every other GET and POST path; their
// handler keeps its own routes and answers its own 404s, while unknown
// /api/ paths stay problem+json 404s.
func addRoutes(e *echo.Echo, dir *directory.Service, db Pinger, spec []byte, m *metrics, limits *rateLimiter, opts Options) {
	langs := newLanguages(opts.DefaultLang)
	auth := authenticate(dir, limits)
	byAddress := limits.byAddress
	editor, admin := require(directory.RoleEditor), require(directory.RoleAdmin)

	v1 := e.Group("/api/v1")
	v1.GET("/organizations", handleOrganizationList(dir, langs), auth, cacheable)
	v1.POST("/organizations", handleOrganizationCreate(dir, langs), auth, editor)
	v1.GET("/organizations/:id", handleOrganizationGet(dir, langs), auth, cacheable)
	v1.PATCH("/organizations/:id", handleOrganizationUpdate(dir, langs), auth, editor)
	v1.DELETE("/organizations/:id", handleOrganizationArchive(dir, langs), auth, editor)
	v1.POST("/organizations/:id/restore", handleOrganizationRestore(dir, langs), auth, admin)
	v1.GET("/organizations/:id/history", handleHistory(dir), auth, editor)
	v1.GET("/organizations/:id/contacts", handleContactList(dir), auth, cacheable)
	v1.POST("/organizations/:id/contacts", handleContactCreate(dir), auth, editor)
	v1.GET("/organizations/:id/contacts.vcf", handleContactsVCard(dir, langs), auth, cacheable)
	v1.GET("/organizations/:id/contacts/:contact_id", handleContactGet(dir), auth, cacheable)
	v1.PATCH("/organizations/:id/contacts/:contact_id", handleContactUpdate(dir), auth, editor)
	v1.DELETE("/organizations/:id/contacts/:contact_id", handleContactDelete(dir), auth, editor)

	v1.GET("/focus-areas", handleFocusAreaList(dir, langs), auth, cacheable)
	v1.POST("/focus-areas", handleFocusAreaCreate(dir, langs), auth, admin)
	v1.PATCH("/focus-areas/:slug", handleFocusAreaUpdate(dir, langs), auth, admin)
	v1.DELETE("/focus-areas/:slug", handleFocusAreaDelete(dir), auth, admin)
	v1.GET("/countries", handleCountryList(dir, langs), auth, cacheable)
	v1.GET("/countries/:code", handleCountryGet(dir, langs), auth, cacheable)
	v1.GET("/countries/:code/regions", handleRegionList(dir, langs), auth, cacheable)
	v1.GET("/regions/:code", handleRegionGet(dir, langs), auth, cacheable)
	v1.GET("/stats", handleStats(dir, langs), auth, cacheable)

	v1.GET("/keys", handleKeyList(dir), auth, admin)
	v1.POST("/keys", handleKeyCreate(dir), auth, admin)
	v1.DELETE("/keys/:id", handleKeyRevoke(dir), auth, admin)
	v1.GET("/audit", handleAudit(dir), auth, admin)
	v1.POST(strings.TrimPrefix(importPath, "/api/v1"), handleImport(dir), auth, admin, middleware.BodyLimit(strconv.Itoa(maxImportBytes)))
	v1.GET("/export", handleExport(dir, opts.Timeouts.withDefaults().StreamProgress), auth, require(directory.RolePartner))
	v1.GET("/changes", handleChanges(dir, langs, opts.Stopping), auth, require(directory.RolePartner))
	v1.GET("/webhooks", handleWebhookList(dir), auth, admin)
	v1.POST("/webhooks", handleWebhookCreate(dir), auth, admin)
	v1.DELETE("/webhooks/:id", handleWebhookDelete(dir), auth, admin)
	v1.POST("/webhooks/:id/test", handleWebhookTest(dir), auth, admin)
	v1.GET("/webhooks/:id/deliveries", handleWebhookDeliveries(dir), auth, admin)

	e.GET("/healthz", handleHealth())
	e.GET("/readyz", handleReady(db))
	e.GET("/metrics", handleMetrics(m))
	e.GET("/openapi.yaml", handleOpenAPI(spec), byAddress, cacheable)
	e.GET("/docs", handleDocsRedirect(), byAddress)
	e.GET("/docs/index.html", handleDocsRedirect(), byAddress)
	e.GET("/docs/*", handleDocs(), byAddress)

	if pages := opts.Pages; pages != nil {
		e.GET("/*", echo.WrapHandler(pages), byAddress)
		e.POST("/*", echo.WrapHandler(pages), byAddress)
		e.Any("/api/*", func(echo.Context) error { return echo.ErrNotFound })
	}
}

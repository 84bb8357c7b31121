package api

import (
	"github.com/labstack/echo/v4"

	"github.com/coalition-directory/coalition/internal/directory"
)

//	@title				Coalition Directory API
//	@version			1.0
//	@description		The member directory of a coalition of NGOs: organizations with their contacts and focus areas, searchable in Russian and English. Errors are RFC 9457 problem details (application/problem+json). List responses are paged with totals and an RFC 8288 Link header.
//	@BasePath			/
//	@tag.name			organizations
//	@tag.description	Member organizations and their contacts
//	@tag.name			reference
//	@tag.description	Countries, regions, focus areas and statistics
//	@tag.name			operations
//	@tag.description	Health, readiness and the API description

//go:generate go tool swag fmt --dir .
//go:generate go tool swag init --quiet --dir . --generalInfo routes.go --output ../docs --outputTypes go,json,yaml --requiredByDefault
//go:generate go test -run TestOpenAPIIsCurrent -update .

// addRoutes registers every route of the API: this is the whole surface.
func addRoutes(e *echo.Echo, dir *directory.Service, db Pinger, spec []byte) {
	langs := newLanguages()

	v1 := e.Group("/api/v1")
	v1.GET("/organizations", handleOrganizationList(dir, langs), cacheable)
	v1.GET("/organizations/:id", handleOrganizationGet(dir, langs), cacheable)
	v1.GET("/focus-areas", handleFocusAreaList(dir, langs), cacheable)
	v1.GET("/countries", handleCountryList(dir, langs), cacheable)
	v1.GET("/countries/:code", handleCountryGet(dir, langs), cacheable)
	v1.GET("/countries/:code/regions", handleRegionList(dir, langs), cacheable)
	v1.GET("/regions/:code", handleRegionGet(dir, langs), cacheable)
	v1.GET("/stats", handleStats(dir, langs), cacheable)

	e.GET("/healthz", handleHealth())
	e.GET("/readyz", handleReady(db))
	e.GET("/openapi.yaml", handleOpenAPI(spec), cacheable)
	e.GET("/docs", handleDocsRedirect())
	e.GET("/docs/", handleDocsRedirect())
	e.GET("/docs/*", handleDocs())
}

package api

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/labstack/echo/v4"
	echoswagger "github.com/swaggo/echo-swagger"
	"sigs.k8s.io/yaml"

	"github.com/coalition-directory/coalition/docs"
)

// handleHealth reports that the process serves requests.
//
//	@Summary	Liveness probe
//	@ID			getHealth
//	@Tags		operations
//	@Produce	json,application/problem+json
//	@Success	200	{object}	Health
//	@Router		/healthz [get]
func handleHealth() echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, Health{Status: "ok"})
	}
}

// handleReady reports whether the database answers.
//
//	@Summary	Readiness probe
//	@ID			getReady
//	@Tags		operations
//	@Produce	json,application/problem+json
//	@Success	200	{object}	Health
//	@Failure	503	{object}	Problem	"The database does not answer"
//	@Router		/readyz [get]
func handleReady(db Pinger) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		if err := db.Ping(c.Request().Context()); err != nil {
			c.Logger().Error(err)
			return echo.NewHTTPError(http.StatusServiceUnavailable, "the database does not answer")
		}
		return c.JSON(http.StatusOK, Health{Status: "ok"})
	}
}

// handleOpenAPI serves the OpenAPI 3 description of the API.
//
//	@Summary	OpenAPI 3 description
//	@ID			getOpenAPI
//	@Tags		operations
//	@Produce	application/yaml
//	@Success	200	{object}	object	"The spec in YAML"
//	@Success	304	"Not modified (If-None-Match)"
//	@Router		/openapi.yaml [get]
func handleOpenAPI(spec []byte) echo.HandlerFunc {
	return func(c echo.Context) error {
		return c.Blob(http.StatusOK, "application/yaml", spec)
	}
}

func handleDocsRedirect() echo.HandlerFunc {
	return func(c echo.Context) error {
		return c.Redirect(http.StatusFound, "/docs/index.html")
	}
}

// handleDocs serves Swagger UI over /openapi.yaml.
func handleDocs() echo.HandlerFunc {
	return echoswagger.EchoWrapHandler(echoswagger.URL("/openapi.yaml"), echoswagger.DeepLinking(true))
}

// OpenAPIYAML returns the OpenAPI 3 spec of the API, converted from the
// Swagger 2.0 document that swag generates into docs/. The repository's
// openapi.yaml is this output, kept in step by a golden test.
func OpenAPIYAML() ([]byte, error) {
	var v2 openapi2.T
	if err := json.Unmarshal([]byte(docs.SwaggerInfo.ReadDoc()), &v2); err != nil {
		return nil, fmt.Errorf("parse swagger 2.0 doc: %w", err)
	}
	v3, err := openapi2conv.ToV3(&v2)
	if err != nil {
		return nil, fmt.Errorf("convert to openapi 3: %w", err)
	}
	js, err := json.Marshal(v3)
	if err != nil {
		return nil, fmt.Errorf("marshal openapi 3: %w", err)
	}
	out, err := yaml.JSONToYAML(js)
	if err != nil {
		return nil, fmt.Errorf("openapi 3 to yaml: %w", err)
	}
	return out, nil
}

package api

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/coalition-directory/coalition/internal/directory"
)

// handleHealth reports that the process serves requests.
//
//	@Summary		Liveness probe
//	@Description	Answers 200 while the process serves requests; it does not touch the database.
//	@ID				getHealth
//	@Tags			operations
//	@Produce		json,application/problem+json
//	@Success		200	{object}	Health
//	@Failure		413	{object}	Problem	"The request body is over 1 MiB"
//	@Failure		500	{object}	Problem	"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Router			/healthz [get]
func handleHealth() echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, Health{Status: "ok"})
	}
}

// handleReady reports whether the database answers.
//
//	@Summary		Readiness probe
//	@Description	Answers 200 when the database answers and has room to write, else 503: take the instance out of a load balancer while it is not ready.
//	@ID				getReady
//	@Tags			operations
//	@Produce		json,application/problem+json
//	@Success		200	{object}	Health
//	@Failure		413	{object}	Problem	"The request body is over 1 MiB"
//	@Failure		500	{object}	Problem	"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Failure		503	{object}	Problem	"The database does not answer, or its storage is full"
//	@Router			/readyz [get]
func handleReady(db Pinger) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		if err := db.Ping(c.Request().Context()); err != nil {
			// The error handler logs the cause; the client learns only which
			// of the two it is.
			detail := "the database does not answer"
			if directory.ErrorCode(err) == directory.CodeStorageFull {
				detail = "the database's storage is full: writes are refused"
			}
			return &echo.HTTPError{Code: http.StatusServiceUnavailable, Message: detail,
				Internal: fmt.Errorf("readiness: ping the database: %w", err)}
		}
		return c.JSON(http.StatusOK, Health{Status: "ok"})
	}
}

// handleOpenAPI serves the OpenAPI 3 description of the API.
//
//	@Summary		OpenAPI 3 description
//	@Description	This document, OpenAPI 3.0 in YAML, generated from the code; browse it at /docs/.
//	@ID				getOpenAPI
//	@Tags			operations
//	@Produce		application/yaml,application/problem+json
//	@Success		200	{object}	object	"The spec in YAML"
//	@Success		304	"Not modified (If-None-Match)"
//	@Failure		429	{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429	{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		413	{object}	Problem		"The request body is over 1 MiB"
//	@Failure		500	{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Router			/openapi.yaml [get]
func handleOpenAPI(spec []byte) echo.HandlerFunc {
	return func(c echo.Context) error {
		return c.Blob(http.StatusOK, "application/yaml", spec)
	}
}

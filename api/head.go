package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// HEAD is answered on every GET route, as RFC 9110 section 9.3.2 asks, with
// the status and headers of the GET and no body. Echo routes HEAD to no GET
// route, so headAsGet routes it as a GET and headRestored, the first
// middleware after routing, makes it a HEAD again: handlers run as for the
// GET, the log says HEAD, and net/http, seeing a HEAD, discards the body
// after counting it for Content-Length. HEAD is not in the spec.

// headKey marks a request that arrived as HEAD.
const headKey = "head"

// headAsGet is pre-routing middleware: a HEAD request is routed as a GET.
func headAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if req := c.Request(); req.Method == http.MethodHead {
			req.Method = http.MethodGet // in place: Echo routes by the request it was given
			c.Set(headKey, true)
		}
		return next(c)
	}
}

// headRestored makes a request that headAsGet routed as a GET a HEAD again.
func headRestored(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if isHead, _ := c.Get(headKey).(bool); isHead {
			c.Request().Method = http.MethodHead
		}
		return next(c)
	}
}

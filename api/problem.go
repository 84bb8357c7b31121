package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/coalition-directory/coalition/internal/directory"
)

// Problem is an RFC 9457 problem detail, the body of every 4xx and 5xx
// response.
type Problem struct {
	Type   string `json:"type" example:"about:blank"`
	Title  string `json:"title" example:"Bad Request"`
	Status int    `json:"status" example:"400"`
	Detail string `json:"detail,omitempty" example:"invalid query parameters"`
	// The invalid fields and parameters, the first 100 of them.
	Errors []ProblemField `json:"errors,omitempty"`
	// How many fields and parameters are invalid, those beyond the first
	// 100 that errors lists included; present whenever errors is.
	ErrorsTotal int `json:"errors_total,omitempty" example:"1"`
} //	@name	Problem

// ProblemField names one invalid field or parameter and what is wrong.
type ProblemField struct {
	Field   string `json:"field" example:"per_page"`
	Message string `json:"message" example:"must be a whole number from 1 to 100"`
} //	@name	ProblemField

const problemContentType = "application/problem+json"

// statusOf maps domain error codes to HTTP statuses: the one place where
// that mapping lives.
func statusOf(code directory.Code) int {
	switch code {
	case directory.CodeInvalid:
		return http.StatusBadRequest
	case directory.CodeNotFound:
		return http.StatusNotFound
	case directory.CodeConflict:
		return http.StatusConflict
	case directory.CodePreconditionFailed:
		return http.StatusPreconditionFailed
	case directory.CodeUnauthorized:
		return http.StatusUnauthorized
	case directory.CodeForbidden:
		return http.StatusForbidden
	case directory.CodeGone:
		return http.StatusGone
	case directory.CodeStorageFull:
		return http.StatusInsufficientStorage
	}
	return http.StatusInternalServerError
}

// errorHandler writes every error as problem+json, unless the client has
// gone away (see clientGone), which is no error of the server's. Domain
// errors and Echo's own (unknown route, wrong method, oversized body) keep
// their message, as does an echo.HTTPError of a 5xx with an Internal cause,
// whose cause is logged; anything else is logged with its cause and shown
// only as an internal error, so no internals reach the client.
//
// Requests to the pages (pagesRoute) get pages' error page instead, when
// pages is set: a person reads it, not a program.
func errorHandler(log *slog.Logger, pages ErrorPages) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if clientGone(c, err) {
			// Nobody is left to answer, and nothing failed on the server's
			// side: the request log says 499, as proxies do, at info level.
			log.Debug("client went away", "err", err, "request_id", requestID(c))
			c.Response().Status = statusClientClosedRequest
			return
		}
		if c.Response().Committed {
			log.Error("error after response started", "err", err, "request_id", requestID(c))
			return
		}
		p := Problem{Type: "about:blank"}
		var de *directory.Error
		var he *echo.HTTPError
		told := false // the detail is written for the client
		cause := err
		switch {
		case errors.As(err, &he) && he.Code >= 500 && he.Internal != nil:
			// A server-side failure that tells the client what it may know
			// (its message) and the log why (its internal cause).
			p.Status = he.Code
			if msg, ok := he.Message.(string); ok && msg != http.StatusText(he.Code) {
				p.Detail, told = msg, true
			}
			cause = he.Internal
		case errors.As(err, &de):
			p.Status = statusOf(de.Code)
			p.Detail = de.Message
			p.Errors, p.ErrorsTotal = problemFields(de)
		case errors.As(err, &he) && he.Code < 500:
			p.Status = he.Code
			if msg, ok := he.Message.(string); ok && msg != http.StatusText(he.Code) {
				p.Detail = msg
			}
		default:
			p.Status = http.StatusInternalServerError
		}
		if p.Status >= 500 {
			log.Error("request failed", "err", cause, "method", c.Request().Method,
				"path", c.Request().URL.Path, "request_id", requestID(c))
			if de == nil && !told { // a domain error's message is written for the client
				p.Detail = "internal error; the X-Request-Id response header identifies it in the server log"
			}
		}
		p.Title = http.StatusText(p.Status)
		if pages != nil && c.Path() == pagesRoute {
			h := c.Response().Header()
			h.Del("ETag")
			h.Del("Content-Disposition")
			h.Del("Content-Language")
			pages.ServeError(c.Response(), c.Request(), p.Status)
			return
		}
		etag, _ := c.Get(currentTagKey).(string) // a 412's current version, in a GET's form
		writeProblem(c, p, etag)
	}
}

// ErrorPages renders an error status as an HTML page of the web directory,
// with the pages' look and headers and nothing of the error's cause.
type ErrorPages interface {
	ServeError(w http.ResponseWriter, r *http.Request, status int)
}

// pagesRoute is the route addRoutes serves the pages at.
const pagesRoute = "/*"

// statusClientClosedRequest is the status the request log gives a request
// whose client went away before its answer was complete: nginx's 499
// "client closed request", which proxies and log tools know. No HTTP status
// says it, and it is never sent.
const statusClientClosedRequest = 499

// clientGone reports whether err, the failure of the request of c, is its
// client's going away: the request's context was cancelled (net/http
// cancels it when the client closes the connection), or a stream could not
// be written to the client.
func clientGone(c echo.Context, err error) bool {
	var cw clientWriteError
	return errors.Is(c.Request().Context().Err(), context.Canceled) || errors.As(err, &cw)
}

// writeProblem writes p; etag, when set, is the current version of the
// record a stale write was aimed at.
func writeProblem(c echo.Context, p Problem, etag string) {
	h := c.Response().Header()
	h.Del("ETag")
	h.Del("Content-Disposition")
	h.Del("Content-Language")                         // problems are written in English
	h.Set(echo.HeaderContentType, problemContentType) // a handler may have set another before failing
	if etag != "" {
		h.Set("ETag", etag)
	}
	h.Set("Cache-Control", "no-store")
	if p.Status == http.StatusUnauthorized {
		challenge := `Bearer realm="coalition-directory"`
		if c.Request().Header.Get("Authorization") != "" {
			challenge += `, error="invalid_token"`
		}
		h.Set("WWW-Authenticate", challenge)
	}
	body, err := json.Marshal(p)
	if err != nil {
		body = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500}`)
	}
	_ = c.Blob(p.Status, problemContentType, body) // the client has gone if this fails
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

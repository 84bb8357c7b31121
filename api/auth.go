package api

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/coalition-directory/coalition/internal/directory"
)

// callerKey is where the authenticated caller is kept in the request context.
const callerKey = "caller"

// callerOf returns who makes the request; anonymous when no key was given.
func callerOf(c echo.Context) directory.Caller {
	caller, _ := c.Get(callerKey).(directory.Caller)
	return caller
}

// authenticate resolves the bearer key of a request to its caller. No
// Authorization header means anonymous; a malformed, unknown or revoked key
// is 401 on every route, public ones included, so that a broken key is
// noticed rather than silently downgraded. Keys are looked up on every
// request, so a revoked key stops working at once.
//
// It applies the rate limits too: an anonymous request counts against its
// client address, an authenticated one against its key, and one whose key
// fails against its address (so guessing keys is as slow as anonymous
// reading), each a 429 when over.
func authenticate(dir *directory.Service, limits *rateLimiter) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			header := c.Request().Header.Get("Authorization")
			if header == "" {
				if err := limits.allowAddress(c); err != nil {
					return err
				}
				return next(c)
			}
			caller, err := authenticateHeader(c, dir, header)
			if err != nil {
				if lerr := limits.allowAddress(c); lerr != nil {
					return lerr
				}
				return err
			}
			if err := limits.allowKey(c, caller.KeyID); err != nil {
				return err
			}
			c.Set(callerKey, caller)
			return next(c)
		}
	}
}

// authenticateHeader returns the caller whose key the Authorization header
// carries.
func authenticateHeader(c echo.Context, dir *directory.Service, header string) (directory.Caller, error) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return directory.Caller{}, directory.Errorf(directory.CodeUnauthorized, "the Authorization header must be \"Bearer <key>\"")
	}
	return dir.Authenticate(c.Request().Context(), strings.TrimSpace(token))
}

// require answers 401 (no key) or 403 (a key whose role is too low) before
// a protected route reads its request. The Service checks roles again: this
// check is for answering before parsing, not the only guard.
func require(role directory.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			caller := callerOf(c)
			switch {
			case caller.Role.Includes(role):
				return next(c)
			case caller.Role == directory.RoleAnonymous:
				return directory.Errorf(directory.CodeUnauthorized, "this needs an API key with the %s role", role)
			}
			return directory.Errorf(directory.CodeForbidden, "this needs the %s role; the key has %s", role, caller.Role)
		}
	}
}

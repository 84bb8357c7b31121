package api

import (
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

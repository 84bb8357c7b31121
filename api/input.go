package api

import (
	"slices"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/coalition-directory/coalition/internal/directory"
)

// maxProblemErrors bounds the field errors one problem lists: a request of
// a hundred thousand bad values gets a readable answer of bounded size, with
// the whole count in errors_total.
const maxProblemErrors = 100

// validQuery answers 400 when a query parameter is not valid UTF-8, naming
// the parameter, before any handler reads it: Go's URL decoding keeps the
// bytes as they are, and text that is not UTF-8 must never reach a search,
// a filter or a stored record.
func validQuery(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().URL.RawQuery == "" {
			return next(c)
		}
		query := c.QueryParams()
		names := make([]string, 0, len(query))
		for name := range query {
			names = append(names, name)
		}
		slices.Sort(names)
		var fields []directory.FieldError
		for _, name := range names {
			switch {
			case !utf8.ValidString(name):
				fields = append(fields, directory.FieldError{Field: "query", Message: "has a parameter name that is not valid UTF-8 text"})
			case slices.ContainsFunc(query[name], func(v string) bool { return !utf8.ValidString(v) }):
				fields = append(fields, directory.FieldError{Field: name, Message: "must be valid UTF-8 text"})
			}
		}
		if len(fields) > 0 {
			return &directory.Error{Code: directory.CodeInvalid, Message: "invalid query parameters", Fields: fields}
		}
		return next(c)
	}
}

// problemFields converts a domain error's field errors, the first
// maxProblemErrors of them, and returns their whole count.
func problemFields(de *directory.Error) ([]ProblemField, int) {
	total := max(len(de.Fields), de.FieldsTotal)
	var out []ProblemField
	for _, f := range de.Fields[:min(len(de.Fields), maxProblemErrors)] {
		out = append(out, ProblemField{Field: f.Field, Message: f.Message})
	}
	return out, total
}

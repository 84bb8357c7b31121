package directory

import (
	"errors"
	"fmt"
)

// Code classifies a domain error. The api package maps each code to one HTTP
// status in a single place; storage adapters translate driver errors into
// these codes (a unique violation becomes CodeConflict).
type Code string

// Error codes.
const (
	CodeInvalid            Code = "invalid"
	CodeNotFound           Code = "not_found"
	CodeConflict           Code = "conflict"
	CodePreconditionFailed Code = "precondition_failed"
	CodeUnauthorized       Code = "unauthorized"
	CodeForbidden          Code = "forbidden"
	// CodeGone is a request for what is no longer kept: a change-feed
	// cursor older than the log's retention.
	CodeGone Code = "gone"
	// CodeStorageFull is a write the storage has no room for; it is the
	// operator's problem, not the caller's, and passes when space is freed.
	CodeStorageFull Code = "storage_full"
)

// FieldError names one field of a request and what is wrong with it. Field is
// the name the caller used: a JSON field, a query parameter or a CSV column.
type FieldError struct {
	Field   string
	Message string
}

// Error is the one error type of the domain. Message is safe to show to the
// caller; Fields lists every field error of a request together.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	// Current is the stored version of the record, on CodePreconditionFailed.
	Current int
	// FieldsTotal counts the field errors when Fields lists only the first
	// of them (an import of many bad rows); 0 when Fields lists all.
	FieldsTotal int
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("%s: %s: %s: %s", e.Code, e.Message, e.Fields[0].Field, e.Fields[0].Message)
}

// Errorf returns an *Error with code and a message formatted for the caller.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or "" when
// err is nil or not a domain error (an internal failure).
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// fieldErrors collects the field errors of one request so that the caller
// gets all of them at once.
type fieldErrors []FieldError

func (fe *fieldErrors) add(field, format string, args ...any) {
	*fe = append(*fe, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// err returns an invalid-input *Error holding every collected field error, or
// nil when there is none.
func (fe fieldErrors) err(message string) error {
	if len(fe) == 0 {
		return nil
	}
	return &Error{Code: CodeInvalid, Message: message, Fields: fe}
}

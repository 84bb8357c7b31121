// Package jsondecode decodes JSON documents strictly and says which field
// a decoding error is about, so that API bodies and NDJSON import lines
// report malformed input the same way: as a directory CodeInvalid error
// naming the field.
package jsondecode

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strings"

	"github.com/coalition-directory/coalition/internal/directory"
)

// Strict decodes exactly one JSON value from data into v, rejecting unknown
// fields and trailing data.
func Strict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return FieldError(err)
	}
	if dec.More() {
		return invalid("body", "must hold exactly one JSON value")
	}
	return nil
}

func invalid(field, problem string) error {
	return &directory.Error{Code: directory.CodeInvalid, Message: "invalid JSON",
		Fields: []directory.FieldError{{Field: field, Message: problem}}}
}

// unknownField matches encoding/json's error for a field the target lacks;
// the package has no error type for it.
var unknownField = regexp.MustCompile(`^json: unknown field "(.*)"$`)

// FieldError turns an encoding/json error into a CodeInvalid error naming
// the field ("body" when the document as a whole is wrong).
func FieldError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return invalid("body", "is empty; a JSON object is required")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("body", "is not valid JSON: "+err.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return invalid(field, "must be "+typeName(typ.Type.Kind().String())+", not "+typ.Value)
	}
	if m := unknownField.FindStringSubmatch(err.Error()); m != nil {
		return invalid(m[1], "is not a field of this resource (or is read-only)")
	}
	return invalid("body", err.Error())
}

func typeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	if strings.HasPrefix(kind, "int") || strings.HasPrefix(kind, "uint") || strings.HasPrefix(kind, "float") {
		return "a number"
	}
	return "a " + kind
}

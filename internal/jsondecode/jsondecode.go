// Package jsondecode decodes JSON documents strictly and says which field
// a decoding error is about, so that API bodies and NDJSON import lines
// report malformed input the same way: as a directory CodeInvalid error
// naming the field.
package jsondecode

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/segmentio/encoding/json"

	"github.com/coalition-directory/coalition/internal/directory"
)

// Strict decodes exactly one JSON value from data into v, as Decode does,
// and returns every problem as one error: for callers that have nothing
// else to report alongside.
func Strict(data []byte, v any) error {
	found, err := Decode(data, v)
	if err != nil {
		return err
	}
	if len(found) > 0 {
		return &directory.Error{Code: directory.CodeInvalid, Message: "invalid JSON", Fields: found}
	}
	return nil
}

// Decode decodes exactly one JSON value from data into v. Keys match
// v's JSON field names exactly: an unknown key, or one in other case, is
// not a field. Before decoding, data is scanned (see scan): a document that
// is not JSON, nests deeper than MaxDepth, has an array or object of more
// than MaxEntries entries, has text that is not valid UTF-8 (which a
// decoder would silently turn into U+FFFD) or repeats a key is err, a
// CodeInvalid *directory.Error naming each such field, and v is left
// alone. Otherwise every member that does not fit v (a string where a
// number belongs, an unknown field, a malformed timestamp) is in found,
// named by its path ("phones[0].number"), and v holds every member that
// does: so that the caller can validate the rest and report every problem
// of the document at once.
//
// It decodes with segmentio/encoding, which follows encoding/json's rules
// at a third of its cost (an import decodes a hundred thousand lines), and
// walks the document itself only when that decoder finds a problem.
func Decode(data []byte, v any) (found []directory.FieldError, err error) {
	if err := scan(data); err != nil {
		return nil, err
	}
	if _, err := json.Parse(data, v, json.DisallowUnknownFields|json.DontMatchCaseInsensitiveStructFields); err == nil {
		return nil, nil
	} else if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv.Elem().SetZero()
		w := walker{}
		w.value(rv.Elem(), bytes.TrimSpace(data), "")
		if len(w.found) > 0 {
			return w.found, nil
		}
		return nil, FieldError(err)
	} else {
		return nil, FieldError(err)
	}
}

// Value decodes one JSON value of any shape (maps, slices, strings,
// float64 numbers, booleans), after the checks of Decode's scan.
func Value(data []byte) (any, error) {
	if err := scan(data); err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, FieldError(err)
	}
	return v, nil
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
		field := fieldPath(typ.Field)
		if field == "" {
			field = "body"
		}
		return invalid(field, "must be "+typeName(typ.Type.Kind().String())+", not "+valueKind(typ.Value))
	}
	if m := unknownField.FindStringSubmatch(err.Error()); m != nil {
		return invalid(m[1], "is not a field of this resource (or is read-only)")
	}
	return invalid("body", err.Error())
}

// fieldPath writes a decoder's dotted path ("contacts.0.phone") as the
// validation rules name fields ("contacts[0].phone").
func fieldPath(path string) string {
	parts := strings.Split(path, ".")
	var b strings.Builder
	for i, p := range parts {
		if _, err := strconv.Atoi(p); err == nil && i > 0 {
			b.WriteString("[" + p + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// valueKind names the JSON kind of the value a type error is about.
// encoding/json reports the kind ("string", "number 1.5"); segmentio's
// decoder quotes the JSON text from that value on.
func valueKind(value string) string {
	if text, err := strconv.Unquote(value); err == nil && text != "" {
		return jsonKind([]byte(text))
	}
	switch kind, _, _ := strings.Cut(value, " "); kind {
	case "string":
		return "a string"
	case "array":
		return "an array"
	case "object":
		return "an object"
	case "bool":
		return "true or false"
	case "number":
		return "a number"
	}
	return value
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
	if strings.HasPrefix(kind, "int") || strings.HasPrefix(kind, "uint") {
		return "a whole number in range"
	}
	if strings.HasPrefix(kind, "float") {
		return "a number"
	}
	return "a " + kind
}

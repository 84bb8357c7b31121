package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/jsondecode"
	"github.com/coalition-directory/coalition/internal/mergepatch"
)

// maxBodyBytes limits request bodies of single-record writes.
const maxBodyBytes = 1 << 20

// invalid returns a CodeInvalid error naming one field.
func invalid(message, field, problem string) error {
	return &directory.Error{Code: directory.CodeInvalid, Message: message,
		Fields: []directory.FieldError{{Field: field, Message: problem}}}
}

// readBody returns the request body after checking its media type against
// allowed: a write with another type is 415 Unsupported Media Type.
func readBody(c echo.Context, allowed ...string) ([]byte, error) {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || !slices.Contains(allowed, mt) {
		return nil, &echo.HTTPError{Code: http.StatusUnsupportedMediaType,
			Message: fmt.Sprintf("Content-Type must be %s, not %q", strings.Join(allowed, " or "), ct)}
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, echo.ErrStatusRequestEntityTooLarge
		}
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return nil, he
		}
		return nil, fmt.Errorf("read request body: %w", err)
	}
	return body, nil
}

// decodeStrict decodes one JSON value into v, rejecting unknown fields and
// trailing data, with errors that name the field.
func decodeStrict(data []byte, v any) error { return jsondecode.Strict(data, v) }

// decodeWrite decodes a write body into v as jsondecode.Decode does: err
// when it is not a JSON document within the limits, else found lists the
// members that do not fit v, and v holds the others, for the domain to
// validate and report with them.
func decodeWrite(data []byte, v any) (found []directory.FieldError, err error) {
	return jsondecode.Decode(data, v)
}

// applyPatch merges a JSON merge patch into the JSON form of current and
// decodes the result into next as decodeWrite does: the patch may only name
// fields the write shape has, spelled exactly (a case variant would be
// merged beside the field it resembles and lost), with values of their
// types, and found lists every member that does not fit.
func applyPatch(current any, patch []byte, next any) (found []directory.FieldError, err error) {
	p, err := jsondecode.Value(patch)
	if err != nil {
		return nil, err
	}
	if _, ok := p.(map[string]any); !ok {
		return nil, invalid("invalid merge patch", "body", "must be a JSON object")
	}
	var unknown []directory.FieldError
	patchMembers(p, reflect.TypeOf(next).Elem(), "", &unknown)
	if len(unknown) > 0 {
		slices.SortFunc(unknown, func(a, b directory.FieldError) int { return strings.Compare(a.Field, b.Field) })
		return nil, &directory.Error{Code: directory.CodeInvalid, Message: "invalid merge patch", Fields: unknown}
	}
	cur, err := json.Marshal(current)
	if err != nil {
		return nil, fmt.Errorf("encode current state: %w", err)
	}
	var doc any
	if err := json.Unmarshal(cur, &doc); err != nil {
		return nil, fmt.Errorf("decode current state: %w", err)
	}
	merged, err := json.Marshal(mergepatch.Apply(doc, p))
	if err != nil {
		return nil, fmt.Errorf("encode merged state: %w", err)
	}
	return decodeWrite(merged, next)
}

// patchMembers lists in unknown every member of the merge patch value v
// that the write type t has no field for, by its exact JSON name, with its
// path from path.
func patchMembers(v any, t reflect.Type, path string, unknown *[]directory.FieldError) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return // a value of the wrong type: decoding names it
		}
		fields := jsonFields(t)
		for k, member := range obj {
			at := k
			if path != "" {
				at = path + "." + k
			}
			ft, ok := fields[k]
			if !ok {
				*unknown = append(*unknown, directory.FieldError{Field: at, Message: "is not a field of this resource (names are case-sensitive)"})
				continue
			}
			if member != nil {
				patchMembers(member, ft, at, unknown)
			}
		}
	case reflect.Map:
		if obj, ok := v.(map[string]any); ok {
			for k, member := range obj {
				if member != nil {
					patchMembers(member, t.Elem(), path+"."+k, unknown)
				}
			}
		}
	case reflect.Slice:
		if list, ok := v.([]any); ok {
			for i, item := range list {
				patchMembers(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), unknown)
			}
		}
	}
}

// jsonFields maps the JSON names of a struct's fields, embedded ones
// included, to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported():
		case f.Anonymous && name == "":
			maps.Copy(fields, jsonFields(f.Type))
		case name == "":
			fields[f.Name] = f.Type
		default:
			fields[name] = f.Type
		}
	}
	return fields
}

// entityTag is one entity tag of an If-Match or If-None-Match list.
type entityTag struct {
	weak   bool
	opaque string // with its quotes
}

// parseEntityTags parses the value of If-Match or If-None-Match (RFC 9110
// §13.1.1): "*", or a comma-separated list of entity tags, each an opaque
// quoted string with an optional W/ prefix. ok is false when the value is
// neither.
func parseEntityTags(value string) (star bool, tags []entityTag, ok bool) {
	rest := strings.Trim(value, " \t")
	if rest == "*" {
		return true, nil, true
	}
	for rest != "" {
		var t entityTag
		if strings.HasPrefix(rest, "W/") {
			t.weak, rest = true, rest[2:]
		}
		if len(rest) < 2 || rest[0] != '"' {
			return false, nil, false
		}
		end := strings.IndexByte(rest[1:], '"')
		if end < 0 {
			return false, nil, false
		}
		t.opaque, rest = rest[:end+2], rest[end+2:]
		for _, b := range []byte(t.opaque[1 : len(t.opaque)-1]) {
			if b < 0x21 || b == 0x7f { // etagc: visible characters but DQUOTE, and obs-text
				return false, nil, false
			}
		}
		tags = append(tags, t)
		// Separators: optional white space around commas; empty list elements are allowed.
		rest = strings.TrimLeft(rest, " \t")
		if rest != "" && rest[0] != ',' {
			return false, nil, false
		}
		rest = strings.TrimLeft(rest, " \t,")
	}
	return false, tags, len(tags) > 0
}

// versionOfTag returns the version a strong or weak entity tag of this API
// names: "v<version>" optionally followed by "-<digest>".
func versionOfTag(opaque string) (int, bool) {
	m := entityTagPattern.FindStringSubmatch(opaque)
	if m == nil {
		return 0, false
	}
	v, err := strconv.Atoi(m[1])
	return v, err == nil && v > 0
}

var entityTagPattern = regexp.MustCompile(`^"v([0-9]{1,9})(-[A-Za-z0-9_-]*)?"$`)

// precondition reads the If-Match and If-None-Match headers of a write into
// the versions they name (RFC 9110 §13.1.1-13.1.2). If-Match matches on the
// record's version: any strong tag this API sent for a version names it,
// whatever language or caller it was sent to, while a weak tag never
// matches. If-None-Match compares weakly, so a weak tag names its version
// too. A header that is not "*" or a list of entity tags cannot hold: 412.
func precondition(c echo.Context) (directory.Precondition, error) {
	var p directory.Precondition
	for _, h := range []struct {
		name   string
		strong bool
		set    **directory.Versions
	}{{"If-Match", true, &p.IfMatch}, {"If-None-Match", false, &p.IfNoneMatch}} {
		values := c.Request().Header.Values(h.name)
		if len(values) == 0 {
			continue
		}
		star, tags, ok := parseEntityTags(strings.Join(values, ","))
		if !ok {
			return p, &directory.Error{Code: directory.CodePreconditionFailed,
				Message: h.name + ` must be "*" or a list of entity tags, such as "v3-AbC"`}
		}
		versions := &directory.Versions{Any: star}
		for _, t := range tags {
			if v, ok := versionOfTag(t.opaque); ok && !(t.weak && h.strong) {
				versions.List = append(versions.List, v)
			}
		}
		*h.set = versions
	}
	return p, nil
}

// versionTag is the strong entity tag of a versioned representation. The
// version part is what If-Match compares; the digest part tells apart the
// representations of one version (languages, what the caller may see), for
// If-None-Match.
func versionTag(version int, digest string) string {
	return `"v` + strconv.Itoa(version) + "-" + digest + `"`
}

package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/jsondecode"
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

// mergePatch applies an RFC 7396 JSON merge patch to target.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = mergePatch(t[k], v)
	}
	return t
}

// applyPatch merges a JSON merge patch into the JSON form of current and
// decodes the result strictly into next: the patch may only name fields the
// write shape has, with values of their types.
func applyPatch(current any, patch []byte, next any) error {
	var p any
	if err := json.Unmarshal(patch, &p); err != nil {
		return jsondecode.FieldError(err)
	}
	if _, ok := p.(map[string]any); !ok {
		return invalid("invalid merge patch", "body", "must be a JSON object")
	}
	cur, err := json.Marshal(current)
	if err != nil {
		return fmt.Errorf("encode current state: %w", err)
	}
	var doc any
	if err := json.Unmarshal(cur, &doc); err != nil {
		return fmt.Errorf("decode current state: %w", err)
	}
	merged, err := json.Marshal(mergePatch(doc, p))
	if err != nil {
		return fmt.Errorf("encode merged state: %w", err)
	}
	return decodeStrict(merged, next)
}

var entityTagPattern = regexp.MustCompile(`^"v([0-9]+)(-[A-Za-z0-9_-]*)?"$`)

// ifMatch reads the If-Match header: the version the caller last saw, 0 when
// the header is absent or "*". Only this API's strong entity tags name a
// version; anything else cannot match, so it is 412.
func ifMatch(c echo.Context) (int, error) {
	h := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if h == "" || h == "*" {
		return 0, nil
	}
	first, _, _ := strings.Cut(h, ",")
	m := entityTagPattern.FindStringSubmatch(strings.TrimSpace(first))
	if m == nil {
		return 0, &directory.Error{Code: directory.CodePreconditionFailed,
			Message: "If-Match must be an entity tag this API sent (such as \"v3-...\")"}
	}
	v, err := strconv.Atoi(m[1])
	if err != nil || v < 1 {
		return 0, &directory.Error{Code: directory.CodePreconditionFailed, Message: "If-Match names no version"}
	}
	return v, nil
}

// versionTag is the strong entity tag of a versioned representation. The
// version part is what If-Match compares; the digest part tells apart the
// representations of one version (languages, what the caller may see).
func versionTag(version int, digest string) string {
	if digest == "" {
		return `"v` + strconv.Itoa(version) + `"`
	}
	return `"v` + strconv.Itoa(version) + "-" + digest + `"`
}

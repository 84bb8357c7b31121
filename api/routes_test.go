package api

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"

	"github.com/coalition-directory/coalition/internal/directory"
)

type noDB struct{}

func (noDB) Ping(context.Context) error { return nil }

// TestEveryRouteIsDocumented fails when a route is served that openapi.yaml
// does not describe, or the spec describes one that is not served.
func TestEveryRouteIsDocumented(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromFile(filepath.Join("..", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), directory.NewService(nil, nil), noDB{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	e, ok := h.(*echo.Echo)
	if !ok {
		t.Fatalf("NewServer returned %T, want *echo.Echo", h)
	}
	undocumented := map[string]bool{"/docs": true, "/docs/index.html": true, "/docs/*": true} // Swagger UI itself
	param := regexp.MustCompile(`:([a-z_]+)`)
	served := map[string]bool{}
	for _, r := range e.Routes() {
		if undocumented[r.Path] {
			continue
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		served[r.Method+" "+path] = true
		item := doc.Paths.Find(path)
		if item == nil || item.GetOperation(r.Method) == nil {
			t.Errorf("%s %s is served but not in openapi.yaml", r.Method, path)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !served[method+" "+path] {
				t.Errorf("openapi.yaml describes %s %s, which is not served", method, path)
			}
		}
	}
	if len(served) < 10 {
		t.Errorf("only %d routes found: the route listing is broken", len(served))
	}
	for key := range served {
		if strings.Contains(key, ":") {
			t.Errorf("path parameter not converted: %s", key)
		}
	}
}

package api_test

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coalition-directory/coalition/api"
)

var update = flag.Bool("update", false, "rewrite openapi.yaml from docs/")

// TestOpenAPIIsCurrent fails when openapi.yaml is not the OpenAPI 3
// conversion of docs/swagger.json; -update rewrites it.
func TestOpenAPIIsCurrent(t *testing.T) {
	got, err := api.OpenAPIYAML()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "openapi.yaml")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("openapi.yaml is stale: run `go generate ./api`")
	}
}

// TestDocsAreCurrent regenerates docs/ with the swag command of the
// go:generate line in routes.go into a temporary folder and fails when the
// committed docs differ: annotations changed without regenerating.
func TestDocsAreCurrent(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, line := range strings.Split(string(src), "\n") {
		if rest, ok := strings.CutPrefix(line, "//go:generate go tool swag init "); ok {
			args = strings.Fields(rest)
		}
	}
	if args == nil {
		t.Fatal("routes.go has no //go:generate line running swag init")
	}
	out := filepath.Join(t.TempDir(), "docs")
	for i := range args {
		if args[i] == "--output" {
			args[i+1] = out
		}
	}
	cmd := exec.Command("go", append([]string{"tool", "swag", "init"}, args...)...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("swag init: %v\n%s", err, msg)
	}
	for _, name := range []string{"docs.go", "swagger.json", "swagger.yaml"} {
		fresh, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadFile(filepath.Join("..", "docs", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fresh, committed) {
			t.Errorf("docs/%s is stale: run `go generate ./api`", name)
		}
	}
}

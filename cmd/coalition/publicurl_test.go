package main

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestPublicURL checks that --public-url (or COALITION_PUBLIC_URL) makes
// the pages' absolute links start with it whatever Host a request names,
// and that a value that is not an absolute http(s) origin stops serve with
// a usage error naming the flag.
func TestPublicURL(t *testing.T) {
	t.Parallel()
	wantServeUsageErrors(t, []serveUsage{
		{args: []string{"--public-url", "directory.example.org"}, want: []string{"--public-url"}},
		{args: []string{"--public-url", "https://directory.example.org/catalog"}, want: []string{"--public-url"}},
		{env: map[string]string{"COALITION_PUBLIC_URL": "ftp://directory.example.org"}, want: []string{"--public-url"}},
	})

	base, _ := startServe(t, map[string]string{"COALITION_DB": filepath.Join(t.TempDir(), "c.db"),
		"COALITION_PUBLIC_URL": "https://directory.example.org"})
	req, err := http.NewRequest(http.MethodGet, base+"/en/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "evil.example"
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if want := `<link rel="canonical" href="https://directory.example.org/en/">`; !strings.Contains(string(body), want) {
		t.Errorf("GET /en/ with Host evil.example: no %q in the page", want)
	}
	if strings.Contains(string(body), "evil.example") {
		t.Error("GET /en/ with Host evil.example: the Host header's name is in the page")
	}
}

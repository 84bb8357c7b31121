package api_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestDocsPages checks the pages for people: Swagger UI at /docs/ over
// /openapi.yaml with the bearer scheme, the Redoc reference at
// /docs/reference, every asset they name served by this server, and no
// address of another origin in them or in our scripts (a static check:
// the vendored bundles are not read).
func TestDocsPages(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	fetch := func(t *testing.T, path string) (*http.Response, string) {
		t.Helper()
		res, err := client.Get(s.url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, string(body)
	}

	for _, path := range []string{"/docs", "/docs/index.html"} {
		if res, _ := fetch(t, path); res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/docs/" {
			t.Errorf("%s: %d to %q, want 301 to /docs/", path, res.StatusCode, res.Header.Get("Location"))
		}
	}

	attr := regexp.MustCompile(`(?:src|href)="([^"]*)"|import [^"]*"([^"]*)"`)
	otherOrigin := regexp.MustCompile(`(?i)\b(?:https?:)?//[a-z0-9.-]+`)
	tests := []struct {
		page string
		want []string // what the page or its scripts must say
	}{
		{"/docs/", []string{`url: "/openapi.yaml"`, "validatorUrl: null", "persistAuthorization: true"}},
		{"/docs/reference", []string{`init("/openapi.yaml"`, "disableTelemetry: true"}},
	}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			res, html := fetch(t, tt.page)
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("status %d, %s", res.StatusCode, res.Header.Get("Content-Type"))
			}
			// The browser enforces what a static check cannot: no request elsewhere.
			csp := res.Header.Get("Content-Security-Policy")
			for _, directive := range []string{"default-src 'self'", "script-src 'self'", "img-src 'self' data:", "connect-src 'self'"} {
				if !strings.Contains(csp, directive+";") {
					t.Errorf("Content-Security-Policy %q lacks %s", csp, directive)
				}
			}
			if otherOrigin.MatchString(csp) {
				t.Errorf("Content-Security-Policy %q allows another origin", csp)
			}
			said := html
			assets := 0
			for _, m := range attr.FindAllStringSubmatch(html, -1) {
				url := m[1] + m[2]
				if otherOrigin.MatchString(url) {
					t.Errorf("names another origin: %s", url)
					continue
				}
				if !strings.HasPrefix(url, "/docs/") {
					continue // a link to the spec
				}
				assets++
				res, body := fetch(t, url)
				if res.StatusCode != http.StatusOK {
					t.Errorf("%s: status %d", url, res.StatusCode)
				}
				if strings.HasSuffix(url, ".js") && !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") {
					t.Errorf("%s: Content-Type %q, want text/javascript for module scripts", url, res.Header.Get("Content-Type"))
				}
				if strings.HasSuffix(url, "-init.js") || strings.HasSuffix(url, "reference.js") {
					said += body
					for _, m := range otherOrigin.FindAllString(body, -1) {
						t.Errorf("%s names another origin: %s", url, m)
					}
					for _, m := range attr.FindAllStringSubmatch(body, -1) {
						if res, _ := fetch(t, m[1]+m[2]); res.StatusCode != http.StatusOK {
							t.Errorf("%s imports %s: status %d", url, m[1]+m[2], res.StatusCode)
						}
					}
				}
			}
			if assets < 1 {
				t.Errorf("no assets found in %s", html)
			}
			for _, w := range tt.want {
				if !strings.Contains(said, w) {
					t.Errorf("the page and its scripts do not say %s", w)
				}
			}
		})
	}

	if res, _ := fetch(t, "/docs/no-such-file.js"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a missing asset: status %d", res.StatusCode)
	}
}

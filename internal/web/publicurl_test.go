package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/coalition-directory/coalition/internal/web"
)

// getWithHost fetches path from s with the Host header host, as a client
// that names another site would.
func (s *testSite) getWithHost(path, host string) page {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Host = host
	return s.read(mustDo(s.t, s.client, req))
}

// TestPublicURL checks that with a public URL set, every absolute link of
// the pages (canonical, og:url, alternates, the embed snippet, the embed's
// links) starts with it whatever Host the request names; and that without
// one they follow the Host header, as they always have.
func TestPublicURL(t *testing.T) {
	t.Parallel()
	const public = "https://directory.example.org"
	tests := []struct {
		name   string
		opts   web.Options
		origin string // the origin of absolute links
	}{
		{"public URL", web.Options{PublicURL: public + "/"}, public},
		{"no public URL", web.Options{}, "http://evil.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newTestSite(t, tt.opts)
			pages := []struct {
				path string
				want []string
			}{
				{"/", []string{`<link rel="canonical" href="` + tt.origin + `/">`, `hreflang="en" href="` + tt.origin + `/en/"`,
					`<meta property="og:url" content="` + tt.origin + `/">`, `&lt;iframe src=&#34;` + tt.origin + `/embed`}},
				{"/en/org/nadezhda-nizhny-novgorod", []string{`<link rel="canonical" href="` + tt.origin + `/en/org/nadezhda-nizhny-novgorod">`,
					`hreflang="ru" href="` + tt.origin + `/org/nadezhda-nizhny-novgorod"`}},
				{"/embed?region=RU-NIZ", []string{`<link rel="canonical" href="` + tt.origin + `/embed?region=RU-NIZ">`,
					`href="` + tt.origin + `/org/nadezhda-nizhny-novgorod"`, `href="` + tt.origin + `/?region=RU-NIZ#results"`}},
			}
			for _, p := range pages {
				got := s.getWithHost(p.path, "evil.example")
				if got.status != http.StatusOK {
					t.Errorf("GET %s: status %d", p.path, got.status)
				}
				for _, w := range p.want {
					if !strings.Contains(got.body, w) {
						t.Errorf("GET %s: no %q in the page", p.path, w)
					}
				}
				if tt.origin == public && strings.Contains(got.body, "evil.example") {
					t.Errorf("GET %s: the Host header's name is in the page", p.path)
				}
			}
		})
	}
}

func TestParsePublicURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string // want "" for an error
	}{
		{"https://directory.example.org", "https://directory.example.org"},
		{"https://Directory.Example.org/", "https://directory.example.org"},
		{"http://localhost:8080", "http://localhost:8080"},
		{"directory.example.org", ""},
		{"/relative", ""},
		{"ftp://directory.example.org", ""},
		{"https://", ""},
		{"https://:443", ""},
		{"https://directory.example.org/catalog", ""},
		{"https://directory.example.org/?x=1", ""},
		{"https://directory.example.org/#top", ""},
		{"https://user@directory.example.org", ""},
		{"https://directory example.org", ""},
	}
	for _, tt := range tests {
		got, err := web.ParsePublicURL(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParsePublicURL(%q) = %q, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParsePublicURL(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := web.New(nil, nil, web.Options{PublicURL: "directory.example.org"}); err == nil {
		t.Error("New took a public URL that is not absolute")
	}
}

package web_test

import (
	"strings"
	"testing"

	"github.com/coalition-directory/coalition/internal/web"
)

// TestCheckFrameAncestors checks the frame-ancestors sources against the
// source expressions of CSP Level 3 (section 2.3.1): whatever could end the
// directive or add another is refused, named in the error.
func TestCheckFrameAncestors(t *testing.T) {
	t.Parallel()
	valid := [][]string{
		nil,
		{"*"},
		{"'self'"},
		{"'none'"},
		{"'SELF'", "https:"},
		{"https://member.example.org", "https://partner.example.net"},
		{"https://*.example.org", "http://localhost:8080", "example.org", "*.example.org:*"},
		{"https://example.org/embed/", "https://example.org/a%3Bb", "wss://example.org.", "chrome-extension:"},
	}
	for _, sources := range valid {
		if err := web.CheckFrameAncestors(sources); err != nil {
			t.Errorf("%q: %v", sources, err)
		}
	}
	invalid := []struct {
		sources []string
		bad     []string // the values the error must name
	}{
		{[]string{"https://a.example;", "script-src", "*"}, []string{`"https://a.example;"`}},
		{[]string{"https://a.example/x;script-src"}, []string{`"https://a.example/x;script-src"`}},
		{[]string{"'unsafe-inline'"}, []string{`"'unsafe-inline'"`}},
		{[]string{"'none'", "https://a.example"}, []string{`"'none'"`}},
		{[]string{"https://a.example:80x", "https://exa mple.org", "https://a..example", "//a.example"},
			[]string{`"https://a.example:80x"`, `"https://exa mple.org"`, `"https://a..example"`, `"//a.example"`}},
		{[]string{"https://a.example/\n", "https://ex\u00e4mple.org", "https://a.example//x", "'self"},
			[]string{`"https://a.example/\n"`, `"https://exämple.org"`, `"https://a.example//x"`, `"'self"`}},
		{[]string{"https://a.example", "http://*.*.example"}, []string{`"http://*.*.example"`}},
	}
	for _, tt := range invalid {
		err := web.CheckFrameAncestors(tt.sources)
		if err == nil {
			t.Errorf("%q: accepted", tt.sources)
			continue
		}
		for _, b := range tt.bad {
			if !strings.Contains(err.Error(), b) {
				t.Errorf("%q: error %q does not name %s", tt.sources, err, b)
			}
		}
	}
}

// TestNewRefusesBadFrameAncestors checks that the pages cannot be built
// with a frame-ancestors value that would inject a directive into the CSP.
func TestNewRefusesBadFrameAncestors(t *testing.T) {
	t.Parallel()
	_, err := web.New(nil, nil, web.Options{FrameAncestors: []string{"https://a.example;", "script-src", "*"}})
	if err == nil || !strings.Contains(err.Error(), `"https://a.example;"`) {
		t.Errorf("got %v, want an error naming the bad source", err)
	}
}

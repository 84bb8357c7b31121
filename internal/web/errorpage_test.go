package web_test

import (
	"strings"
	"testing"

	"github.com/coalition-directory/coalition/internal/web"
)

// TestPagePastTheEnd checks that a page of results past the last is a 404
// with the site's layout, a link to the last page and no canonical link,
// while an empty list's first page is a page like any other.
func TestPagePastTheEnd(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, web.Options{})
	tests := []struct {
		path   string
		status int
		want   []string
		absent []string
	}{
		{"/?page=1000", 404, []string{"Такой страницы результатов нет", `href="/?page=4#results"`, `<meta name="robots" content="noindex">`, `<html lang="ru">`},
			[]string{"Найдено", `rel="canonical"`, "page=1000&", `hreflang="en" href`, `og:url`}},
		{"/en/?page=5&country=RU", 404, []string{"There is no such page of results", `href="/en/?country=RU&amp;page=`, `<meta name="robots" content="noindex">`},
			[]string{"found", `rel="canonical"`}},
		{"/?page=4", 200, []string{"Страница 4 из 4", `rel="canonical"`}, []string{"noindex"}},
		{"/?q=zzzzzzqqq", 200, []string{"Ничего не найдено", `rel="canonical"`}, []string{"noindex"}},
		{"/en/?q=zzzzzzqqq&page=2", 404, []string{`href="/en/?q=zzzzzzqqq#results"`, "noindex"}, []string{`rel="canonical"`}},
	}
	for _, tt := range tests {
		p := s.get(tt.path)
		if p.status != tt.status {
			t.Errorf("GET %s: status %d, want %d", tt.path, p.status, tt.status)
		}
		for _, w := range tt.want {
			if !strings.Contains(p.body, w) {
				t.Errorf("GET %s: no %q in the page", tt.path, w)
			}
		}
		for _, a := range tt.absent {
			if strings.Contains(p.body, a) {
				t.Errorf("GET %s: %q in the page", tt.path, a)
			}
		}
	}
}

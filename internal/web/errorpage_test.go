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

// TestErrorPagesAreNotIndexed checks that error pages, in both languages,
// ask not to be indexed and carry no canonical, og:url or alternate link,
// and that a refused query comes back once, in the search box to mend,
// not in every link of the page (a 5,000-letter q gave 264 KB).
func TestErrorPagesAreNotIndexed(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, web.Options{})
	long := strings.Repeat("ж", 5000)
	tests := []struct {
		path   string
		status int
	}{
		{"/?q=" + long, 400},
		{"/en/?q=" + long, 400},
		{"/?region=XX-1", 400},
		{"/embed?q=" + long, 400},
		{"/embed?lang=en&q=" + long, 400},
		{"/no/such/page?q=" + long, 404},
		{"/en/org/no-such-organization", 404},
		{"/en/?page=99", 404},
	}
	for _, tt := range tests {
		p := s.get(tt.path)
		name := tt.path[:min(len(tt.path), 40)]
		if p.status != tt.status {
			t.Errorf("GET %s: status %d, want %d", name, p.status, tt.status)
		}
		if !strings.Contains(p.body, `<meta name="robots" content="noindex">`) {
			t.Errorf("GET %s: no noindex", name)
		}
		for _, a := range []string{`rel="canonical"`, `rel="alternate"`, `og:url`, "%D0%B6%D0%B6"} {
			if strings.Contains(p.body, a) {
				t.Errorf("GET %s: %q in the page", name, a)
			}
		}
		if n := strings.Count(p.body, long); n > 1 {
			t.Errorf("GET %s: the query %d times in the page", name, n)
		}
		if len(p.body) > 200<<10 {
			t.Errorf("GET %s: %d bytes", name, len(p.body))
		}
	}
	for _, lang := range []string{"ru", "en"} {
		p := s.postForm("/signin", map[string][]string{"csrf": {s.csrf()}, "key": {"wrong"}, "lang": {lang}})
		if p.status != 401 || !strings.Contains(p.body, "noindex") || strings.Contains(p.body, `rel="canonical"`) {
			t.Errorf("POST /signin with a wrong key (%s): status %d, noindex %t, canonical %t", lang, p.status,
				strings.Contains(p.body, "noindex"), strings.Contains(p.body, `rel="canonical"`))
		}
		p = s.postForm("/signin", map[string][]string{"csrf": {"forged"}, "key": {"wrong"}, "lang": {lang}})
		if p.status != 403 || !strings.Contains(p.body, "noindex") || strings.Contains(p.body, `rel="canonical"`) {
			t.Errorf("POST /signin with a forged token (%s): status %d, noindex %t", lang, p.status, strings.Contains(p.body, "noindex"))
		}
	}
}

package web_test

import (
	"net/http"
	"net/url"
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
	tests := []pageCase{
		{"/?page=1000", 404, []string{"Такой страницы результатов нет", `href="/?page=4#results"`, `<meta name="robots" content="noindex">`, `<html lang="ru">`},
			[]string{"Найдено", `rel="canonical"`, "page=1000&", `hreflang="en" href`, `og:url`}},
		{"/en/?page=5&country=RU", 404, []string{"There is no such page of results", `href="/en/?country=RU&amp;page=`, `<meta name="robots" content="noindex">`},
			[]string{"found", `rel="canonical"`}},
		{"/?page=4", 200, []string{"Страница 4 из 4", `rel="canonical"`}, []string{"noindex"}},
		{"/?q=zzzzzzqqq", 200, []string{"Ничего не найдено", `rel="canonical"`}, []string{"noindex"}},
		{"/en/?q=zzzzzzqqq&page=2", 404, []string{`href="/en/?q=zzzzzzqqq#results"`, "noindex"}, []string{`rel="canonical"`}},
	}
	for _, tt := range tests {
		s.checkPage(t, tt)
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

// TestCrossOriginPostGetsErrorPage checks that a form post from another
// origin, which http.CrossOriginProtection refuses, gets the site's 403
// page in the form's language, not the protection's plain English text.
func TestCrossOriginPostGetsErrorPage(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, web.Options{})
	tests := []struct {
		path, lang, want string
	}{
		{"/signin", "ru", "Форма устарела"},
		{"/signin", "en", "The form has expired"},
		{"/signout", "ru", "Форма устарела"},
		{"/signout", "en", "The form has expired"},
	}
	for _, tt := range tests {
		form := url.Values{"key": {"cdk_x"}, "csrf": {s.csrf()}, "lang": {tt.lang}}
		req, err := http.NewRequest(http.MethodPost, s.url+tt.path, strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "https://evil.example")
		p := s.read(mustDo(t, s.client, req))
		if p.status != http.StatusForbidden {
			t.Errorf("POST %s (%s): status %d, want 403", tt.path, tt.lang, p.status)
		}
		if ct := p.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("POST %s (%s): Content-Type %q", tt.path, tt.lang, ct)
		}
		for _, w := range []string{`<html lang="` + tt.lang + `">`, tt.want, "noindex"} {
			if !strings.Contains(p.body, w) {
				t.Errorf("POST %s (%s): no %q in the page", tt.path, tt.lang, w)
			}
		}
		if strings.Contains(p.body, "cross-origin") {
			t.Errorf("POST %s (%s): the protection's own text", tt.path, tt.lang)
		}
	}
}

func mustDo(t *testing.T, c *http.Client, req *http.Request) *http.Response {
	t.Helper()
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

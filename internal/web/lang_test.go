package web_test

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"

	"github.com/coalition-directory/coalition/internal/web"
)

// TestLanguageOfParts checks that text in the other language is marked
// with its language (WCAG 2.2 SC 3.1.2): a description shown in its
// original English on a Russian page, a Cyrillic city on an English one;
// and that no Cyrillic text of an English page's body is left in English.
func TestLanguageOfParts(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, web.Options{})
	tests := []struct {
		path string
		want []string
	}{
		{"/?q=danube", []string{`lang="en">Danube Initiative</a>`, `<p class="summary" lang="en">Researches trafficking`}},
		{"/org/danube-initiative-cahul", []string{`<h1 lang="en">`, `<div class="description" lang="en"><p>Researches trafficking`,
			`офис, <span lang="en">Mon–Fri 9:00–17:00</span>`}},
		{"/en/?region=RU-NIZ", []string{`<p class="place"><span lang="ru">Нижний Новгород</span>`}},
		{"/en/org/danube-initiative-cahul", []string{`<p class="place"><span lang="ru">Кагул</span>, `, `<dd lang="ru">бульвар Модельный`}},
		{"/en/org/nadezhda-nizhny-novgorod", []string{`<span class="acronym" lang="ru">`}},
		{"/embed?region=RU-NIZ&lang=en", []string{`<p class="place"><span lang="ru">Нижний Новгород</span>`}},
		{"/embed?q=danube", []string{`lang="en">Danube Initiative</a>`}},
		{"/embed?q=danube&lang=en", []string{`<p class="place"><span lang="ru">Кагул</span>`}},
	}
	for _, tt := range tests {
		p := s.get(tt.path)
		if p.status != 200 {
			t.Fatalf("GET %s: status %d", tt.path, p.status)
		}
		for _, w := range tt.want {
			if !strings.Contains(p.body, w) {
				t.Errorf("GET %s: no %q in the page", tt.path, w)
			}
		}
	}
	for _, path := range []string{"/en/", "/en/?page=2", "/en/?page=3", "/en/?page=4", "/en/org/danube-initiative-cahul",
		"/en/org/nadezhda-nizhny-novgorod", "/en/country/RU", "/embed?lang=en", "/en/signin", "/en/nothing"} {
		p := s.get(path)
		for _, text := range unmarkedCyrillic(t, p.body) {
			t.Errorf("GET %s: %q is Cyrillic text with no lang=\"ru\"", path, text)
		}
	}
}

// unmarkedCyrillic lists the body's text nodes with Cyrillic letters whose
// nearest lang attribute is not "ru".
func unmarkedCyrillic(t *testing.T, body string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	var walk func(n *html.Node, lang string, inBody bool)
	walk = func(n *html.Node, lang string, inBody bool) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if a.Key == "lang" {
					lang = a.Val
				}
			}
			inBody = inBody || n.Data == "body"
		}
		if n.Type == html.TextNode && inBody && lang != "ru" && strings.IndexFunc(n.Data, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) >= 0 {
			found = append(found, n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, lang, inBody)
		}
	}
	walk(doc, "", false)
	return found
}

package web

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCatalogueCoversTemplates fails when a template names a message the
// catalogue lacks, or a message lacks a language.
func TestCatalogueCoversTemplates(t *testing.T) {
	t.Parallel()
	msgs := messages()
	for key, m := range msgs {
		if m.ru == "" || m.en == "" {
			t.Errorf("message %q lacks a language: %+v", key, m)
		}
		if strings.Count(m.ru, "%") != strings.Count(m.en, "%") {
			t.Errorf("message %q: the languages have different verbs: %+v", key, m)
		}
	}
	uses := regexp.MustCompile(`\.(T|Tf|N|Text)\("([^"]+)"`)
	found := 0
	files, err := filepath.Glob("*.templ")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range files {
		body, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range uses.FindAllStringSubmatch(string(body), -1) {
			found++
			keys := []string{m[2]}
			if m[1] == "N" {
				keys = []string{m[2] + ".one", m[2] + ".few", m[2] + ".many"}
			}
			for _, k := range keys {
				if _, ok := msgs[k]; !ok {
					t.Errorf("%s uses message %q, which the catalogue lacks", p, k)
				}
			}
		}
	}
	if found < 50 {
		t.Errorf("found only %d message uses: the pattern is broken", found)
	}
}

func TestPluralForms(t *testing.T) {
	t.Parallel()
	msgs := messages()
	tests := []struct {
		lang string
		n    int
		want string
	}{
		{"ru", 1, "Найдена 1 организация"}, {"ru", 2, "Найдено 2 организации"}, {"ru", 5, "Найдено 5 организаций"},
		{"ru", 11, "Найдено 11 организаций"}, {"ru", 21, "Найдена 21 организация"}, {"ru", 63, "Найдено 63 организации"},
		{"ru", 112, "Найдено 112 организаций"}, {"en", 1, "1 organization found"}, {"en", 0, "0 organizations found"},
	}
	for _, tt := range tests {
		if got := msgs.count(tt.lang, "results.found", tt.n); got != tt.want {
			t.Errorf("count(%s, %d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
}

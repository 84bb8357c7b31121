package web

import (
	"context"
	"html"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestTemplatesNameAssets fails when a template asks for an asset that is
// not embedded: page.Asset would give an empty URL, a broken link that no
// page test notices. Every Asset call must name its asset literally, so
// that this test sees them all.
func TestTemplatesNameAssets(t *testing.T) {
	t.Parallel()
	h, err := New(slog.New(slog.NewTextHandler(io.Discard, nil)), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	calls := regexp.MustCompile(`\.Asset\(`)
	named := regexp.MustCompile(`\.Asset\("([^"]+)"\)`)
	files, err := filepath.Glob("*.templ")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, p := range files {
		body, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		uses := named.FindAllStringSubmatch(string(body), -1)
		if n := len(calls.FindAllString(string(body), -1)); n != len(uses) {
			t.Errorf("%s calls Asset %d times, %d of them with a literal name", p, n, len(uses))
		}
		for _, m := range uses {
			found++
			if _, ok := h.assetURLs[m[1]]; !ok {
				t.Errorf("%s asks for asset %q, which is not embedded", p, m[1])
			}
		}
	}
	if found < 4 {
		t.Errorf("found only %d asset uses: the pattern is broken", found)
	}
}

// TestFrameTexts fails when a message drawn at start differs from the
// message escaped as a template would escape it per request.
func TestFrameTexts(t *testing.T) {
	t.Parallel()
	h, err := New(slog.New(slog.NewTextHandler(io.Discard, nil)), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for lang, f := range h.frames {
		p := &page{Lang: lang, msgs: h.msgs, frame: f}
		for _, key := range []string{"site.name", "org.address_hidden", "nav.switch", "no.such.key"} {
			var b strings.Builder
			if err := p.Text(key).Render(context.Background(), &b); err != nil {
				t.Fatal(err)
			}
			if want := html.EscapeString(p.T(key)); b.String() != want {
				t.Errorf("%s: Text(%q) = %q, want %q", lang, key, b.String(), want)
			}
		}
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"", 5, ""},
		{"приют", 5, "приют"},
		{"приюты", 5, "приют…"},
		{"приют и горячая линия", 30, "приют и горячая линия"},
		{"приют и горячая линия", 21, "приют и горячая линия"},
		{"приют и горячая линия", 20, "приют и горячая…"},
		{"приют и горячая линия", 12, "приют и…"},
		{"приют, и горячая", 7, "приют…"},
		{"abcdefgh ij", 4, "abcd…"},
	}
	for _, tt := range tests {
		if got := truncate(tt.s, tt.n); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

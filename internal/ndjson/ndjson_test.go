package ndjson

import (
	"bytes"
	stdjson "encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/directory"
)

// TestWriterMatchesEncodingJSON checks that lines are byte for byte what
// encoding/json writes, so that files exported before the faster encoder
// and after it are alike.
func TestWriterMatchesEncodingJSON(t *testing.T) {
	orgs, err := demo.Organizations()
	if err != nil {
		t.Fatal(err)
	}
	orgs = append(orgs, demo.Generate(500, 2)...)
	verified := time.Date(2025, 3, 1, 12, 30, 0, 123456000, time.UTC)
	orgs[0].VerifiedAt = &verified
	orgs[1].Translations[directory.LangEN] = directory.Text{Name: `Quotes "and" <tags> & \ back\slash`, Description: "tab\tnew\nline \u2028"}
	var got, want bytes.Buffer
	w := NewWriter(&got)
	std := stdjson.NewEncoder(&want)
	std.SetEscapeHTML(false)
	for i := range orgs {
		if err := w.Write(&orgs[i]); err != nil {
			t.Fatal(err)
		}
		if err := std.Encode(toRecord(&orgs[i])); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	gotLines, wantLines := strings.Split(got.String(), "\n"), strings.Split(want.String(), "\n")
	for i := range min(len(gotLines), len(wantLines)) {
		if gotLines[i] != wantLines[i] {
			t.Fatalf("line %d:\n got %s\nwant %s", i+1, gotLines[i], wantLines[i])
		}
	}
	if len(gotLines) != len(wantLines) {
		t.Fatalf("%d lines, want %d", len(gotLines), len(wantLines))
	}
}

// TestReadWhatWriterWrites reads back what the Writer wrote.
func TestReadWhatWriterWrites(t *testing.T) {
	orgs := demo.Generate(200, 3)
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for i := range orgs {
		if err := w.Write(&orgs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	var n int
	for rec := range Read(&buf, Replace) {
		if rec.Err != nil {
			t.Fatalf("line %d: %v", rec.Row, rec.Err)
		}
		o := orgs[n]
		got := directory.Organization{}
		if err := rec.Apply(&got); err != nil {
			t.Fatal(err)
		}
		if rec.ID != o.ID || rec.Slug != o.Slug || !rec.Whole || !slices.Equal(got.FocusAreas, o.FocusAreas) ||
			len(got.Contacts) != len(o.Contacts) || got.Translations[o.OriginalLanguage] != o.Translations[o.OriginalLanguage] {
			t.Fatalf("line %d: read %+v, wrote %+v", rec.Row, got, o)
		}
		n++
	}
	if n != len(orgs) {
		t.Fatalf("read %d records, wrote %d", n, len(orgs))
	}
}

package ndjson_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/ndjson"
)

// FuzzRead feeds arbitrary bytes to the import reader in both modes and
// applies its records to a new organization: it must never panic or hang, and must number records by increasing line, at most one
// per line.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"",
		"\n\n\r\n",
		`{"original_language":"ru","translations":{"ru":{"name":"Приют"}},"country_code":"RU","focus_areas":["shelter"]}` + "\n",
		`{"original_language":"en","translations":{"en":{"name":"A"}},"country_code":"KZ","phones":[{"number":"+77172000000","kind":"office"}],"contacts":[{"name":"Desk","visibility":"public","is_primary":true}]}`,
		`{"address_hidden":true,"ADDRESS_HIDDEN":false}`,
		`{"country_code":"RU","country_code":"KZ"}`,
		`{"translations":{"ru":{"name":"a"},"ru":{"name":"b"}}}`,
		strings.Repeat("[", 100000),
		strings.Repeat(`{"a":`, 10000),
		"{\"original_language\":\"ru\",\"translations\":{\"ru\":{\"name\":\"\xff\xfe\"}}}",
		"\xef\xbb\xbf{}",
		"{}\n[]\nnull\n\"x\"\n1e999\n",
		`{"created_at":"2026-13-01T00:00:00Z","member_since":"yesterday"}`,
		`{"phones":[` + strings.Repeat(`{"number":"1"},`, 1000) + `{}]}`,
		"{}{}",
		"{\"id\":\"\u0000\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, mode := range []ndjson.Mode{ndjson.Replace, ndjson.Merge} {
			last := 0
			n := 0
			for rec := range ndjson.Read(bytes.NewReader(data), mode) {
				if rec.Err == nil {
					rec.Apply(&directory.Organization{Translations: map[string]directory.Text{}})
				}
				if rec.Row <= last {
					t.Fatalf("record numbered %d after %d", rec.Row, last)
				}
				last = rec.Row
				if n++; n > bytes.Count(data, []byte("\n"))+1 {
					t.Fatalf("%d records from %d lines", n, bytes.Count(data, []byte("\n"))+1)
				}
			}
		}
	})
}

package csvio_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/coalition-directory/coalition/internal/csvio"
	"github.com/coalition-directory/coalition/internal/directory"
)

// FuzzRead feeds arbitrary bytes to the CSV import reader and applies its
// records to a new organization: it must never panic or hang, must number records by increasing spreadsheet row (the
// header is row 1), and must yield no more records than the input has
// lines.
func FuzzRead(f *testing.F) {
	header := strings.Join(csvio.Header(1, 1), ",") + "\n"
	for _, s := range []string{
		"",
		"\ufeff",
		header,
		header + ",,ru,Приют,,,,,RU,RU-NIZ,,,,,shelter,member,,,,,,,,,,,,,,,,,,,\n",
		"name_ru;country_code\nПриют;RU\n",
		"name_ru,country_code\n\"Приют\"\"\",RU\n\"unterminated\n",
		"name_ru,name_ru,country_code\na,b,RU\n",
		"name_ru,country_code,phone_0,contact_99999999999999999999_name\n",
		"name_ru,country_code,address_hidden,created_at\na,RU,maybe,2026-13-01\n",
		"name_ru,country_code\n\xcf\xf0\xe8\xfe\xf2,RU\n", // Windows-1251
		"name_ru,country_code\n\xff\xfe,RU\n",
		"name_ru,country_code\n" + strings.Repeat("[", 10000) + ",RU\n",
		"name_ru,country_code\na\n" + strings.Repeat(",", 1000) + "\n",
		"\r\n\r\n,\r\n",
		"name_ru,country_code,focus_areas\na,RU,\"" + strings.Repeat("x,", 500) + "\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		last := 0
		lines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 1
		for rec := range csvio.NewReader(bytes.NewReader(data)).Records() {
			if rec.Err == nil {
				rec.Apply(&directory.Organization{Translations: map[string]directory.Text{}})
			}
			if rec.Row <= last {
				t.Fatalf("record numbered %d after %d", rec.Row, last)
			}
			last = rec.Row
			if rec.Row > lines+1 {
				t.Fatalf("row %d from %d lines", rec.Row, lines)
			}
		}
	})
}

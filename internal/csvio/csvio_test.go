package csvio

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/coalition-directory/coalition/internal/directory"
)

func TestReadDetectsExcelSemicolonsAndBOM(t *testing.T) {
	file := "\uFEFFname_ru;name_en;country_code;focus_areas;phone_1;phone_1_kind;contact_1_name;contact_1_primary\r\n" +
		"Центр «Берег»;Shore;ru;\"shelter, hotline\";8 861 200-00-01;hotline;Ирина;да\r\n" +
		";;;;;;;\r\n" +
		"Фонд;;RU;prevention;;;;\r\n"
	var got []directory.ImportRecord
	for rec := range NewReader(strings.NewReader(file)).Records() {
		got = append(got, rec)
	}
	if len(got) != 2 {
		t.Fatalf("got %d records, want 2 (the blank row is skipped)", len(got))
	}
	o := applied(t, got[0])
	if got[0].Err != nil || got[0].Row != 2 || got[1].Row != 4 {
		t.Fatalf("rows %d and %d, error %v", got[0].Row, got[1].Row, got[0].Err)
	}
	if o.Translations["ru"].Name != "Центр «Берег»" || o.Translations["en"].Name != "Shore" || o.OriginalLanguage != "" {
		t.Errorf("names %+v", o.Translations)
	}
	if len(o.FocusAreas) != 2 || o.FocusAreas[1] != "hotline" || len(o.Phones) != 1 || o.Phones[0].Kind != "hotline" {
		t.Errorf("lists: %v, phones %+v", o.FocusAreas, o.Phones)
	}
	if len(o.Contacts) != 1 || !o.Contacts[0].IsPrimary {
		t.Errorf("contacts %+v", o.Contacts)
	}
}

// applied is what rec makes of a new organization.
func applied(t *testing.T, rec directory.ImportRecord) directory.Organization {
	t.Helper()
	o := directory.Organization{Translations: map[string]directory.Text{}}
	if rec.Err != nil {
		t.Fatalf("row %d: %v", rec.Row, rec.Err)
	}
	if err := rec.Apply(&o); err != nil {
		t.Fatalf("row %d: %v", rec.Row, err)
	}
	return o
}

func TestReadRejectsBadHeadersAndCells(t *testing.T) {
	tests := []struct{ file, field string }{
		{"name_ru,country_code,colour\nX,RU,red\n", "colour"},
		{"name_ru,name_ru,country_code\nX,Y,RU\n", "name_ru"},
		{"country_code\nRU\n", "name_ru"},
		{"name_ru,country_code,address_hidden\nX,RU,maybe\n", "address_hidden"},
		{"name_ru,country_code,created_at\nX,RU,yesterday\n", "created_at"},
		{"city\nПермь\n", "name_ru"}, // no column to match or create by
		// A group number past any limit is an error, not billions of groups to walk.
		{"name_ru,country_code,contact_99999999999999999999_name\nX,RU,Y\n", "contact_99999999999999999999_name"},
		{"name_ru,country_code,phone_101\nX,RU,112\n", "phone_101"},
	}
	for _, tt := range tests {
		var errs []directory.FieldError
		for rec := range NewReader(strings.NewReader(tt.file)).Records() {
			err := rec.Err
			if err == nil {
				err = rec.Apply(&directory.Organization{Translations: map[string]directory.Text{}})
			}
			if de, ok := err.(*directory.Error); ok {
				errs = append(errs, de.Fields...)
			}
		}
		if len(errs) == 0 || errs[0].Field != tt.field {
			t.Errorf("%q: errors %+v, want one naming %s", tt.file, errs, tt.field)
		}
	}
}

func TestWriteThenRead(t *testing.T) {
	at := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	in := directory.Organization{
		ID: "0193b8a2-7c1e-7d4a-9f00-5b2c1e9a0c11", Slug: "bereg", OriginalLanguage: "ru",
		Translations: map[string]directory.Text{"ru": {Name: "Берег, «центр»", Description: "Строка 1\nСтрока 2"}},
		CountryCode:  "RU", FocusAreas: []string{"shelter", "legal-aid"}, MembershipStatus: directory.StatusAssociate,
		Phones:    []directory.Phone{{Number: "+78612000001", Kind: directory.PhoneOffice}},
		Contacts:  []directory.Contact{{ID: "0193b8a2-7c1e-7d4a-9f00-5b2c1e9a0c12", Name: "Ирина", Visibility: directory.VisibilityPublic, IsPrimary: true}},
		CreatedAt: at, UpdatedAt: at, VerifiedAt: &at,
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(&in); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	var out directory.ImportRecord
	for rec := range NewReader(&buf).Records() {
		out = rec
	}
	o := applied(t, out)
	if out.ID != in.ID || out.Slug != in.Slug || o.Translations["ru"] != in.Translations["ru"] || !o.CreatedAt.Equal(at) ||
		len(o.Phones) != 1 || len(o.Contacts) != 1 || o.Contacts[0].ID != in.Contacts[0].ID || o.MembershipStatus != in.MembershipStatus {
		t.Errorf("round trip gave %+v", o)
	}
}

func TestColumnName(t *testing.T) {
	for field, want := range map[string]string{
		"phones[0].number": "phone_1", "phones[2].kind": "phone_3_kind", "contacts[1].email": "contact_2_email",
		"contacts[0].is_primary": "contact_1_primary", "focus_areas[3]": "focus_areas", "name": "name_ru",
		"translations.en.name": "name_en", "email": "email",
	} {
		if got := ColumnName(field, "ru"); got != want {
			t.Errorf("ColumnName(%q) = %q, want %q", field, got, want)
		}
	}
}

package jsondecode

import (
	"testing"

	"github.com/segmentio/encoding/json"
)

// line is an organization as an export writes it.
const line = `{"id":"0193b8a2-7c1e-7d4a-9f00-5b2c1e9a0c11","slug":"nadezhda-nizhny-novgorod","original_language":"ru","translations":{"en":{"name":"Hope Centre of Nizhny Novgorod","description":"Hotline and shelter for women and children."},"ru":{"name":"Центр «Надежда» Нижнего Новгорода","description":"Горячая линия и приют для женщин и детей."}},"acronym":"ЦН","country_code":"RU","region_code":"RU-NIZ","city":"Нижний Новгород","service_regions":["RU-NIZ","RU-VLA"],"focus_areas":["hotline","shelter","child-protection"],"membership_status":"member","member_since":"2003-05-12","website":"https://nadezhda.example.org","email":"info@nadezhda.example.org","phones":[{"number":"+78312000000","kind":"hotline","description":"24/7"},{"number":"+78312000099","extension":"123","kind":"office"}],"languages":["ru","en"],"contacts":[{"name":"Hotline desk","role":"Hotline","email":"help@nadezhda.example.org","visibility":"public"}]}`

type benchRecord struct {
	ID               string                       `json:"id"`
	Slug             string                       `json:"slug"`
	OriginalLanguage string                       `json:"original_language"`
	Translations     map[string]map[string]string `json:"translations"`
	Acronym          string                       `json:"acronym"`
	CountryCode      string                       `json:"country_code"`
	RegionCode       string                       `json:"region_code"`
	City             string                       `json:"city"`
	ServiceRegions   []string                     `json:"service_regions"`
	FocusAreas       []string                     `json:"focus_areas"`
	MembershipStatus string                       `json:"membership_status"`
	MemberSince      string                       `json:"member_since"`
	Website          string                       `json:"website"`
	Email            string                       `json:"email"`
	Phones           []map[string]string          `json:"phones"`
	Languages        []string                     `json:"languages"`
	Contacts         []map[string]string          `json:"contacts"`
}

// BenchmarkDecode is what every import line and body pays: the scan and
// the decoding.
func BenchmarkDecode(b *testing.B) {
	data := []byte(line)
	for b.Loop() {
		var r benchRecord
		if found, err := Decode(data, &r); err != nil || len(found) > 0 {
			b.Fatal(found, err)
		}
	}
}

// BenchmarkParse is the decoding alone, as before the scan.
func BenchmarkParse(b *testing.B) {
	data := []byte(line)
	for b.Loop() {
		var r benchRecord
		if _, err := json.Parse(data, &r, json.DisallowUnknownFields); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScan is the scan alone.
func BenchmarkScan(b *testing.B) {
	data := []byte(line)
	for b.Loop() {
		if err := scan(data); err != nil {
			b.Fatal(err)
		}
	}
}

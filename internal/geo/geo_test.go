package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/geo/internal/build"
)

// cis are the countries every region of which must have both names.
var cis = []string{"AM", "AZ", "BY", "GE", "KG", "KZ", "MD", "RU", "TJ", "TM", "UA", "UZ"}

func mustLoad(t *testing.T) *Atlas {
	t.Helper()
	a, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return a
}

// isRussian reports whether s has letters and all are of the Russian alphabet.
func isRussian(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
			if !(r >= 'А' && r <= 'я' || r == 'ё' || r == 'Ё') {
				return false
			}
		}
	}
	return letters > 0
}

func TestCountries(t *testing.T) {
	a := mustLoad(t)
	cs := a.Countries()
	if len(cs) < 245 || len(cs) > 260 {
		t.Errorf("got %d countries, want about 249 (ISO 3166-1)", len(cs))
	}
	for i, c := range cs {
		if i > 0 && cs[i-1].Code >= c.Code {
			t.Errorf("countries not sorted: %s before %s", cs[i-1].Code, c.Code)
		}
		if len(c.Code) != 2 || strings.ToUpper(c.Code) != c.Code {
			t.Errorf("country code %q: want two upper-case letters", c.Code)
		}
		if c.NameEN == "" {
			t.Errorf("country %s: no English name", c.Code)
		}
		if !isRussian(c.NameRU) {
			t.Errorf("country %s: Russian name %q is not in Russian Cyrillic", c.Code, c.NameRU)
		}
	}
}

func TestCountry(t *testing.T) {
	a := mustLoad(t)
	tests := []struct {
		code   string
		wantOK bool
		wantEN string
		wantRU string
	}{
		{"RU", true, "Russia", "Россия"},
		{"ru", true, "Russia", "Россия"},
		{"MD", true, "Moldova", "Молдова"},
		{"KZ", true, "Kazakhstan", "Казахстан"},
		{"KG", true, "Kyrgyzstan", "Киргизия"},
		{"BY", true, "Belarus", "Беларусь"},
		{"UA", true, "Ukraine", "Украина"},
		{"GE", true, "Georgia", "Грузия"},
		{"AM", true, "Armenia", "Армения"},
		{"CD", true, "Democratic Republic of the Congo", "Демократическая Республика Конго"},
		{"BA", true, "Bosnia and Herzegovina", "Босния и Герцеговина"},
		{"XX", false, "", ""},
		{"", false, "", ""},
		{"RUS", false, "", ""},
	}
	for _, tt := range tests {
		c, ok := a.Country(tt.code)
		if ok != tt.wantOK {
			t.Errorf("Country(%q): got ok %v, want %v", tt.code, ok, tt.wantOK)
			continue
		}
		if c.NameEN != tt.wantEN || c.NameRU != tt.wantRU {
			t.Errorf("Country(%q): got %q / %q, want %q / %q", tt.code, c.NameEN, c.NameRU, tt.wantEN, tt.wantRU)
		}
		if ok && c.Code != strings.ToUpper(tt.code) {
			t.Errorf("Country(%q): got code %q, want it upper case", tt.code, c.Code)
		}
	}
}

func TestRegionsOfCISHaveBothNames(t *testing.T) {
	a := mustLoad(t)
	for _, cc := range cis {
		t.Run(cc, func(t *testing.T) {
			rs := a.Regions(cc)
			if len(rs) == 0 {
				t.Fatalf("no regions")
			}
			for _, r := range rs {
				if r.NameEN == "" {
					t.Errorf("%s: no English name", r.Code)
				}
				if !isRussian(r.NameRU) {
					t.Errorf("%s: Russian name %q is not in Russian Cyrillic", r.Code, r.NameRU)
				}
				if r.Type == "" {
					t.Errorf("%s: no type", r.Code)
				}
			}
		})
	}
	if n := len(a.Regions("RU")); n < 80 {
		t.Errorf("Russia: got %d regions, want the 80-odd federal subjects", n)
	}
}

func TestRegion(t *testing.T) {
	a := mustLoad(t)
	tests := []struct {
		code    string
		wantOK  bool
		wantCC  string
		wantEN  string
		wantRU  string
		comment string
	}{
		{"RU-MOW", true, "RU", "Moscow", "Москва", ""},
		{"RU-SPE", true, "RU", "Saint Petersburg", "Санкт-Петербург", ""},
		{"RU-NIZ", true, "RU", "Nizhny Novgorod", "Нижегородская область", ""},
		{"ru-niz", true, "RU", "Nizhny Novgorod", "Нижегородская область", "lower case"},
		{"RU-MOS", true, "RU", "Moscow Province", "Московская область", ""},
		{"RU-KEM", true, "RU", "Kemerovo", "Кемеровская область — Кузбасс", "override: 2019 name"},
		{"KZ-AST", true, "KZ", "Astana", "Астана", "override: not Nur-Sultan"},
		{"KZ-ALA", true, "KZ", "Almaty", "Алматы", "override: not Alma-Ata"},
		{"KZ-YUZ", true, "KZ", "Turkistan Region", "Туркестанская область", "override: renamed 2018"},
		{"BY-HM", true, "BY", "Minsk", "Минск", ""},
		{"BY-MI", true, "BY", "Minsk Region", "Минская область", ""},
		{"UA-30", true, "UA", "Kyiv", "Киев", ""},
		{"UA-46", true, "UA", "Lviv Oblast", "Львовская область", "override"},
		{"UA-48", true, "UA", "Mykolaiv Oblast", "Николаевская область", "Russian from CLDR"},
		{"GE-TB", true, "GE", "Tbilisi", "Тбилиси", ""},
		{"GE-KA", true, "GE", "Kakheti", "Кахетия", "Russian from CLDR"},
		{"MD-CU", true, "MD", "Chișinău", "Кишинёв", ""},
		{"MD-GA", true, "MD", "Gagauzia", "Гагаузия", ""},
		{"AM-ER", true, "AM", "Yerevan", "Ереван", ""},
		{"AM-LO", true, "AM", "Lori", "Лорийская область", "Russian from CLDR"},
		{"UZ-TK", true, "UZ", "Tashkent", "Ташкент", "city and region share a msgid"},
		{"UZ-TO", true, "UZ", "Tashkent Province", "Ташкентская область", "city and region share a msgid"},
		{"AZ-SA", true, "AZ", "Shaki", "Шеки", "city and district share a msgid"},
		{"AZ-BAB", false, "", "", "", "second level (parent AZ-NX)"},
		{"RU-XXX", false, "", "", "", ""},
		{"RU", false, "", "", "", ""},
		{"", false, "", "", "", ""},
	}
	for _, tt := range tests {
		r, ok := a.Region(tt.code)
		if ok != tt.wantOK {
			t.Errorf("Region(%q) %s: got ok %v, want %v", tt.code, tt.comment, ok, tt.wantOK)
			continue
		}
		if r.CountryCode != tt.wantCC || r.NameEN != tt.wantEN || r.NameRU != tt.wantRU {
			t.Errorf("Region(%q) %s: got %s %q / %q, want %s %q / %q", tt.code, tt.comment,
				r.CountryCode, r.NameEN, r.NameRU, tt.wantCC, tt.wantEN, tt.wantRU)
		}
	}
}

func TestRegionsBelongToTheirCountry(t *testing.T) {
	a := mustLoad(t)
	total := 0
	for _, c := range a.Countries() {
		rs := a.Regions(c.Code)
		total += len(rs)
		for i, r := range rs {
			prefix, _, _ := strings.Cut(r.Code, "-")
			if r.CountryCode != c.Code || prefix != c.Code {
				t.Errorf("Regions(%s) has %s with country %s", c.Code, r.Code, r.CountryCode)
			}
			if i > 0 && rs[i-1].Code >= r.Code {
				t.Errorf("Regions(%s) not sorted: %s before %s", c.Code, rs[i-1].Code, r.Code)
			}
			if got, ok := a.Region(r.Code); !ok || got != r {
				t.Errorf("Region(%s): got %+v, %v, want %+v", r.Code, got, ok, r)
			}
		}
	}
	if total != len(a.region) {
		t.Errorf("Regions of all countries hold %d regions, Region knows %d", total, len(a.region))
	}
	if got := a.Regions("ru"); len(got) != len(a.Regions("RU")) {
		t.Errorf("Regions(\"ru\"): got %d, want as many as Regions(\"RU\")", len(got))
	}
	if got := a.Regions("XX"); len(got) != 0 {
		t.Errorf("Regions(\"XX\"): got %d regions, want none", len(got))
	}
}

func TestResultsAreCopies(t *testing.T) {
	a := mustLoad(t)
	cs := a.Countries()
	cs[0].NameEN = "changed"
	if a.Countries()[0].NameEN == "changed" {
		t.Error("changing the slice from Countries changed the Atlas")
	}
	rs := a.Regions("RU")
	rs[0].NameEN = "changed"
	if a.Regions("RU")[0].NameEN == "changed" {
		t.Error("changing the slice from Regions changed the Atlas")
	}
}

func TestParseRejectsBadData(t *testing.T) {
	tests := []struct {
		name string
		data string
	}{
		{"not JSON", `{"countries":`},
		{"country without Russian name", `{"countries":[{"code":"RU","en":"Russia"}]}`},
		{"country twice", `{"countries":[{"code":"RU","en":"Russia","ru":"Россия"},{"code":"RU","en":"Russia","ru":"Россия"}]}`},
		{"region of unknown country", `{"countries":[{"code":"RU","en":"Russia","ru":"Россия"}],"regions":[{"code":"XX-A","type":"t","en":"A"}]}`},
		{"region without English name", `{"countries":[{"code":"RU","en":"Russia","ru":"Россия"}],"regions":[{"code":"RU-A","type":"t","ru":"А"}]}`},
		{"region twice", `{"countries":[{"code":"RU","en":"Russia","ru":"Россия"}],"regions":[{"code":"RU-A","type":"t","en":"A"},{"code":"RU-A","type":"t","en":"A"}]}`},
	}
	for _, tt := range tests {
		if _, err := parse([]byte(tt.data)); err == nil {
			t.Errorf("%s: got no error", tt.name)
		}
	}
}

// TestPlacesUpToDate regenerates places.json in memory from the installed
// Debian sources and the overrides file, and fails when the embedded copy
// differs: run go generate ./internal/geo and commit the result. It skips when
// the sources are absent or are other releases than the file was made from.
func TestPlacesUpToDate(t *testing.T) {
	share := os.DirFS("/usr/share")
	if _, err := fs.Stat(share, "iso-codes/json/iso_3166-2.json"); errors.Is(err, fs.ErrNotExist) {
		t.Skip("Debian iso-codes not installed: cannot regenerate places.json")
	}
	installed, err := build.ReadVersions(share)
	if err != nil {
		t.Skipf("sources not usable: %v", err)
	}
	var embedded struct {
		Sources build.Versions `json:"sources"`
	}
	if err := json.Unmarshal(placesJSON, &embedded); err != nil {
		t.Fatalf("parse embedded places.json: %v", err)
	}
	if installed != embedded.Sources {
		t.Skipf("installed sources %+v differ from those places.json was made from, %+v", installed, embedded.Sources)
	}
	overrides, err := os.ReadFile("internal/geogen/overrides.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := build.Places(share, overrides)
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	if !bytes.Equal(got, placesJSON) {
		gotLines, wantLines := strings.Split(string(got), "\n"), strings.Split(string(placesJSON), "\n")
		i := 0
		for i < min(len(gotLines), len(wantLines)) && gotLines[i] == wantLines[i] {
			i++
		}
		line := func(ls []string) string {
			if i < len(ls) {
				return ls[i]
			}
			return "(end of file)"
		}
		t.Fatalf("places.json is stale: run go generate ./internal/geo\nfirst difference at line %d:\nembedded:  %s\ngenerated: %s",
			i+1, line(wantLines), line(gotLines))
	}
}

// TestNameFallsBack checks the data works with the domain's language fallback:
// a region elsewhere in the world may lack a Russian name.
func TestNameFallsBack(t *testing.T) {
	a := mustLoad(t)
	var missing []directory.Region
	for _, c := range a.Countries() {
		for _, r := range a.Regions(c.Code) {
			if r.NameRU == "" {
				missing = append(missing, r)
			}
		}
	}
	for _, r := range missing {
		if slices.Contains(cis, r.CountryCode) {
			t.Errorf("%s: no Russian name", r.Code)
		}
		if got := r.Name(directory.LangRU); got != r.NameEN {
			t.Errorf("%s: Name(ru) = %q, want the English %q", r.Code, got, r.NameEN)
		}
	}
}

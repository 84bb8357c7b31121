// Package build generates the reference data file of package geo (places.json)
// from Debian's iso-codes (ISO 3166-1 and 3166-2 codes, types and Russian
// translations), Unicode CLDR (English and Russian country and subdivision
// names) and a small reviewed overrides file. It is a package of its own, not
// part of the geogen command, so that geo's tests can regenerate the file in
// memory and fail when the committed copy is stale.
package build

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Paths of the sources inside /usr/share, where Debian's iso-codes and
// unicode-cldr-core packages install them.
const (
	iso31661JSON = "iso-codes/json/iso_3166-1.json"
	iso31662JSON = "iso-codes/json/iso_3166-2.json"
	iso31661MO   = "locale/ru/LC_MESSAGES/iso_3166-1.mo"
	iso31662MO   = "locale/ru/LC_MESSAGES/iso_3166-2.mo"
	isoCodesPC   = "pkgconfig/iso-codes.pc"
	cldrMainEN   = "unicode/cldr/common/main/en.xml"
	cldrMainRU   = "unicode/cldr/common/main/ru.xml"
	cldrSubEN    = "unicode/cldr/common/subdivisions/en.xml"
	cldrSubRU    = "unicode/cldr/common/subdivisions/ru.xml"
	cldrDTD      = "unicode/cldr/common/dtd/ldml.dtd"
)

// completeCountries are the countries whose every region must have both an
// English and a Russian name, or generation fails: Russia and the CIS
// countries the coalition's members work in.
const completeCountries = "AM AZ BY GE KG KZ MD RU TJ TM UA UZ"

// Versions records which releases of the sources a data file was generated
// from, so that a check for staleness can tell a changed generator or
// overrides file from a machine with different Debian packages installed.
type Versions struct {
	ISOCodes string `json:"iso_codes"`
	CLDR     string `json:"cldr"`
}

// Country is one record of the generated file.
type Country struct {
	Code string `json:"code"`
	EN   string `json:"en"`
	RU   string `json:"ru"`
}

// Region is one record of the generated file. Its country is the prefix of
// its code, so it is not stored.
type Region struct {
	Code string `json:"code"`
	Type string `json:"type"`
	EN   string `json:"en"`
	RU   string `json:"ru,omitempty"`
}

// Overrides is the reviewed overrides file: names, by ISO code, that replace
// what the sources give, each with the reason.
type Overrides struct {
	Countries map[string]Override `json:"countries"`
	Regions   map[string]Override `json:"regions"`
	// AddedRegions are first-level regions that ISO 3166-2 has and the
	// sources do not have yet, by code. An addition fails the generation
	// once the sources have the code, so it is removed rather than kept.
	AddedRegions map[string]Addition `json:"added_regions"`
}

// Addition is a region the sources lack, with its names and the reason.
type Addition struct {
	Type string `json:"type"`
	EN   string `json:"en"`
	RU   string `json:"ru"`
	Why  string `json:"why"`
}

// Override replaces the English and/or Russian name of one country or region.
type Override struct {
	EN  string `json:"en,omitempty"`
	RU  string `json:"ru,omitempty"`
	Why string `json:"why"`
}

// ReadVersions returns the versions of the iso-codes and CLDR data installed
// under share (normally /usr/share).
func ReadVersions(share fs.FS) (Versions, error) {
	pc, err := fs.ReadFile(share, isoCodesPC)
	if err != nil {
		return Versions{}, fmt.Errorf("read iso-codes version: %w", err)
	}
	iso := regexp.MustCompile(`(?m)^Version:\s*(\S+)`).FindSubmatch(pc)
	if iso == nil {
		return Versions{}, fmt.Errorf("read iso-codes version: no Version line in %s", isoCodesPC)
	}
	dtd, err := fs.ReadFile(share, cldrDTD)
	if err != nil {
		return Versions{}, fmt.Errorf("read CLDR version: %w", err)
	}
	cldr := regexp.MustCompile(`cldrVersion\s+CDATA\s+#FIXED\s+"([^"]+)"`).FindSubmatch(dtd)
	if cldr == nil {
		return Versions{}, fmt.Errorf("read CLDR version: no cldrVersion in %s", cldrDTD)
	}
	return Versions{ISOCodes: string(iso[1]), CLDR: string(cldr[1])}, nil
}

// Places generates the data file from the sources under share (normally
// os.DirFS("/usr/share")) and the overrides file's content. The output is
// deterministic: one record per line, countries and regions sorted by code.
// It fails when a country lacks an English or Russian name, when a region of
// the complete countries does, or when an override is unknown, unexplained,
// not Russian where it should be, or redundant with the sources.
func Places(share fs.FS, overridesJSON []byte) ([]byte, error) {
	versions, err := ReadVersions(share)
	if err != nil {
		return nil, err
	}
	src, err := readSources(share)
	if err != nil {
		return nil, err
	}
	var ov Overrides
	dec := json.NewDecoder(bytes.NewReader(overridesJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ov); err != nil {
		return nil, fmt.Errorf("parse overrides: %w", err)
	}

	countries, err := src.countries(ov.Countries)
	if err != nil {
		return nil, err
	}
	regions, err := src.regions(ov.Regions, ov.AddedRegions)
	if err != nil {
		return nil, err
	}
	return encode(versions, countries, regions)
}

// sources holds everything read from the Debian packages.
type sources struct {
	iso1   []isoCountry
	iso2   []isoSubdivision
	ru1    map[string]string // iso-codes Russian translations of ISO 3166-1 names
	ru2    map[string]string // iso-codes Russian translations of ISO 3166-2 names
	terrEN map[string]string // CLDR English territory names by alpha-2 code
	terrRU map[string]string
	subEN  map[string]string // CLDR English subdivision names by id ("runiz")
	subRU  map[string]string
}

type isoCountry struct {
	Alpha2     string `json:"alpha_2"`
	Name       string `json:"name"`
	CommonName string `json:"common_name"`
}

type isoSubdivision struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	Parent string `json:"parent"`
}

func readSources(share fs.FS) (*sources, error) {
	var s sources
	var iso1 struct {
		Countries []isoCountry `json:"3166-1"`
	}
	if err := readJSON(share, iso31661JSON, &iso1); err != nil {
		return nil, err
	}
	s.iso1 = iso1.Countries
	var iso2 struct {
		Subdivisions []isoSubdivision `json:"3166-2"`
	}
	if err := readJSON(share, iso31662JSON, &iso2); err != nil {
		return nil, err
	}
	s.iso2 = iso2.Subdivisions

	var err error
	if s.ru1, err = readMO(share, iso31661MO); err != nil {
		return nil, err
	}
	if s.ru2, err = readMO(share, iso31662MO); err != nil {
		return nil, err
	}
	if s.terrEN, err = readCLDR(share, cldrMainEN, territories); err != nil {
		return nil, err
	}
	if s.terrRU, err = readCLDR(share, cldrMainRU, territories); err != nil {
		return nil, err
	}
	if s.subEN, err = readCLDR(share, cldrSubEN, subdivisions); err != nil {
		return nil, err
	}
	if s.subRU, err = readCLDR(share, cldrSubRU, subdivisions); err != nil {
		return nil, err
	}
	if len(s.iso1) == 0 || len(s.iso2) == 0 {
		return nil, errors.New("iso-codes JSON holds no countries or no subdivisions")
	}
	return &s, nil
}

func readJSON(share fs.FS, name string, v any) error {
	data, err := fs.ReadFile(share, name)
	if err != nil {
		return fmt.Errorf("read iso-codes: %w", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("parse %s: %w", name, err)
	}
	return nil
}

func readMO(share fs.FS, name string) (map[string]string, error) {
	data, err := fs.ReadFile(share, name)
	if err != nil {
		return nil, fmt.Errorf("read iso-codes translations: %w", err)
	}
	msgs, err := parseMO(data)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	return msgs, nil
}

// countries names every ISO 3166-1 country. English: CLDR's name (the common
// short one, "Russia", "Moldova"), else iso-codes' common or formal name.
// Russian: CLDR's, else iso-codes' translation. Overrides win.
func (s *sources) countries(ov map[string]Override) ([]Country, error) {
	var out []Country
	used := make(map[string]bool)
	for _, ic := range s.iso1 {
		c := Country{
			Code: ic.Alpha2,
			EN:   firstNonEmpty(clean(s.terrEN[ic.Alpha2]), ic.CommonName, ic.Name),
			RU:   firstRussian(clean(s.terrRU[ic.Alpha2]), s.ru1[ic.CommonName], s.ru1[ic.Name]),
		}
		if o, ok := ov[c.Code]; ok {
			used[c.Code] = true
			var err error
			if c.EN, c.RU, err = apply(c.Code, o, c.EN, c.RU); err != nil {
				return nil, err
			}
		}
		if c.EN == "" || !isRussian(c.RU) {
			return nil, fmt.Errorf("country %s: no English or Russian name (en %q, ru %q): add an override", c.Code, c.EN, c.RU)
		}
		out = append(out, c)
	}
	if err := unused("country", ov, used); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Country) int { return strings.Compare(a.Code, b.Code) })
	return out, nil
}

// regions names the first-level ISO 3166-2 subdivisions of every country
// (those without a parent in iso-codes). English: CLDR's name, else the
// iso-codes name. Russian: iso-codes' translation when it is Russian and its
// msgid names only one region of the country (gettext keys translations by
// the romanized name, so "Toshkent" the city and "Toshkent" the region share
// one), else CLDR's. Overrides win.
func (s *sources) regions(ov map[string]Override, added map[string]Addition) ([]Region, error) {
	var top []isoSubdivision
	names := make(map[string]int) // "RU\x00Moskva" -> regions so named
	for _, sd := range s.iso2 {
		if sd.Parent != "" {
			continue
		}
		cc, _, ok := strings.Cut(sd.Code, "-")
		if !ok {
			return nil, fmt.Errorf("region %q: code has no country prefix", sd.Code)
		}
		top = append(top, sd)
		names[cc+"\x00"+sd.Name]++
	}
	complete := make(map[string]bool)
	for _, cc := range strings.Fields(completeCountries) {
		complete[cc] = true
	}

	var out []Region
	used := make(map[string]bool)
	for _, sd := range top {
		cc, _, _ := strings.Cut(sd.Code, "-")
		id := strings.ToLower(strings.ReplaceAll(sd.Code, "-", ""))
		isoRU := s.ru2[sd.Name]
		if names[cc+"\x00"+sd.Name] > 1 {
			isoRU = ""
		}
		r := Region{
			Code: sd.Code,
			Type: sd.Type,
			EN:   firstNonEmpty(clean(s.subEN[id]), sd.Name),
			RU:   firstRussian(isoRU, clean(s.subRU[id])),
		}
		if o, ok := ov[r.Code]; ok {
			used[r.Code] = true
			var err error
			if r.EN, r.RU, err = apply(r.Code, o, r.EN, r.RU); err != nil {
				return nil, err
			}
		}
		if complete[cc] && (r.EN == "" || r.RU == "") {
			return nil, fmt.Errorf("region %s: no English or Russian name (en %q, ru %q): add an override", r.Code, r.EN, r.RU)
		}
		out = append(out, r)
	}
	if err := unused("region", ov, used); err != nil {
		return nil, err
	}
	for code, a := range added {
		cc, _, _ := strings.Cut(code, "-")
		switch {
		case slices.ContainsFunc(out, func(r Region) bool { return r.Code == code }):
			return nil, fmt.Errorf("added region %s: the sources have it now: remove the addition", code)
		case !slices.ContainsFunc(out, func(r Region) bool { return strings.HasPrefix(r.Code, cc+"-") }):
			return nil, fmt.Errorf("added region %s: the sources have no region of its country", code)
		case strings.TrimSpace(a.Why) == "":
			return nil, fmt.Errorf("added region %s: no why", code)
		case a.Type == "" || a.EN == "" || a.RU == "":
			return nil, fmt.Errorf("added region %s: needs type, en and ru", code)
		case !isRussian(a.RU):
			return nil, fmt.Errorf("added region %s: ru %q is not in Russian Cyrillic", code, a.RU)
		}
		out = append(out, Region{Code: code, Type: a.Type, EN: a.EN, RU: a.RU})
	}
	slices.SortFunc(out, func(a, b Region) int { return strings.Compare(a.Code, b.Code) })
	return out, nil
}

// apply returns the names after override o, checking that the override is
// explained, Russian where it should be, and not redundant with the sources.
func apply(code string, o Override, en, ru string) (string, string, error) {
	switch {
	case strings.TrimSpace(o.Why) == "":
		return "", "", fmt.Errorf("override %s: no why", code)
	case o.EN == "" && o.RU == "":
		return "", "", fmt.Errorf("override %s: neither en nor ru", code)
	case o.RU != "" && !isRussian(o.RU):
		return "", "", fmt.Errorf("override %s: ru %q is not in Russian Cyrillic", code, o.RU)
	case o.EN != "" && o.EN == en:
		return "", "", fmt.Errorf("override %s: en %q is what the sources give: remove it", code, o.EN)
	case o.RU != "" && o.RU == ru:
		return "", "", fmt.Errorf("override %s: ru %q is what the sources give: remove it", code, o.RU)
	}
	return firstNonEmpty(o.EN, en), firstNonEmpty(o.RU, ru), nil
}

// unused fails when an override names a code the sources do not have, so that
// a stale override is noticed rather than silently ignored.
func unused(kind string, ov map[string]Override, used map[string]bool) error {
	var stale []string
	for code := range ov {
		if !used[code] {
			stale = append(stale, code)
		}
	}
	if len(stale) > 0 {
		slices.Sort(stale)
		return fmt.Errorf("overrides for unknown or excluded %s codes: %s", kind, strings.Join(stale, ", "))
	}
	return nil
}

// clean spells out the abbreviations CLDR uses in names for compact user
// interfaces: "&" becomes "and", and Russian "о-в"/"о-ва" become
// "остров"/"острова"; and it capitalizes the first letter, as a name shown on
// its own wants ("о-в Мэн" -> "Остров Мэн").
func clean(name string) string {
	words := strings.Fields(name)
	for i, w := range words {
		switch w {
		case "&":
			words[i] = "and"
		case "о-в":
			words[i] = "остров"
		case "о-ва":
			words[i] = "острова"
		}
	}
	if len(words) > 0 {
		r, size := utf8.DecodeRuneInString(words[0])
		words[0] = string(unicode.ToUpper(r)) + words[0][size:]
	}
	return strings.Join(words, " ")
}

// isRussian reports whether s has letters and all of them are of the Russian
// alphabet, so that a transliteration, a copied Latin name or another
// Cyrillic language's spelling is not taken for Russian.
func isRussian(s string) bool {
	letters := 0
	for _, r := range s {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		if !(r >= 'А' && r <= 'я' || r == 'ё' || r == 'Ё') {
			return false
		}
	}
	return letters > 0
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func firstRussian(ss ...string) string {
	for _, s := range ss {
		if isRussian(s) {
			return s
		}
	}
	return ""
}

// encode writes the data file: one record per line, so that a regeneration
// shows as a readable diff, and without HTML escaping, so names stay legible.
func encode(v Versions, countries []Country, regions []Region) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	b.WriteString(`{"sources":`)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode sources: %w", err)
	}
	b.Truncate(b.Len() - 1) // Encode's newline
	b.WriteString(",\n\"countries\":[\n")
	for i, c := range countries {
		if i > 0 {
			b.WriteString(",\n")
		}
		if err := enc.Encode(c); err != nil {
			return nil, fmt.Errorf("encode country %s: %w", c.Code, err)
		}
		b.Truncate(b.Len() - 1)
	}
	b.WriteString("\n],\"regions\":[\n")
	for i, r := range regions {
		if i > 0 {
			b.WriteString(",\n")
		}
		if err := enc.Encode(r); err != nil {
			return nil, fmt.Errorf("encode region %s: %w", r.Code, err)
		}
		b.Truncate(b.Len() - 1)
	}
	b.WriteString("\n]}\n")
	return b.Bytes(), nil
}

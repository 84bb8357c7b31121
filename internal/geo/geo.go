// Package geo provides the reference data of places the directory stores
// codes for: the ISO 3166-1 countries and their first-level ISO 3166-2
// regions (for Russia, the federal subjects), with English and Russian names.
//
// The data is generated once into places.json and embedded in the binary, so
// the directory needs no network or system package at run time. It comes from
// Debian's iso-codes (codes, subdivision types, Russian translations;
// LGPL-2.1-or-later) and Unicode CLDR (English and Russian names; the Unicode
// licence), corrected by a reviewed overrides file with a reason for every
// entry; see NOTICE for the licences and internal/build for the naming rules.
// Every country has both names, and so has every region of Russia and the
// CIS countries the coalition works in (AM AZ BY GE KG KZ MD RU TJ TM UA UZ);
// elsewhere a region may lack a Russian name, and directory.Region.Name falls
// back to English.
//
// To regenerate after editing internal/geogen/overrides.json or upgrading the
// Debian packages iso-codes and unicode-cldr-core:
//
//	go generate ./internal/geo
//
// The package's tests fail when the embedded file differs from what the
// generator makes from the installed sources.
package geo

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/coalition-directory/coalition/internal/directory"
)

//go:generate go run ./internal/geogen

//go:embed places.json
var placesJSON []byte

// Atlas is the loaded reference data: countries and regions by code. It is
// read-only after Load, so one Atlas can be shared by concurrent callers.
type Atlas struct {
	countries []directory.Country // sorted by code
	country   map[string]directory.Country
	region    map[string]directory.Region
	regions   map[string][]directory.Region // by country code, sorted by code
}

// placesFile is the shape of places.json, written by internal/build.
type placesFile struct {
	Countries []struct {
		Code string `json:"code"`
		EN   string `json:"en"`
		RU   string `json:"ru"`
	} `json:"countries"`
	Regions []struct {
		Code string `json:"code"`
		Type string `json:"type"`
		EN   string `json:"en"`
		RU   string `json:"ru"`
	} `json:"regions"`
}

// Load parses the embedded reference data. It fails only when the embedded
// file is malformed, which the package's tests rule out; callers load once at
// start-up and pass the Atlas to what needs it.
func Load() (*Atlas, error) {
	a, err := parse(placesJSON)
	if err != nil {
		return nil, fmt.Errorf("geo: load places.json: %w", err)
	}
	return a, nil
}

// parse builds an Atlas from a data file, checking that codes are unique,
// names present and every region's code starts with a known country's.
func parse(data []byte) (*Atlas, error) {
	var f placesFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	a := &Atlas{
		countries: make([]directory.Country, 0, len(f.Countries)),
		country:   make(map[string]directory.Country, len(f.Countries)),
		region:    make(map[string]directory.Region, len(f.Regions)),
		regions:   make(map[string][]directory.Region),
	}
	for _, c := range f.Countries {
		if c.Code == "" || c.EN == "" || c.RU == "" {
			return nil, fmt.Errorf("country %q: missing code or name", c.Code)
		}
		if _, dup := a.country[c.Code]; dup {
			return nil, fmt.Errorf("country %s: listed twice", c.Code)
		}
		country := directory.Country{Code: c.Code, NameEN: c.EN, NameRU: c.RU}
		a.country[c.Code] = country
		a.countries = append(a.countries, country)
	}
	for _, r := range f.Regions {
		cc, _, _ := strings.Cut(r.Code, "-")
		if _, ok := a.country[cc]; !ok {
			return nil, fmt.Errorf("region %q: no country %q", r.Code, cc)
		}
		if r.EN == "" {
			return nil, fmt.Errorf("region %s: no English name", r.Code)
		}
		if _, dup := a.region[r.Code]; dup {
			return nil, fmt.Errorf("region %s: listed twice", r.Code)
		}
		region := directory.Region{Code: r.Code, CountryCode: cc, Type: r.Type, NameEN: r.EN, NameRU: r.RU}
		a.region[r.Code] = region
		a.regions[cc] = append(a.regions[cc], region)
	}
	slices.SortFunc(a.countries, func(x, y directory.Country) int { return strings.Compare(x.Code, y.Code) })
	for _, rs := range a.regions {
		slices.SortFunc(rs, func(x, y directory.Region) int { return strings.Compare(x.Code, y.Code) })
	}
	return a, nil
}

// Countries returns every ISO 3166-1 country, sorted by code. The slice is the
// caller's to keep or change.
func (a *Atlas) Countries() []directory.Country {
	return slices.Clone(a.countries)
}

// Country returns the country with the ISO 3166-1 alpha-2 code, in either
// case ("ru" finds RU; the returned Code is upper case), and whether there is
// one, so that callers can validate codes from users.
func (a *Atlas) Country(code string) (directory.Country, bool) {
	c, ok := a.country[strings.ToUpper(code)]
	return c, ok
}

// Regions returns the first-level regions of the country with the alpha-2
// code (in either case), sorted by code; none for an unknown country or one
// without subdivisions. The slice is the caller's to keep or change.
func (a *Atlas) Regions(country string) []directory.Region {
	return slices.Clone(a.regions[strings.ToUpper(country)])
}

// Region returns the region with the ISO 3166-2 code, in either case ("ru-niz"
// finds RU-NIZ), and whether there is one. Its CountryCode tells which country
// it belongs to, so callers can check that a region is within a country.
func (a *Atlas) Region(code string) (directory.Region, bool) {
	r, ok := a.region[strings.ToUpper(code)]
	return r, ok
}

package web

import (
	"strings"
	"testing"

	"github.com/coalition-directory/coalition/internal/geo"
)

// TestRegionMapCodes fails when the generated map has a region our
// reference data lacks, a region twice, or is missing a country.
func TestRegionMapCodes(t *testing.T) {
	t.Parallel()
	m, err := loadRegionMap(regionsTopoJSON)
	if err != nil {
		t.Fatal(err)
	}
	places, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	countries := map[string]int{}
	for _, s := range m.Shapes {
		if seen[s.Code] {
			t.Errorf("%s is on the map twice", s.Code)
		}
		seen[s.Code] = true
		r, ok := places.Region(s.Code)
		if !ok {
			t.Errorf("%s is on the map but not in the reference data", s.Code)
			continue
		}
		countries[r.CountryCode]++
		if !strings.HasPrefix(s.D, "M") || !strings.HasSuffix(s.D, "z") {
			t.Errorf("%s: path %.40q", s.Code, s.D)
		}
	}
	for _, c := range []string{"RU", "UA", "BY", "MD", "KZ", "KG", "TJ", "UZ", "TM", "AZ", "AM", "GE"} {
		if countries[c] == 0 {
			t.Errorf("no region of %s on the map", c)
		}
	}
	// Crimea and Sevastopol follow ISO 3166-2, as the reference data does.
	for _, code := range []string{"UA-43", "UA-40", "KZ-ALA", "KZ-ALM", "RU-MOW", "RU-SPE"} {
		if !seen[code] {
			t.Errorf("%s is not on the map", code)
		}
	}
	if m.Width <= 0 || m.Height <= 0 || len(m.Shapes) < 250 {
		t.Errorf("map %dx%d with %d regions", m.Width, m.Height, len(m.Shapes))
	}
}

func TestCountClass(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]int{0: 0, 1: 1, 2: 2, 3: 2, 4: 3, 6: 3, 7: 4, 100: 4} {
		if got := countClass(n); got != want {
			t.Errorf("countClass(%d) = %d, want %d", n, got, want)
		}
	}
}

package web

import (
	"cmp"
	"html"
	"html/template"
	"slices"
	"strconv"
	"strings"

	"github.com/coalition-directory/coalition/internal/directory"
)

// mapRegion is one region drawn on the map.
type mapRegion struct {
	D        string
	URL      string // the list filtered by the region; "" for a region with no organizations
	Label    string // name and count
	Class    int    // 0 (none) to 4 (most): the fill
	Selected bool
}

// mapRow is a line of the table that says what the map shows.
type mapRow struct {
	Name    string
	Country string
	Count   int
	URL     string
	OnMap   bool
}

// legendItem is one colour class of the map.
type legendItem struct {
	Class int
	Label string
}

// mapView is the choropleth of organization counts by region, with the
// same counts as a table.
type mapView struct {
	Width, Height int
	Regions       []mapRegion
	// Shapes is the regions as SVG elements, written in Go rather than by
	// the template: hundreds of paths escaped one by one cost more than
	// the rest of the page.
	Shapes template.HTML
	Legend []legendItem
	Table  []mapRow
}

// countClass maps a count to a colour class; the legend names the bounds.
func countClass(n int) int {
	switch {
	case n <= 0:
		return 0
	case n == 1:
		return 1
	case n <= 3:
		return 2
	case n <= 6:
		return 3
	}
	return 4
}

func (h *Handler) mapView(lang string, stats directory.Stats, selected string) mapView {
	counts := make(map[string]int, len(stats.ByRegion))
	for _, r := range stats.ByRegion {
		counts[r.Code] = r.Count
	}
	places := h.dir.Places()
	v := mapView{Width: h.regionMap.Width, Height: h.regionMap.Height}
	onMap := make(map[string]bool, len(h.regionMap.Shapes))
	for _, s := range h.regionMap.Shapes {
		onMap[s.Code] = true
		n := counts[s.Code]
		reg, _ := places.Region(s.Code)
		mr := mapRegion{D: s.D, Class: countClass(n), Selected: s.Code == selected,
			Label: reg.Name(lang) + ": " + h.msgs.count(lang, "country.members", n)}
		if n > 0 {
			mr.URL = langPrefix(lang) + "/?region=" + s.Code + "#results"
		}
		v.Regions = append(v.Regions, mr)
	}
	// Regions with organizations come last, so their outlines and focus
	// rings are drawn over their neighbours'.
	slices.SortStableFunc(v.Regions, func(a, b mapRegion) int { return cmp.Compare(a.Class, b.Class) })
	for _, r := range stats.ByRegion {
		c, _ := places.Country(r.CountryCode)
		v.Table = append(v.Table, mapRow{Name: r.Name(lang), Country: c.Name(lang), Count: r.Count,
			URL: langPrefix(lang) + "/?region=" + r.Code + "#results", OnMap: onMap[r.Code]})
	}
	slices.SortFunc(v.Table, func(a, b mapRow) int {
		return cmp.Or(strings.Compare(a.Country, b.Country), b.Count-a.Count, strings.Compare(a.Name, b.Name))
	})
	var b strings.Builder
	for _, r := range v.Regions {
		class := "c" + strconv.Itoa(r.Class)
		if r.Selected {
			class += " sel"
		}
		// Path data is digits, letters and spaces from loadRegionMap; URLs
		// and labels are escaped.
		if r.URL != "" {
			label := html.EscapeString(r.Label)
			b.WriteString(`<a href="` + html.EscapeString(r.URL) + `" aria-label="` + label + `"><path d="` + r.D + `" class="` + class + `"><title>` + label + "</title></path></a>\n")
		} else {
			b.WriteString(`<path d="` + r.D + `" class="` + class + `" aria-hidden="true"/>` + "\n")
		}
	}
	v.Shapes = template.HTML(b.String())
	for i, bounds := range []string{"0", "1", "2–3", "4–6", "7+"} {
		v.Legend = append(v.Legend, legendItem{Class: i, Label: bounds})
	}
	return v
}

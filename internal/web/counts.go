package web

import (
	"cmp"
	"context"
	"html"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/a-h/templ"

	"github.com/coalition-directory/coalition/internal/directory"
)

// countsView is what the front page draws from the directory's counts in
// one language, with nothing selected: the filters' choices, the map with
// its table, and the countries. Hundreds of regions make it most of the
// page's work, and it changes only when the counts or the vocabulary do,
// so the last one drawn in each language is kept (countsViews) and used
// while the service's counts, read on every request, are the same.
type countsView struct {
	stats directory.Stats
	areas []directory.FocusArea

	countries  []option
	focusAreas []option
	byCountry  []countryLink
	// regions are the region filter's groups, one per country, each with
	// its HTML with nothing selected.
	regions []drawnGroup
	// mapBase draws every region of the map, uncoloured; shapes are the
	// regions drawn over it, as SVG elements, unselected (empty for a
	// region with no organizations) and selected, in drawing order;
	// allShapes is mapBase and shapes joined, unselected.
	mapBase   string
	shapes    []mapShape
	allShapes string
	table     string // the map table's rows as HTML
}

// drawnGroup is a group of the region filter and its HTML, unselected.
type drawnGroup struct {
	optionGroup
	country string
	html    string
}

// mapShape is one region of the map as SVG, unselected and selected.
type mapShape struct {
	code, plain, selected string
}

// countsViews keeps the last countsView of each language.
type countsViews struct {
	mu     sync.Mutex
	byLang map[string]*countsView
}

// get returns the view of stats and areas in lang, drawing it when the
// kept one was drawn from other counts or another vocabulary.
func (c *countsViews) get(h *Handler, lang string, stats directory.Stats, areas []directory.FocusArea) *countsView {
	c.mu.Lock()
	v := c.byLang[lang]
	c.mu.Unlock()
	if v != nil && sameCounts(v.stats, stats) && slices.Equal(v.areas, areas) {
		return v
	}
	v = h.drawCounts(lang, stats, areas)
	c.mu.Lock()
	if c.byLang == nil {
		c.byLang = map[string]*countsView{}
	}
	c.byLang[lang] = v
	c.mu.Unlock()
	return v
}

// sameCounts reports whether a and b count the same organizations in the
// same countries and regions (what a countsView shows of them).
func sameCounts(a, b directory.Stats) bool {
	return a.Total == b.Total &&
		slices.EqualFunc(a.ByCountry, b.ByCountry, func(x, y directory.CountryCount) bool { return x.Code == y.Code && x.Count == y.Count }) &&
		slices.EqualFunc(a.ByRegion, b.ByRegion, func(x, y directory.RegionCount) bool { return x.Code == y.Code && x.Count == y.Count })
}

// drawCounts makes the countsView of stats and areas in lang.
func (h *Handler) drawCounts(lang string, stats directory.Stats, areas []directory.FocusArea) *countsView {
	v := &countsView{stats: stats, areas: areas}
	regionsOf := map[string][]option{}
	for _, reg := range stats.ByRegion {
		regionsOf[reg.CountryCode] = append(regionsOf[reg.CountryCode], option{Value: reg.Code,
			Label: reg.Name(lang) + " (" + strconv.Itoa(reg.Count) + ")"})
	}
	for _, c := range stats.ByCountry {
		v.countries = append(v.countries, option{Value: c.Code, Label: c.Name(lang) + " (" + strconv.Itoa(c.Count) + ")"})
		if c.Count > 0 {
			v.byCountry = append(v.byCountry, countryLink{URL: langPrefix(lang) + "/country/" + c.Code, Name: c.Name(lang), Count: c.Count})
		}
		if opts := regionsOf[c.Code]; len(opts) > 0 {
			slices.SortFunc(opts, func(a, b option) int { return strings.Compare(a.Label, b.Label) })
			g := optionGroup{Label: c.Name(lang), Options: opts}
			v.regions = append(v.regions, drawnGroup{optionGroup: g, country: c.Code, html: renderHTML(regionGroup(g))})
		}
	}
	for _, a := range areas {
		v.focusAreas = append(v.focusAreas, option{Value: a.Slug, Label: a.Label(lang)})
	}
	h.drawMap(v, lang, stats)
	return v
}

// renderHTML renders a component drawn from values this package made;
// such a component has no way to fail (it writes to memory).
func renderHTML(c templ.Component) string {
	var b strings.Builder
	c.Render(context.Background(), &b)
	return b.String()
}

// withSelection gives the page the filters and the map with the chosen
// country, region and focus area marked. A chosen country or region with
// no organizations is added, so the form still shows what was asked. Only
// what a selection changes is copied or drawn again; the rest is shared.
func (v *countsView) withSelection(places directory.Places, lang, country, region, focus string, l *listView) {
	l.Countries, l.FocusAreas, l.ByCountry = v.countries, v.focusAreas, v.byCountry
	l.Map.Shapes, l.Map.Table = v.allShapes, v.table
	if c, ok := places.Country(country); ok {
		l.Countries = slices.Clone(v.countries)
		if i := slices.IndexFunc(l.Countries, func(o option) bool { return o.Value == c.Code }); i >= 0 {
			l.Countries[i].Selected = true
		} else {
			l.Countries = append(l.Countries, option{Value: c.Code, Label: c.Name(lang) + " (0)", Selected: true})
		}
	}
	if i := slices.IndexFunc(v.focusAreas, func(o option) bool { return o.Value == focus }); i >= 0 {
		l.FocusAreas = slices.Clone(v.focusAreas)
		l.FocusAreas[i].Selected = true
	}
	reg, ok := places.Region(region)
	var b strings.Builder
	found := false
	for _, g := range v.regions {
		if !ok || g.country != reg.CountryCode {
			b.WriteString(g.html)
			continue
		}
		found = true
		b.WriteString(renderHTML(regionGroup(selectRegion(g.optionGroup, reg, lang))))
	}
	if ok && !found {
		// The region's country has no organizations, so no group yet.
		c, _ := places.Country(reg.CountryCode)
		b.WriteString(renderHTML(regionGroup(selectRegion(optionGroup{Label: c.Name(lang)}, reg, lang))))
	}
	l.RegionOptions = b.String()
	if ok && slices.ContainsFunc(v.shapes, func(s mapShape) bool { return s.code == reg.Code }) {
		var b strings.Builder
		b.Grow(len(v.allShapes) + 128)
		b.WriteString(v.mapBase)
		for _, s := range v.shapes {
			if s.code == reg.Code {
				b.WriteString(s.selected)
			} else {
				b.WriteString(s.plain)
			}
		}
		l.Map.Shapes = b.String()
	}
}

// selectRegion returns g with reg selected, added (with no organizations)
// when g lacks it.
func selectRegion(g optionGroup, reg directory.Region, lang string) optionGroup {
	opts := slices.Clone(g.Options)
	if i := slices.IndexFunc(opts, func(o option) bool { return o.Value == reg.Code }); i >= 0 {
		opts[i].Selected = true
	} else {
		opts = append(opts, option{Value: reg.Code, Label: reg.Name(lang) + " (0)", Selected: true})
		slices.SortFunc(opts, func(a, b option) int { return strings.Compare(a.Label, b.Label) })
	}
	return optionGroup{Label: g.Label, Options: opts}
}

// drawMap draws the choropleth of stats into v: each region's outline as
// SVG, a <use> of the outlines asset (regionMap.outlines), linked to the
// list filtered by it when it has organizations, and the same counts as a
// table.
func (h *Handler) drawMap(v *countsView, lang string, stats directory.Stats) {
	counts := make(map[string]int, len(stats.ByRegion))
	for _, r := range stats.ByRegion {
		counts[r.Code] = r.Count
	}
	places := h.dir.Places()
	onMap := make(map[string]bool, len(h.regionMap.Shapes))
	type drawn struct {
		code  string
		class int
		label string
		url   string
	}
	regions := make([]drawn, 0, len(h.regionMap.Shapes))
	for _, s := range h.regionMap.Shapes {
		onMap[s.Code] = true
		n := counts[s.Code]
		reg, _ := places.Region(s.Code)
		d := drawn{code: s.Code, class: countClass(n), label: reg.Name(lang) + ": " + h.msgs.count(lang, "country.members", n)}
		if n > 0 {
			d.url = langPrefix(lang) + "/?region=" + s.Code + "#results"
		}
		regions = append(regions, d)
	}
	// Regions with organizations come last, so their outlines and focus
	// rings are drawn over their neighbours'.
	slices.SortStableFunc(regions, func(a, b drawn) int { return cmp.Compare(a.class, b.class) })
	// Every region is drawn, uncoloured, by one <use> of the outlines'
	// group; those with organizations are drawn again over it, coloured and
	// linked, and a selected one with none is outlined. Codes and path data
	// are checked by loadRegionMap; URLs and labels are escaped.
	outlines := h.assetURLs[outlinesName] + "#"
	v.mapBase = `<use href="` + outlines + `all" class="c0" aria-hidden="true"/>` + "\n"
	var all strings.Builder
	all.WriteString(v.mapBase)
	for _, r := range regions {
		use := func(class, attrs string) string {
			return `<use href="` + outlines + r.code + `" class="` + class + `"` + attrs + `/>`
		}
		class := "c" + strconv.Itoa(r.class)
		s := mapShape{code: r.code}
		if r.url == "" {
			s.selected = use(class+" sel", ` aria-hidden="true"`) + "\n"
		} else {
			label := html.EscapeString(r.label)
			link := `<a href="` + html.EscapeString(r.url) + `" aria-label="` + label + `"><title>` + label + "</title>"
			s.plain = link + use(class, "") + "</a>\n"
			s.selected = link + use(class+" sel", "") + "</a>\n"
		}
		v.shapes = append(v.shapes, s)
		all.WriteString(s.plain)
	}
	v.allShapes = all.String()
	var table []mapRow
	for _, r := range stats.ByRegion {
		c, _ := places.Country(r.CountryCode)
		table = append(table, mapRow{Name: r.Name(lang), Country: c.Name(lang), Count: r.Count,
			URL: langPrefix(lang) + "/?region=" + r.Code + "#results", OnMap: onMap[r.Code]})
	}
	slices.SortFunc(table, func(a, b mapRow) int {
		return cmp.Or(strings.Compare(a.Country, b.Country), b.Count-a.Count, strings.Compare(a.Name, b.Name))
	})
	v.table = renderHTML(mapTableRows(table, h.msgs.text(lang, "map.no_boundary")))
}

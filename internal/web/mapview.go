package web

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
	ClassName string
	Label     string
}

// mapView is the choropleth of organization counts by region, with the
// same counts as a table.
type mapView struct {
	ViewBox string // the SVG's viewBox: "0 0 width height"
	// Shapes is the regions as SVG elements, drawn once per counts and
	// language (countsView) rather than by the template on every request.
	Shapes string
	Legend []legendItem
	Table  string // the table's rows as HTML, drawn with Shapes
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

// mapLegend is the map's colour classes (countClass) with the counts each
// stands for.
func mapLegend() []legendItem {
	return []legendItem{{"c0", "0"}, {"c1", "1"}, {"c2", "2–3"}, {"c3", "4–6"}, {"c4", "7+"}}
}

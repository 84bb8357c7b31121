package web

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// regionsTopoJSON is the region map: first-level regions of the reference
// countries, projected and simplified by .ci/mapgen from Natural Earth.
//
//go:embed regions.topojson
var regionsTopoJSON []byte

// regionShape is one region's outline as an SVG path.
type regionShape struct {
	Code string
	D    string // SVG path data in the map's viewBox
}

// regionMap is the map drawn once at start: each region's path in a
// viewBox whose width is mapWidth.
type regionMap struct {
	Width, Height int
	Shapes        []regionShape
}

// mapWidth is the width of the map's viewBox, in units of a few kilometres.
const mapWidth = 1600

// topology is the part of a TopoJSON file (RFC-less, the TopoJSON
// specification 1.0) that the map uses: quantized, delta-encoded arcs and
// polygons made of them.
type topology struct {
	Type      string     `json:"type"`
	BBox      [4]float64 `json:"bbox"`
	Transform struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Arcs    [][][2]float64 `json:"arcs"`
	Objects map[string]struct {
		Geometries []struct {
			Type       string          `json:"type"`
			Arcs       json.RawMessage `json:"arcs"`
			Properties struct {
				Code string `json:"code"`
			} `json:"properties"`
		} `json:"geometries"`
	} `json:"objects"`
}

// loadRegionMap turns the TopoJSON into SVG paths, with y pointing down and
// coordinates rounded to whole viewBox units, relative after each ring's
// first point to keep the page small.
func loadRegionMap(data []byte) (*regionMap, error) {
	var t topology
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("decode region map: %w", err)
	}
	if t.Type != "Topology" || t.Transform.Scale[0] == 0 {
		return nil, fmt.Errorf("region map: not a quantized topology")
	}
	// Decode the delta-encoded arcs into world coordinates, then to the viewBox.
	minX, minY, maxX, maxY := t.BBox[0], t.BBox[1], t.BBox[2], t.BBox[3]
	s := mapWidth / (maxX - minX)
	arcs := make([][][2]int, len(t.Arcs))
	for i, arc := range t.Arcs {
		var qx, qy float64
		pts := make([][2]int, 0, len(arc))
		for _, d := range arc {
			qx, qy = qx+d[0], qy+d[1]
			x := qx*t.Transform.Scale[0] + t.Transform.Translate[0]
			y := qy*t.Transform.Scale[1] + t.Transform.Translate[1]
			pts = append(pts, [2]int{int(math.Round((x - minX) * s)), int(math.Round((maxY - y) * s))})
		}
		arcs[i] = pts
	}
	m := &regionMap{Width: mapWidth, Height: int(math.Ceil((maxY - minY) * s))}
	layer, ok := t.Objects["regions"]
	if !ok {
		return nil, fmt.Errorf("region map: no regions layer")
	}
	for _, g := range layer.Geometries {
		var polygons [][][]int
		switch g.Type {
		case "Polygon":
			var rings [][]int
			if err := json.Unmarshal(g.Arcs, &rings); err != nil {
				return nil, fmt.Errorf("region map %s: %w", g.Properties.Code, err)
			}
			polygons = [][][]int{rings}
		case "MultiPolygon":
			if err := json.Unmarshal(g.Arcs, &polygons); err != nil {
				return nil, fmt.Errorf("region map %s: %w", g.Properties.Code, err)
			}
		default:
			return nil, fmt.Errorf("region map %s: unexpected %s", g.Properties.Code, g.Type)
		}
		var d strings.Builder
		for _, rings := range polygons {
			for _, ring := range rings {
				if err := writeRing(&d, arcs, ring); err != nil {
					return nil, fmt.Errorf("region map %s: %w", g.Properties.Code, err)
				}
			}
		}
		if code := g.Properties.Code; code == "" || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != "" {
			return nil, fmt.Errorf("region map: code %q is not an ISO 3166-2 code", code)
		}
		if strings.Trim(d.String(), "0123456789Mlz -") != "" {
			return nil, fmt.Errorf("region map %s: path has other characters", g.Properties.Code)
		}
		m.Shapes = append(m.Shapes, regionShape{Code: g.Properties.Code, D: d.String()})
	}
	slices.SortFunc(m.Shapes, func(a, b regionShape) int { return strings.Compare(a.Code, b.Code) })
	return m, nil
}

// writeRing appends one closed ring, made of arcs (a negative index ~i is
// arc i reversed), as "M x y l dx dy ... z".
func writeRing(d *strings.Builder, arcs [][][2]int, ring []int) error {
	var pts [][2]int
	for k, i := range ring {
		rev := i < 0
		if rev {
			i = ^i
		}
		if i >= len(arcs) {
			return fmt.Errorf("arc %d out of range", i)
		}
		arc := arcs[i]
		if rev {
			arc = slices.Clone(arc)
			slices.Reverse(arc)
		}
		if k > 0 && len(arc) > 0 {
			arc = arc[1:] // the first point repeats the previous arc's last
		}
		pts = append(pts, arc...)
	}
	if len(pts) < 3 {
		return nil
	}
	x, y := pts[0][0], pts[0][1]
	d.WriteString("M" + strconv.Itoa(x) + " " + strconv.Itoa(y) + "l")
	for _, p := range pts[1:] {
		dx, dy := p[0]-x, p[1]-y
		if dx == 0 && dy == 0 {
			continue
		}
		d.WriteString(strconv.Itoa(dx))
		if dy >= 0 {
			d.WriteByte(' ')
		}
		d.WriteString(strconv.Itoa(dy))
		d.WriteByte(' ')
		x, y = p[0], p[1]
	}
	d.WriteString("z")
	return nil
}

// outlinesName is the name of the asset that holds the map's outlines.
const outlinesName = "regions.svg"

// viewBox is the SVG viewBox of the map's coordinates: "0 0 width height".
func (m *regionMap) viewBox() string {
	return "0 0 " + strconv.Itoa(m.Width) + " " + strconv.Itoa(m.Height)
}

// outlines returns the map's outlines as an SVG document for pages to
// reference with <use href="…#CODE"> (SVG 2, section 5.6): each region a
// path whose id is its ISO 3166-2 code, all of them in the group "all".
// The paths have no fill or stroke of their own, so each <use> paints its
// region with the page's classes, and the geometry (the map's bulk) is
// one immutable asset that a browser fetches once rather than part of
// every page.
func (m *regionMap) outlines() []byte {
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="` + m.viewBox() + `"><g id="all">` + "\n")
	for _, s := range m.Shapes {
		// Codes are ISO 3166-2 codes of the reference data (TestRegionMapCodes)
		// and path data is digits, letters and spaces (loadRegionMap).
		b.WriteString(`<path id="` + s.Code + `" d="` + s.D + `"/>` + "\n")
	}
	b.WriteString("</g></svg>\n")
	return []byte(b.String())
}

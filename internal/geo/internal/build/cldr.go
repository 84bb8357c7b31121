package build

import (
	"encoding/xml"
	"fmt"
	"io/fs"
)

// cldrKind selects which display names readCLDR returns.
type cldrKind int

const (
	territories  cldrKind = iota // common/main/<lang>.xml, by alpha-2 code
	subdivisions                 // common/subdivisions/<lang>.xml, by id ("runiz")
)

// cldrName is one display name element of an LDML file.
type cldrName struct {
	Type string `xml:"type,attr"`
	Alt  string `xml:"alt,attr"`
	Name string `xml:",chardata"`
}

// ldml is the part of a CLDR LDML file the generator reads.
type ldml struct {
	Territories  []cldrName `xml:"localeDisplayNames>territories>territory"`
	Subdivisions []cldrName `xml:"localeDisplayNames>subdivisions>subdivision"`
}

// readCLDR returns the default display names (no alt="short" or "variant")
// of one CLDR file, keyed by their type attribute.
func readCLDR(share fs.FS, name string, kind cldrKind) (map[string]string, error) {
	data, err := fs.ReadFile(share, name)
	if err != nil {
		return nil, fmt.Errorf("read CLDR: %w", err)
	}
	var doc ldml
	if err := xml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	elems := doc.Territories
	if kind == subdivisions {
		elems = doc.Subdivisions
	}
	names := make(map[string]string, len(elems))
	for _, e := range elems {
		if e.Alt == "" && e.Name != "" {
			names[e.Type] = e.Name
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("parse %s: no names found", name)
	}
	return names, nil
}

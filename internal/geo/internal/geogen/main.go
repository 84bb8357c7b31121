// Command geogen writes places.json, the embedded reference data of package
// geo, from Debian's iso-codes and unicode-cldr-core packages and the reviewed
// overrides.json next to this file. Run it through go generate:
//
//	go generate ./internal/geo
package main

import (
	_ "embed"
	"flag"
	"fmt"
	"os"

	"github.com/coalition-directory/coalition/internal/geo/internal/build"
)

//go:embed overrides.json
var overrides []byte

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "geogen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fset := flag.NewFlagSet("geogen", flag.ContinueOnError)
	share := fset.String("share", "/usr/share", "directory holding iso-codes/, locale/ and unicode/cldr/")
	out := fset.String("o", "places.json", "output file")
	if err := fset.Parse(args); err != nil {
		return err
	}
	data, err := build.Places(os.DirFS(*share), overrides)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

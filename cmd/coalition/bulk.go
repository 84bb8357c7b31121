package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/csvio"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/ndjson"
)

// progressEvery is how many rows pass between progress lines of an import.
const progressEvery = 10000

// runImport imports a CSV or NDJSON file, all or nothing.
func runImport(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("coalition import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dryRun := fs.Bool("dry-run", false, "validate and report without writing")
	format := fs.String("format", "", "csv or ndjson (default: from the file name's extension)")
	merge := fs.Bool("merge", false, "NDJSON: each line is a JSON merge patch (RFC 7396) of the organization it names, not the whole record")
	cfg, err := parseFlagSet(fs, "import", args, getenv, false)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"import: give exactly one file (- for standard input)"}
	}
	name := fs.Arg(0)
	if *format == "" {
		*format = strings.TrimPrefix(strings.ToLower(filepath.Ext(name)), ".")
	}
	var in io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		in = f
	}
	opts := directory.ImportOptions{DryRun: *dryRun}
	var records iter.Seq[directory.ImportRecord]
	var csvFile *csvio.Reader
	switch *format {
	case "csv":
		if *merge {
			return usageError{"import: --merge is for NDJSON: a CSV row always changes only the columns the file has"}
		}
		csvFile = csvio.NewReader(in)
		records, opts.FieldName = csvFile.Records(), csvio.ColumnName
	case "ndjson", "jsonl":
		mode := ndjson.Replace
		if *merge {
			mode = ndjson.Merge
		}
		records = ndjson.Read(in, mode)
	default:
		return usageError{fmt.Sprintf("import: unknown format %q: use --format csv or --format ndjson", *format)}
	}

	db, dir, err := openDirectoryWith(ctx, cfg.database(), cfg.db)
	if err != nil {
		return err
	}
	defer db.Close()
	// An import allocates briskly but keeps little: collect garbage less
	// often, trading memory for CPU, but never let the heap pass 256 MiB
	// (with SQLite's 128 MiB import cache, a 100,000-row import stays under
	// 500 MB).
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(256 << 20))
	report, err := dir.Import(ctx, directory.Operator(operatorName), withProgress(records, stderr), opts)
	var de *directory.Error
	if errors.As(err, &de) && de.Code == directory.CodeInvalid {
		fmt.Fprintln(stderr, de.Message)
		for _, f := range de.Fields {
			fmt.Fprintf(stderr, "  %s: %s\n", f.Field, f.Message)
		}
		if report.Invalid == 0 {
			return fmt.Errorf("import: %s", de.Message)
		}
		return fmt.Errorf("import: %d invalid rows", report.Invalid)
	}
	if err != nil {
		return err
	}
	if csvFile != nil {
		fmt.Fprintf(stdout, "read as %s\n", csvFile.Encoding())
	}
	for _, row := range report.Rows {
		for _, w := range row.Warnings {
			fmt.Fprintf(stdout, "row %d: warning: %s\n", row.Row, w)
		}
	}
	verb := "imported"
	if report.DryRun {
		verb = "dry run, nothing written; would import"
	}
	fmt.Fprintf(stdout, "%s %d rows: %d created, %d updated, %d unchanged\n", verb, len(report.Rows), report.Created, report.Updated, report.Unchanged)
	return nil
}

// withProgress passes records through, telling stderr every progressEvery rows.
func withProgress(records iter.Seq[directory.ImportRecord], stderr io.Writer) iter.Seq[directory.ImportRecord] {
	return func(yield func(directory.ImportRecord) bool) {
		n := 0
		for rec := range records {
			if n++; n%progressEvery == 0 {
				fmt.Fprintf(stderr, "read %d rows\n", n)
			}
			if !yield(rec) {
				return
			}
		}
	}
}

// runExport writes the directory, or the part matching --filter, as NDJSON
// or CSV.
func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("coalition export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "ndjson", "ndjson or csv")
	out := fs.String("out", "-", "file to write (- for standard output)")
	filter := fs.String("filter", "", "the filters of GET /api/v1/export as a query string, e.g. \"country=RU&focus_area=shelter\"")
	cfg, err := parseFlagSet(fs, "export", args, getenv, false)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("export: unexpected argument %q", fs.Arg(0))}
	}
	values, err := url.ParseQuery(*filter)
	if err != nil {
		return usageError{fmt.Sprintf("export: --filter: %v", err)}
	}
	// The filters are those of GET /api/v1/export, whose format is a flag
	// here: a name it does not take would be ignored, and export too much.
	filters, err := api.QueryParameters(http.MethodGet, "/api/v1/export")
	if err != nil {
		return err
	}
	filters = slices.DeleteFunc(filters, func(name string) bool { return name == "format" })
	var unknown []string
	for name := range values {
		if !slices.Contains(filters, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return usageError{fmt.Sprintf("export: --filter: unknown %s: the filters are %s",
			strings.Join(unknown, ", "), strings.Join(filters, ", "))}
	}
	q, err := directory.ParseListQuery(func(name string) string { return strings.Join(values[name], ",") })
	if err != nil {
		return err
	}

	db, dir, err := openDirectoryWith(ctx, cfg.database(), cfg.db)
	if err != nil {
		return err
	}
	defer db.Close()
	var w io.Writer = stdout
	var file *os.File
	if *out != "-" {
		if file, err = os.Create(*out); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		defer file.Close()
		w = file
	}
	var write func(*directory.Organization) error
	var flush func() error
	switch *format {
	case "csv":
		phones, contacts, err := dir.ExportWidths(ctx)
		if err != nil {
			return err
		}
		cw, err := csvio.NewWriter(w, phones, contacts)
		if err != nil {
			return err
		}
		write, flush = cw.Write, cw.Flush
	case "ndjson":
		nw := ndjson.NewWriter(w)
		write, flush = nw.Write, nw.Flush
	default:
		return usageError{fmt.Sprintf("export: unknown format %q: use ndjson or csv", *format)}
	}
	// The change feed's sequence number the export is taken at, for a
	// replica that follows GET /api/v1/changes?after=<seq> from it.
	at := func(seq int64) { fmt.Fprintf(stderr, "export taken at change %d\n", seq) }
	if err := dir.Export(ctx, directory.Operator(operatorName), q, at, write); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	if file != nil {
		return file.Sync()
	}
	return nil
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// changedFields returns, by slug, the fields of each exported organization
// that differ between two NDJSON exports, updated_at aside.
func changedFields(t *testing.T, before, after string) map[string][]string {
	t.Helper()
	parse := func(export string) map[string]map[string]string {
		out := map[string]map[string]string{}
		for line := range strings.SplitSeq(strings.TrimSpace(export), "\n") {
			var m map[string]json.RawMessage
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatal(err)
			}
			var slug string
			json.Unmarshal(m["slug"], &slug)
			fields := map[string]string{}
			for k, v := range m {
				if k != "updated_at" {
					fields[k] = string(v)
				}
			}
			out[slug] = fields
		}
		return out
	}
	b, a := parse(before), parse(after)
	changed := map[string][]string{}
	for slug, fa := range a {
		fb, ok := b[slug]
		if !ok {
			changed[slug] = []string{"created"}
			continue
		}
		for k, v := range fa {
			if fb[k] != v {
				changed[slug] = append(changed[slug], k)
			}
		}
		for k := range fb {
			if _, ok := fa[k]; !ok {
				changed[slug] = append(changed[slug], k)
			}
		}
		slices.Sort(changed[slug])
	}
	return changed
}

func TestImportCommand(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	dbPath := testDatabase(t, tmp, "c.db")
	write := func(name, content string) string {
		path := filepath.Join(tmp, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	importFile := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"import", dbFlag(dbPath), dbPath}, args...), func(string) string { return "" }, nil, &out, io.Discard)
		if err != nil {
			t.Fatalf("import %v: %v", args, err)
		}
		return out.String()
	}

	cp1251, err := charmap.Windows1251.NewEncoder().String("name_ru;country_code;city\r\nЦентр «Заря»;RU;Пермь\r\n")
	if err != nil {
		t.Fatal(err)
	}
	out := importFile(write("zarya.csv", cp1251))
	if !strings.Contains(out, "read as windows-1251") || !strings.Contains(out, "1 created") {
		t.Errorf("windows-1251 import printed %q", out)
	}
	before, _ := snapshot(t, dbPath)
	if !strings.Contains(before, `"slug":"tsentr-zarya"`) || !strings.Contains(before, `"name":"Центр «Заря»"`) {
		t.Fatalf("imported %s", before)
	}

	out = importFile("--merge", write("patch.ndjson", `{"slug":"tsentr-zarya","city":"Соликамск"}`+"\n"))
	after, _ := snapshot(t, dbPath)
	if got := changedFields(t, before, after); !strings.Contains(out, "1 updated") || len(got) != 1 || !slices.Equal(got["tsentr-zarya"], []string{"city"}) {
		t.Errorf("--merge printed %q and changed %v", out, got)
	}

	out = importFile(write("again.csv", "name_ru,country_code\nЦентр Заря,RU\n"))
	if !strings.Contains(out, "row 2: warning:") || !strings.Contains(out, "tsentr-zarya") {
		t.Errorf("a second organization of the same name printed %q", out)
	}
	final, _ := snapshot(t, dbPath)
	if got := changedFields(t, after, final); len(got) != 1 || !slices.Equal(got["tsentr-zarya-2"], []string{"created"}) {
		t.Errorf("the second import changed %v", got)
	}

	var stderr bytes.Buffer
	err = run(context.Background(), []string{"import", dbFlag(dbPath), dbPath, "--merge", write("x.csv", "slug,city\ntsentr-zarya,Пермь\n")}, func(string) string { return "" }, nil, io.Discard, &stderr)
	if err == nil {
		t.Errorf("--merge with a CSV file was accepted")
	}
}

// TestImportCommandRefusesFilesWithoutRows imports files with nothing to
// import: each fails and says why, in a dry run too.
func TestImportCommandRefusesFilesWithoutRows(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	dbPath := filepath.Join(tmp, "c.db")
	for name, content := range map[string]string{"header.csv": "name_ru,country_code\n", "empty.csv": "", "empty.ndjson": "\n"} {
		path := filepath.Join(tmp, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, flags := range [][]string{nil, {"--dry-run"}} {
			var stdout, stderr bytes.Buffer
			args := append(append([]string{"import", "--db", dbPath}, flags...), path)
			err := run(context.Background(), args, func(string) string { return "" }, nil, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), "the file has no rows") {
				t.Errorf("import %s %v: error %v, want the file has no rows", name, flags, err)
			}
			if !strings.Contains(stderr.String(), "file: has no rows") || strings.Contains(stdout.String(), "imported") {
				t.Errorf("import %s %v printed %q and %q", name, flags, stdout.String(), stderr.String())
			}
		}
	}
}

// TestExportFilterTakesTheExportsParameters checks that --filter takes the
// filters of GET /api/v1/export and refuses, naming them, any others, which
// would otherwise be ignored and export more than asked for.
func TestExportFilterTakesTheExportsParameters(t *testing.T) {
	t.Parallel()
	dbPath := filepath.Join(t.TempDir(), "c.db")
	export := func(filter string) error {
		return run(context.Background(), []string{"export", "--db", dbPath, "--filter", filter}, func(string) string { return "" }, nil, io.Discard, io.Discard)
	}
	if err := export("country=RU&focus_area=shelter&modified_after=2026-01-01T00:00:00Z"); err != nil {
		t.Errorf("the export's filters: %v", err)
	}
	for filter, want := range map[string]string{
		"contry=RU":             "unknown contry",
		"country=RU&page=2":     "unknown page",
		"format=csv&sort=name":  "unknown format, sort",
		"focus=shelter&lang=en": "unknown focus, lang",
	} {
		err := export(filter)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "country") {
			t.Errorf("--filter %q: error %v, want a usage error saying %q and the filters", filter, err, want)
		}
	}
}

// TestExportCommandTellsChangeSeq checks that coalition export names the
// change feed's sequence number it was taken at, for a copy made from the
// file to follow the feed from.
func TestExportCommandTellsChangeSeq(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	dbPath := testDatabase(t, tmp, "c.db")
	file := filepath.Join(tmp, "one.ndjson")
	if err := os.WriteFile(file, []byte(`{"name":"Центр «Заря»","country_code":"RU"}`+"\n"+`{"name":"Фонд «Восход»","country_code":"KZ"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	noEnv := func(string) string { return "" }
	if err := run(context.Background(), []string{"import", dbFlag(dbPath), dbPath, file}, noEnv, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"export", dbFlag(dbPath), dbPath}, noEnv, nil, &stdout, &stderr); err != nil {
		t.Fatalf("export: %v (%s)", err, stderr.String())
	}
	if got := stderr.String(); got != "export taken at change 2\n" {
		t.Errorf("export printed %q on stderr, want the change it was taken at, 2", got)
	}
	if n := strings.Count(stdout.String(), "\n"); n < 2 {
		t.Errorf("exported %d lines", n)
	}
}

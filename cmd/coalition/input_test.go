package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportCommandAppliesTheInputRules checks that the command line's
// import names the same field and message as the API for the same bad
// value (see TestSameBadValueEveryWayIn in the api package).
func TestImportCommandAppliesTheInputRules(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	for _, tc := range []struct {
		file, content string
		want          []string
	}{
		{"blank.csv", "name_ru,country_code\n\u00a0\u200b,RU\n", []string{"rows[2].name_ru: is required"}},
		{"override.csv", "name_ru,country_code\nПриют \u202eьлоп,RU\n",
			[]string{"rows[2].name_ru: must not contain bidirectional embedding, override or isolate characters (U+202A-U+202E, U+2066-U+2069)"}},
		{"blank.ndjson", `{"name":"\t","country_code":"RU"}` + "\n", []string{"rows[1].name: is required"}},
		{"types.ndjson", `{"name":"Ц","country_code":"XX","verified_at":"15.03.2025","email":"x@","address_hidden":"yes"}` + "\n",
			[]string{"rows[1].verified_at: must be an RFC 3339 timestamp", "rows[1].country_code: unknown country", "rows[1].email: must be an email",
				"rows[1].address_hidden: must be true or false"}},
	} {
		path := filepath.Join(tmp, tc.file)
		if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), []string{"import", "--db", filepath.Join(tmp, "c.db"), path}, func(string) string { return "" }, nil, &stdout, &stderr)
		out := stdout.String() + stderr.String()
		if err != nil {
			out += err.Error()
		}
		for _, want := range tc.want {
			if err == nil || !strings.Contains(out, want) {
				t.Errorf("%s: error %v, output %q; want %q", tc.file, err, out, want)
			}
		}
	}
}

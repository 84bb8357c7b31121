package api_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/csvio"
	"github.com/coalition-directory/coalition/internal/directory"
)

func (s *testServer) importFile(secret, contentType, query, body string) response {
	s.t.Helper()
	h := bearer(secret)
	h.Set("Content-Type", contentType)
	return s.do(http.MethodPost, "/api/v1/import"+query, h, strings.NewReader(body))
}

func TestExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	from := newTestServer(t, nil)
	to := newTestServer(t, []directory.Organization{})
	fromKey, toKey := from.key(directory.RoleAdmin), to.key(directory.RoleAdmin)

	first := from.send(http.MethodGet, "/api/v1/export?format=ndjson", fromKey, nil)
	wantStatus(t, first, http.StatusOK)
	if lines := bytes.Count(first.body, []byte("\n")); lines < 60 {
		t.Fatalf("the export has %d lines", lines)
	}
	r := to.importFile(toKey, "application/x-ndjson", "", string(first.body))
	wantStatus(t, r, http.StatusOK)
	report := decode[api.ImportReport](t, r)
	if report.Created != bytes.Count(first.body, []byte("\n")) || report.Updated+report.Unchanged != 0 {
		t.Errorf("report: %d created, %d updated, %d unchanged", report.Created, report.Updated, report.Unchanged)
	}
	second := to.send(http.MethodGet, "/api/v1/export?format=ndjson", toKey, nil)
	wantStatus(t, second, http.StatusOK)
	if !bytes.Equal(first.body, second.body) {
		a, b := strings.Split(string(first.body), "\n"), strings.Split(string(second.body), "\n")
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("exports differ at line %d:\n%s\n%s", i+1, a[i], b[i])
			}
		}
		t.Fatalf("exports differ in length: %d and %d lines", len(a), len(b))
	}
	for _, want := range []string{`"translations":{"en":`, `"visibility":"partners"`, `"service_regions":[`, `"member_since":"`, `"address_hidden":true`} {
		if !bytes.Contains(first.body, []byte(want)) {
			t.Errorf("the export lacks %s", want)
		}
	}

	// The same file again changes nothing.
	if again := to.importChecked(toKey, "application/x-ndjson", "", string(first.body)); again.Unchanged != report.Created || again.Created+again.Updated != 0 {
		t.Errorf("re-import: %d created, %d updated, %d unchanged", again.Created, again.Updated, again.Unchanged)
	}
}

// csvRows returns a CSV of n new organizations; bad, when positive, is the
// index of one whose email is invalid.
func csvRows(n, bad int, sep string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Comma, w.UseCRLF = rune(sep[0]), true
	header := csvio.Header(1, 1)
	w.Write(header)
	for i := range n {
		email := fmt.Sprintf("info@org%d.example.org", i)
		if i == bad {
			email = "info at org"
		}
		cells := map[string]string{
			"slug": fmt.Sprintf("bulk-%d", i), "name_ru": fmt.Sprintf("Организация №%d", i),
			"name_en": fmt.Sprintf("Organization %d", i), "country_code": "RU", "region_code": "RU-TA",
			"city": "Казань", "focus_areas": "shelter, hotline", "email": email, "phone_1": "8 843 200-00-01",
			"phone_1_kind": "hotline", "contact_1_name": "Дежурный", "contact_1_visibility": "public",
		}
		row := make([]string, len(header))
		for j, h := range header {
			row[j] = cells[h]
		}
		w.Write(row)
	}
	w.Flush()
	return b.String()
}

func TestImportCSVAllOrNothing(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	admin := s.key(directory.RoleAdmin)
	orgsBefore, auditBefore := s.counts(admin)

	bad := csvRows(1000, 517, ",")
	for _, query := range []string{"", "?dry_run=true"} {
		r := s.importFile(admin, "text/csv", query, bad)
		wantStatus(t, r, http.StatusBadRequest)
		p := decode[api.Problem](t, r)
		if len(p.Errors) != 1 || p.Errors[0].Field != "rows[519].email" || !strings.Contains(p.Detail, "nothing was imported") {
			t.Errorf("%q: problem %+v", query, p)
		}
		if orgs, audit := s.counts(admin); orgs != orgsBefore || audit != auditBefore {
			t.Errorf("%q: a failed import wrote: %d organizations, %d audit entries", query, orgs, audit)
		}
	}

	good := csvRows(1000, -1, ",")
	r := s.importFile(admin, "text/csv", "?dry_run=true", good)
	wantStatus(t, r, http.StatusOK)
	if rep := decode[api.ImportReport](t, r); !rep.DryRun || rep.Created != 1000 || len(rep.Rows) != 1000 || rep.Rows[0].Row != 2 {
		t.Errorf("dry run report: %+v", rep.Rows[:1])
	}
	if orgs, _ := s.counts(admin); orgs != orgsBefore {
		t.Errorf("a dry run wrote %d organizations", orgs-orgsBefore)
	}
	if rep := s.importChecked(admin, "text/csv", "", good); rep.Created != 1000 {
		t.Errorf("created %d", rep.Created)
	}
	orgs, audit := s.counts(admin)
	if orgs != orgsBefore+1000 || audit != auditBefore+1000 {
		t.Errorf("after the import: %d organizations, %d audit entries; before %d, %d", orgs, audit, orgsBefore, auditBefore)
	}
	got := decode[api.Organization](t, s.get("/api/v1/organizations/bulk-7?lang=en"))
	if got.Name != "Organization 7" || got.Phones[0].Number != "+78432000001" || len(got.Contacts) != 1 || len(got.FocusAreas) != 2 {
		t.Errorf("imported %+v", got)
	}
	list := decode[api.OrganizationList](t, s.get("/api/v1/organizations?q=организация&region=RU-TA&per_page=1"))
	if list.TotalItems != 1000 {
		t.Errorf("search finds %d imported organizations", list.TotalItems)
	}

	edited := strings.Replace(good, "Организация №7,", "Организация №7 (Казань),", 1)
	if rep := s.importChecked(admin, "text/csv", "", edited); rep.Updated != 1 || rep.Unchanged != 999 {
		t.Errorf("re-import with one edit: %d updated, %d unchanged", rep.Updated, rep.Unchanged)
	}
}

func TestImportExcelCSV(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	admin := s.key(directory.RoleAdmin)
	// As Excel in a Russian locale saves "CSV UTF-8": a BOM, semicolons, CRLF,
	// quotes where a cell holds the separator.
	file := "\uFEFFname_ru;name_en;country_code;region_code;focus_areas;contact_1_name;contact_1_email\r\n" +
		"Центр «Берег»;Shore Centre;RU;RU-KDA;\"shelter; legal-aid\";Ирина;irina@bereg.example.org\r\n" +
		"Фонд «Ёлка»;;RU;RU-SVE;prevention;;\r\n"
	rep := s.importChecked(admin, "text/csv; charset=utf-8", "", strings.ReplaceAll(file, "shelter; legal-aid", "shelter, legal-aid"))
	if rep.Created != 2 || rep.Rows[0].Slug != "tsentr-bereg" || rep.Rows[1].Slug != "fond-yolka" {
		t.Fatalf("report %+v", rep)
	}
	got := decode[api.Organization](t, s.send(http.MethodGet, "/api/v1/organizations/tsentr-bereg", admin, nil))
	if got.Name != "Центр «Берег»" || got.RegionCode != "RU-KDA" || len(got.FocusAreas) != 2 || len(got.Contacts) != 1 || got.Contacts[0].Visibility != "partners" {
		t.Errorf("imported %+v", got)
	}

	for _, tt := range []struct{ name, file, field string }{
		{"unknown column", "name_ru,country_code,colour\nX,RU,red\n", "rows[1].colour"},
		{"no country column", "name_ru\nX\n", "rows[2].country_code"},
		{"short row", "name_ru,country_code\nX\n", "rows[2].row"},
		{"region of another country", "name_ru,country_code,region_code\nX,KZ,RU-MOW\n", "rows[2].region_code"},
		{"bad contact email", "name_ru,country_code,contact_1_name,contact_1_email\nX,RU,Desk,desk@\n", "rows[2].contact_1_email"},
		{"bad phone", "name_ru,country_code,phone_1\nX,RU,12\n", "rows[2].phone_1"},
		{"english name missing", "name_en,original_language,country_code\n,en,RU\n", "rows[2].name_en"},
		{"duplicate slug", "slug,name_ru,country_code\nsame,X,RU\nsame,Y,RU\n", "rows[3].slug"},
	} {
		r := s.importFile(admin, "text/csv", "", tt.file)
		wantStatus(t, r, http.StatusBadRequest)
		p := decode[api.Problem](t, r)
		if len(p.Errors) == 0 || p.Errors[0].Field != tt.field {
			t.Errorf("%s: errors %+v, want %s", tt.name, p.Errors, tt.field)
		}
	}
	wantStatus(t, s.importFile(admin, "application/json", "", "{}"), http.StatusUnsupportedMediaType)
	wantStatus(t, s.importFile(s.key(directory.RoleEditor), "text/csv", "", "x"), http.StatusForbidden)
}

func TestExportCSVAndVisibility(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	partner := s.key(directory.RolePartner)
	wantStatus(t, s.get("/api/v1/export"), http.StatusUnauthorized)
	r := s.send(http.MethodGet, "/api/v1/export?format=csv&region=RU-NIZ", partner, nil)
	wantStatus(t, r, http.StatusOK)
	if !bytes.HasPrefix(r.body, []byte("\uFEFFid,slug,")) || !strings.Contains(r.Header.Get("Content-Disposition"), ".csv") {
		t.Fatalf("csv export starts %.40q, disposition %q", r.body, r.Header.Get("Content-Disposition"))
	}
	lines := strings.Split(strings.TrimSpace(string(r.body)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], "Иван Секретов") || !strings.Contains(lines[1], "nadezhda") {
		t.Errorf("csv export of RU-NIZ for a partner:\n%s", r.body)
	}
	wantStatus(t, s.send(http.MethodGet, "/api/v1/export?format=xml", partner, nil), http.StatusBadRequest)
	wantStatus(t, s.send(http.MethodGet, "/api/v1/export?country=XX", partner, nil), http.StatusBadRequest)

	// The CSV export imports into an empty directory with the same content.
	to := newTestServer(t, []directory.Organization{})
	all := s.send(http.MethodGet, "/api/v1/export?format=csv", partner, nil)
	toAdmin := to.key(directory.RoleAdmin)
	rr := to.importFile(toAdmin, "text/csv", "", string(all.body))
	wantStatus(t, rr, http.StatusOK)
	again := to.send(http.MethodGet, "/api/v1/export?format=csv", toAdmin, nil)
	if !bytes.Equal(all.body, again.body) {
		t.Errorf("CSV round trip differs:\n%s\n---\n%s", all.body, again.body)
	}
}

// TestImportMixesCreatesAndUpdates imports new organizations around an
// update whose contacts are rewritten: all their rows must get keys of
// their own.
func TestImportMixesCreatesAndUpdates(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	admin := s.key(directory.RoleAdmin)
	line := func(slug, name string, contacts ...string) string {
		var cs []string
		for _, c := range contacts {
			cs = append(cs, `{"name":"`+c+`","visibility":"public"}`)
		}
		return `{"slug":"` + slug + `","original_language":"ru","translations":{"ru":{"name":"` + name + `"}},` +
			`"country_code":"RU","region_code":"RU-NIZ","membership_status":"member","contacts":[` + strings.Join(cs, ",") + `]}` + "\n"
	}
	file := line("novaya-1", "Новая первая", "Анна", "Борис") +
		line("nadezhda", "Центр «Надежда»", "Горячая линия", "Вера", "Галина") +
		line("novaya-2", "Новая вторая", "Дмитрий")
	if rep := s.importChecked(admin, "application/x-ndjson", "", file); rep.Created != 2 || rep.Updated != 1 {
		t.Fatalf("report: %d created, %d updated", rep.Created, rep.Updated)
	}
	for slug, want := range map[string]int{"novaya-1": 2, "nadezhda": 3, "novaya-2": 1} {
		got := decode[api.Organization](t, s.send(http.MethodGet, "/api/v1/organizations/"+slug, admin, nil))
		if len(got.Contacts) != want {
			t.Errorf("%s has %d contacts, want %d", slug, len(got.Contacts), want)
		}
	}
}

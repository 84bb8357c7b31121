package api_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/directory"
)

// problemFields returns a problem's errors as "field: message" lines.
func problemFields(t *testing.T, r response) []string {
	t.Helper()
	var out []string
	for _, f := range decode[api.Problem](t, r).Errors {
		out = append(out, f.Field+": "+f.Message)
	}
	return out
}

// wantProblem checks that r is a 400 listing exactly the given fields
// (every one named once) and returns the problem.
func wantProblem(t *testing.T, r response, fields ...string) api.Problem {
	t.Helper()
	wantStatus(t, r, http.StatusBadRequest)
	p := decode[api.Problem](t, r)
	var got []string
	for _, f := range p.Errors {
		got = append(got, f.Field)
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(fields))
	if !slices.Equal(got, want) {
		t.Errorf("%s %s: fields %v, want %v: %s", r.Request.Method, r.Request.URL.Path, got, want, r.body)
	}
	return p
}

// TestInvalidUTF8IsNamed checks that bytes that are not UTF-8 are a 400
// naming the field, in a body, a patch, a contact, an import line and a
// query parameter: a JSON decoder would store them as U+FFFD.
func TestInvalidUTF8IsNamed(t *testing.T) {
	t.Parallel()
	org := fixture("zarya", "ru", "Заря", "", "RU-PER")
	s := newTestServer(t, []directory.Organization{org})
	editor, admin := s.key(directory.RoleEditor), s.key(directory.RoleAdmin)
	cp1251 := "\xd6\xe5\xed\xf2\xf0 \xab\xc7\xe0\xf0\xff\xbb" // «Центр «Заря»» in Windows-1251

	r := s.send(http.MethodPost, "/api/v1/organizations", editor, `{"name":"`+cp1251+`","country_code":"RU"}`)
	wantProblem(t, r, "name")
	r = s.send(http.MethodPost, "/api/v1/organizations", editor,
		`{"name":"Заря","country_code":"RU","phones":[{"number":"+78312000099","description":"`+cp1251+`"}]}`)
	wantProblem(t, r, "phones[0].description")
	r = s.send(http.MethodPatch, "/api/v1/organizations/"+org.ID, editor, `{"city":"`+cp1251+`"}`)
	wantProblem(t, r, "city")
	r = s.send(http.MethodPost, "/api/v1/organizations/"+org.ID+"/contacts", editor, `{"name":"`+cp1251+`"}`)
	if got := problemFields(t, r); !slices.Equal(got, []string{"name: must be valid UTF-8 text"}) {
		t.Errorf("contact: %v", got)
	}
	r = s.importFile(admin, "application/x-ndjson", "",
		`{"original_language":"ru","translations":{"ru":{"name":"`+cp1251+`"}},"country_code":"RU","membership_status":"member"}`+"\n")
	wantProblem(t, r, "rows[1].body") // the import names the line (see internal/ndjson)
	r = s.get("/api/v1/organizations?q=%D6%E5%ED%F2%F0")
	wantProblem(t, r, "q")
	r = s.get("/api/v1/organizations?q=%D0%B7%D0%B0%D1%80%D1%8F") // заря, in UTF-8
	wantStatus(t, r, http.StatusOK)
}

// TestDecomposedTextIsTheSameRecord checks that text is stored in NFC: a
// name typed with combining marks is the same name, slug and search as
// the precomposed one.
func TestDecomposedTextIsTheSameRecord(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, []directory.Organization{})
	editor := s.key(directory.RoleEditor)
	precomposed := "Приют «Ёлочка» Йошкар-Олы"
	decomposed := "Приют «Е\u0308лочка» И\u0306ошкар-Олы"

	r := s.send(http.MethodPost, "/api/v1/organizations", editor, map[string]any{"name": decomposed, "country_code": "RU", "city": "  Йошкар-Ола\u00a0"})
	wantStatus(t, r, http.StatusCreated)
	first := decode[api.Organization](t, r)
	if first.Name != precomposed || first.City != "Йошкар-Ола" {
		t.Errorf("stored %q, city %q; want %q, Йошкар-Ола", first.Name, first.City, precomposed)
	}
	r = s.send(http.MethodPost, "/api/v1/organizations", editor, map[string]any{"name": precomposed, "country_code": "RU"})
	wantStatus(t, r, http.StatusCreated)
	if second := decode[api.Organization](t, r); second.Slug != first.Slug+"-2" {
		t.Errorf("slugs %q and %q: the same name should make the same slug", first.Slug, second.Slug)
	}
	for _, q := range []string{"йошкар", "и\u0306ошкар", "ёлочка", "е\u0308лочка"} {
		list := decode[api.OrganizationList](t, s.get("/api/v1/organizations?q="+url.QueryEscape(q)))
		if list.TotalItems != 2 {
			t.Errorf("q=%q finds %d, want 2", q, list.TotalItems)
		}
	}
}

// TestEveryErrorAtOnce checks that type and format errors are reported
// together with the rules' errors, in one 400.
func TestEveryErrorAtOnce(t *testing.T) {
	t.Parallel()
	org := fixture("zarya", "ru", "Заря", "", "RU-PER")
	s := newTestServer(t, []directory.Organization{org})
	editor := s.key(directory.RoleEditor)
	before := decode[api.Organization](t, s.get("/api/v1/organizations/zarya"))

	r := s.send(http.MethodPost, "/api/v1/organizations", editor,
		`{"name":"Ц","country_code":"XX","verified_at":"15.03.2025","email":"x@","member_since":"2003-13-45"}`)
	wantProblem(t, r, "country_code", "verified_at", "email", "member_since")

	r = s.send(http.MethodPost, "/api/v1/organizations", editor,
		`{"name":"  ","country_code":"RU","address_hidden":"yes","phones":[{"number":5},{"number":"12"}],"languages":"ru","member_since":"2003-13-45","colour":"red"}`)
	p := wantProblem(t, r, "name", "address_hidden", "phones[0].number", "phones[1].number", "languages", "member_since", "colour")
	if p.ErrorsTotal != 7 {
		t.Errorf("errors_total %d, want 7", p.ErrorsTotal)
	}

	r = s.send(http.MethodPatch, "/api/v1/organizations/zarya", editor,
		`{"address_hidden":"yes","email":"x@","verified_at":"15.03.2025","focus_areas":["nope",1]}`)
	wantProblem(t, r, "address_hidden", "email", "verified_at", "focus_areas[0]", "focus_areas[1]")

	r = s.send(http.MethodPost, "/api/v1/organizations/zarya/contacts", editor, `{"name":" ","is_primary":"yes","email":"x@"}`)
	wantProblem(t, r, "name", "is_primary", "email")

	admin := s.key(directory.RoleAdmin)
	r = s.importFile(admin, "application/x-ndjson", "",
		`{"original_language":"ru","translations":{"ru":{"name":"Ц"}},"country_code":"XX","verified_at":"15.03.2025","email":"x@","member_since":"2003-13-45","membership_status":"member"}`+"\n")
	wantProblem(t, r, "rows[1].country_code", "rows[1].verified_at", "rows[1].email", "rows[1].member_since")
	r = s.importFile(admin, "application/x-ndjson", "?mode=merge", `{"slug":"zarya","address_hidden":"yes","email":"x@","phones":[{"number":"12"}]}`+"\n")
	wantProblem(t, r, "rows[1].address_hidden", "rows[1].email", "rows[1].phones[0].number")
	r = s.importFile(admin, "text/csv", "", "name_ru,country_code,verified_at,email,member_since,address_hidden\r\nЦ,XX,15.03.2025,x@,2003-13-45,maybe\r\n")
	wantProblem(t, r, "rows[2].country_code", "rows[2].verified_at", "rows[2].email", "rows[2].member_since", "rows[2].address_hidden")

	if after := decode[api.Organization](t, s.get("/api/v1/organizations/zarya")); after.Version != before.Version {
		t.Errorf("a rejected write changed the record: version %d, was %d", after.Version, before.Version)
	}
	if list := decode[api.OrganizationList](t, s.get("/api/v1/organizations")); list.TotalItems != 1 {
		t.Errorf("%d organizations after rejected creates", list.TotalItems)
	}
}

// TestPhoneExtensionsAreKept checks that an extension written after a
// number is kept beside it, and that short service numbers are stored as
// dialled.
func TestPhoneExtensionsAreKept(t *testing.T) {
	t.Parallel()
	org := fixture("zarya", "ru", "Заря", "", "RU-NIZ")
	s := newTestServer(t, []directory.Organization{org})
	editor := s.key(directory.RoleEditor)

	r := s.send(http.MethodPost, "/api/v1/organizations", editor, map[string]any{"name": "Вектор", "country_code": "RU", "phones": []map[string]any{
		{"number": "+7 (831) 200-00-99 доб. 123"},
		{"number": "8 831 200-00-99 ext. 456", "kind": "hotline"},
		{"number": "+7 831 200-00-99 x77"},
		{"number": "+7 831 200-00-99 #8"},
		{"number": "8 831 200-00-99", "extension": "9"},
		{"number": "112", "kind": "hotline"},
	}})
	wantStatus(t, r, http.StatusCreated)
	created := decode[api.Organization](t, r)
	var got []string
	for _, p := range created.Phones {
		got = append(got, p.Number+" "+p.Extension)
	}
	want := []string{"+78312000099 123", "+78312000099 456", "+78312000099 77", "+78312000099 8", "+78312000099 9", "112 "}
	if !slices.Equal(got, want) {
		t.Errorf("phones %q, want %q", got, want)
	}

	// The extension survives a patch of another field and both exports.
	r = s.send(http.MethodPatch, "/api/v1/organizations/"+created.ID, editor, `{"city":"Нижний Новгород"}`)
	wantStatus(t, r, http.StatusOK)
	if p := decode[api.Organization](t, r).Phones[0]; p.Extension != "123" {
		t.Errorf("after a patch: %+v", p)
	}
	admin := s.key(directory.RoleAdmin)
	r = s.send(http.MethodGet, "/api/v1/export?format=ndjson&q=вектор", admin, nil)
	if !bytes.Contains(r.body, []byte(`"number":"+78312000099","extension":"123"`)) {
		t.Errorf("the NDJSON export lacks the extension: %s", r.body)
	}
	r = s.send(http.MethodGet, "/api/v1/export?format=csv&q=вектор", admin, nil)
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.body, []byte("\uFEFF")))).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("CSV export: %v, %d rows", err, len(rows))
	}
	if i := slices.Index(rows[0], "phone_1_extension"); i < 0 || rows[1][i] != "123" {
		t.Errorf("the CSV export has no phone_1_extension 123: %q", rows)
	}

	for _, tc := range []struct{ body, field string }{
		{`{"name":"Вектор","country_code":"RU","phones":[{"number":"+7 831 200-00-99 доб. 123","extension":"124"}]}`, "phones[0].extension"},
		{`{"name":"Вектор","country_code":"RU","phones":[{"number":"+7 831 200-00-99","extension":"12a"}]}`, "phones[0].extension"},
		{`{"name":"Вектор","country_code":"RU","phones":[{"number":"+7112"}]}`, "phones[0].number"},
		{`{"name":"Вектор","country_code":"RU","phones":[{"number":"999"}]}`, "phones[0].number"},
	} {
		wantProblem(t, s.send(http.MethodPost, "/api/v1/organizations", editor, tc.body), tc.field)
	}
	// A contact's phone has no extension field: the number is rejected
	// rather than stored without its extension.
	wantProblem(t, s.send(http.MethodPost, "/api/v1/organizations/zarya/contacts", editor, `{"name":"Приёмная","phone":"8 831 200-00-99 доб. 5"}`), "phone")
}

// TestBlankIsMissing checks that required text made of white space or
// invisible characters is missing, and that bidirectional controls are
// rejected in one-line text.
func TestBlankIsMissing(t *testing.T) {
	t.Parallel()
	org := fixture("zarya", "ru", "Заря", "", "RU-PER")
	s := newTestServer(t, []directory.Organization{org})
	editor := s.key(directory.RoleEditor)

	for _, name := range []string{"   ", "\t", "\u00a0\u2007\u202f", "\u200b\u200d\u2060\ufeff", "\u200e\u200f", "\u3164"} {
		r := s.send(http.MethodPost, "/api/v1/organizations", editor, map[string]any{"name": name, "country_code": "RU"})
		if got := problemFields(t, r); !slices.Equal(got, []string{"name: is required"}) {
			t.Errorf("POST name %+q: %v", name, got)
		}
		r = s.send(http.MethodPatch, "/api/v1/organizations/zarya", editor, map[string]any{"name": name})
		if got := problemFields(t, r); !slices.Equal(got, []string{"name: is required"}) {
			t.Errorf("PATCH name %+q: %v", name, got)
		}
	}
	r := s.send(http.MethodPatch, "/api/v1/organizations/zarya", editor, map[string]any{"city": "Пермь \u202eкьмреП", "acronym": "\u2066ЗР\u2069"})
	wantProblem(t, r, "city", "acronym")
	// The marks that mixed-script text needs are allowed.
	r = s.send(http.MethodPatch, "/api/v1/organizations/zarya", editor, map[string]any{"acronym": "ЗР\u200e"})
	wantStatus(t, r, http.StatusOK)
}

// TestDuplicateKeysAreRejected checks that a key given twice, in any case,
// is a 400 naming it: encoding/json would let the last one win, and
// {"address_hidden":true,"ADDRESS_HIDDEN":false} would publish an address.
func TestDuplicateKeysAreRejected(t *testing.T) {
	t.Parallel()
	org := fixture("zarya", "ru", "Заря", "", "RU-PER")
	s := newTestServer(t, []directory.Organization{org})
	editor, admin := s.key(directory.RoleEditor), s.key(directory.RoleAdmin)

	r := s.send(http.MethodPost, "/api/v1/organizations", editor,
		`{"name":"Приют","country_code":"RU","address":"ул. Тайная, 1","address_hidden":true,"ADDRESS_HIDDEN":false}`)
	wantProblem(t, r, "ADDRESS_HIDDEN")
	r = s.send(http.MethodPatch, "/api/v1/organizations/zarya", editor, `{"address":"ул. Тайная, 1","address_hidden":true,"address_hidden":false}`)
	wantProblem(t, r, "address_hidden")
	r = s.send(http.MethodPatch, "/api/v1/organizations/zarya", editor, `{"Address_Hidden":false}`)
	wantProblem(t, r, "Address_Hidden")
	r = s.importFile(admin, "application/x-ndjson", "",
		`{"original_language":"ru","translations":{"ru":{"name":"Приют"}},"country_code":"RU","membership_status":"member","address_hidden":true,"Address_hidden":false}`+"\n")
	wantProblem(t, r, "rows[1].Address_hidden")
	if got := decode[api.Organization](t, s.get("/api/v1/organizations/zarya")); got.Version != 1 || got.Address != "" {
		t.Errorf("a rejected patch wrote: %+v", got)
	}
}

// TestBoundedDecoding checks the decoders' limits: deep nesting is
// rejected before decoding (two million "[" killed the process with a
// stack overflow), and a problem lists the first 100 errors with their
// total.
func TestBoundedDecoding(t *testing.T) {
	t.Parallel()
	org := fixture("zarya", "ru", "Заря", "", "RU-PER")
	s := newTestServer(t, []directory.Organization{org})
	editor, admin := s.key(directory.RoleEditor), s.key(directory.RoleAdmin)

	deep := strings.Repeat("[", 2_000_000)
	r := s.importFile(admin, "application/x-ndjson", "", deep+"\n")
	wantProblem(t, r, "rows[1].body")
	r = s.send(http.MethodPost, "/api/v1/organizations", editor, deep[:1<<20-1])
	wantProblem(t, r, "body")
	r = s.send(http.MethodPatch, "/api/v1/organizations/zarya", editor, `{"name":`+strings.Repeat(`{"a":`, 40)+"1"+strings.Repeat("}", 41))
	wantProblem(t, r, "body")

	regions := make([]string, 2344)
	for i := range regions {
		regions[i] = fmt.Sprintf("RU-X%d", i)
	}
	// 2,344 entries are over the decoder's limit of 1,000: one error.
	r = s.send(http.MethodPost, "/api/v1/organizations", editor, map[string]any{"name": "Заря", "country_code": "RU", "service_regions": regions})
	wantProblem(t, r, "service_regions")
	// 999 unknown codes and the list's length are 1,000 errors; 100 are listed.
	r = s.send(http.MethodPost, "/api/v1/organizations", editor, map[string]any{"name": "Заря", "country_code": "RU", "service_regions": regions[:999]})
	wantStatus(t, r, http.StatusBadRequest)
	if p := decode[api.Problem](t, r); len(p.Errors) != 100 || p.ErrorsTotal != 1000 {
		t.Errorf("%d errors listed, errors_total %d; want 100 and 1000", len(p.Errors), p.ErrorsTotal)
	}
}

// TestNestedBodiesTakeLittleMemory sends eight 1 MiB bodies of "[" at once:
// decoding them took resident memory from 48 MB to 4.3 GB. It measures the
// heap the process allocates and the stack memory it takes while they are
// answered, so it runs alone.
func TestNestedBodiesTakeLittleMemory(t *testing.T) {
	org := fixture("zarya", "ru", "Заря", "", "RU-PER")
	s := newTestServer(t, []directory.Organization{org})
	editor := s.key(directory.RoleEditor)
	body := strings.Repeat("[", 1<<20-1)

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, s.url+"/api/v1/organizations", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+editor)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			statuses[i] = res.StatusCode
		})
	}
	wg.Wait()
	runtime.ReadMemStats(&after)
	for _, st := range statuses {
		if st != http.StatusBadRequest {
			t.Errorf("status %d, want 400", st)
		}
	}
	// Reading the bodies costs a few MiB each; decoding them cost gigabytes,
	// most of it goroutine stacks, which the runtime keeps.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 128<<20 {
		t.Errorf("answering eight nested bodies allocated %d MiB", alloc>>20)
	}
	if stacks := int64(after.StackSys) - int64(before.StackSys); stacks > 64<<20 {
		t.Errorf("answering eight nested bodies grew stacks by %d MiB", stacks>>20)
	}
}

// TestSameBadValueEveryWayIn sends each bad value through every way a
// record's text comes in (the command line's import is checked in
// cmd/coalition), and checks that each answers with the same
// message for the same field, as that way names it.
func TestSameBadValueEveryWayIn(t *testing.T) {
	t.Parallel()
	org := fixture("zarya", "ru", "Заря", "", "RU-PER")
	s := newTestServer(t, []directory.Organization{org})
	editor, admin := s.key(directory.RoleEditor), s.key(directory.RoleAdmin)

	type way struct {
		name  string
		field string // where the value goes, as this way names it
		send  func(v string) response
	}
	jsonBody := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	csvFile := func(v string) string {
		var b strings.Builder
		w := csv.NewWriter(&b)
		w.UseCRLF = true
		_ = w.WriteAll([][]string{{"name_ru", "country_code"}, {v, "RU"}})
		return b.String()
	}
	ways := []way{
		{"JSON create", "name", func(v string) response {
			return s.send(http.MethodPost, "/api/v1/organizations", editor, jsonBody(map[string]any{"name": v, "country_code": "RU"}))
		}},
		{"PATCH", "name", func(v string) response {
			return s.send(http.MethodPatch, "/api/v1/organizations/zarya", editor, jsonBody(map[string]any{"name": v}))
		}},
		{"translation", "translations.en.name", func(v string) response {
			return s.send(http.MethodPatch, "/api/v1/organizations/zarya", editor, jsonBody(map[string]any{"translations": map[string]any{"en": map[string]any{"name": v}}}))
		}},
		{"contact", "name", func(v string) response {
			return s.send(http.MethodPost, "/api/v1/organizations/zarya/contacts", editor, jsonBody(map[string]any{"name": v}))
		}},
		{"focus area", "names.en", func(v string) response {
			return s.send(http.MethodPost, "/api/v1/focus-areas", admin, jsonBody(map[string]any{"slug": "online-exploitation", "group": "theme",
				"names": map[string]any{"en": v, "ru": "Онлайн-эксплуатация"}}))
		}},
		{"CSV row", "rows[2].name_ru", func(v string) response {
			return s.importFile(admin, "text/csv", "", csvFile(v))
		}},
		{"NDJSON line", "rows[1].name", func(v string) response {
			return s.importFile(admin, "application/x-ndjson", "", jsonBody(map[string]any{"original_language": "ru",
				"translations": map[string]any{"ru": map[string]any{"name": v}}, "country_code": "RU", "membership_status": "member"})+"\n")
		}},
	}
	for _, tc := range []struct{ name, value, message string }{
		{"spaces", "   ", "is required"},
		{"a tab", "\t", "is required"},
		{"no-break spaces", "\u00a0\u202f", "is required"},
		{"zero-width characters", "\u200b\u200c\u200d\ufeff", "is required"},
		{"bidirectional marks alone", "\u200f\u061c", "is required"},
		{"an override", "Приют \u202eьлоп", "must not contain bidirectional embedding, override or isolate characters (U+202A-U+202E, U+2066-U+2069)"},
		{"an isolate", "\u2067Приют\u2069", "must not contain bidirectional embedding, override or isolate characters (U+202A-U+202E, U+2066-U+2069)"},
		{"a control character", "При\u0007ют", "must be one line without control characters"},
		{"a line break", "При\nют", "must be one line without control characters"},
	} {
		for _, w := range ways {
			r := w.send(tc.value)
			want := w.field + ": " + tc.message
			if got := problemFields(t, r); r.StatusCode != http.StatusBadRequest || !slices.Equal(got, []string{want}) {
				t.Errorf("%s through %s: %d %v, want %q", tc.name, w.name, r.StatusCode, got, want)
			}
		}
	}
	if got := decode[api.Organization](t, s.get("/api/v1/organizations/zarya")); got.Version != 1 {
		t.Errorf("a rejected write changed the record to version %d", got.Version)
	}
}

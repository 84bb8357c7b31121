package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/directory"
)

// validOrganization is a create body that passes every rule.
func validOrganization(slug string) map[string]any {
	return map[string]any{
		"slug":              slug,
		"name":              "Фонд «Вектор»",
		"description":       "Помощь пострадавшим от торговли людьми.",
		"translations":      map[string]any{"en": map[string]any{"name": "Vector Foundation"}},
		"country_code":      "RU",
		"region_code":       "RU-NIZ",
		"city":              "Нижний Новгород",
		"focus_areas":       []string{"hotline", "legal-aid"},
		"phones":            []map[string]any{{"number": "8 (831) 200-00-99", "kind": "hotline"}},
		"email":             "info@vector.example.org",
		"website":           "https://vector.example.org",
		"membership_status": "member",
		"member_since":      "2010-03-01",
	}
}

func TestEditorWalkthrough(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	editor, admin := s.key(directory.RoleEditor), s.key(directory.RoleAdmin)

	body := validOrganization("")
	delete(body, "slug")
	r := s.send(http.MethodPost, "/api/v1/organizations?lang=en", editor, body)
	wantStatus(t, r, http.StatusCreated)
	created := decode[api.Organization](t, r)
	if created.Slug != "fond-vektor" || created.Name != "Vector Foundation" || created.Version != 1 {
		t.Errorf("created %s %q version %d", created.Slug, created.Name, created.Version)
	}
	if created.Phones[0].Number != "+78312000099" {
		t.Errorf("phone stored as %q, want E.164", created.Phones[0].Number)
	}
	location := r.Header.Get("Location")
	if location != "/api/v1/organizations/"+created.ID || r.Header.Get("ETag") == "" {
		t.Fatalf("Location %q, ETag %q", location, r.Header.Get("ETag"))
	}

	r = s.get(location)
	wantStatus(t, r, http.StatusOK)
	etag1 := r.Header.Get("ETag")
	if !strings.HasPrefix(etag1, `"v1-`) {
		t.Fatalf("ETag %q does not carry version 1", etag1)
	}

	h := bearer(editor)
	h.Set("If-Match", etag1)
	h.Set("Content-Type", "application/merge-patch+json")
	r = s.do(http.MethodPatch, location, h, strings.NewReader(`{"city": "Дзержинск", "acronym": "ФВ", "email": null}`))
	wantStatus(t, r, http.StatusOK)
	patched := decode[api.Organization](t, r)
	if patched.City != "Дзержинск" || patched.Acronym != "ФВ" || patched.Email != "" || patched.Version != 2 {
		t.Errorf("patched: city %q acronym %q email %q version %d", patched.City, patched.Acronym, patched.Email, patched.Version)
	}
	if patched.Translations["en"].Name != "Vector Foundation" || len(patched.FocusAreas) != 2 {
		t.Errorf("the patch changed fields it did not name: %+v", patched)
	}

	// A second editor still holding the first version gets 412 and the current ETag.
	r = s.do(http.MethodPatch, location, h, strings.NewReader(`{"city": "Арзамас"}`))
	wantStatus(t, r, http.StatusPreconditionFailed)
	current := s.do(http.MethodGet, location, bearer(editor), nil)
	if got, want := r.Header.Get("ETag"), current.Header.Get("ETag"); got != want || !strings.HasPrefix(got, `"v2-`) {
		t.Errorf("412 carries ETag %q, want %q, the one a GET gets", got, want)
	}

	h.Set("If-Match", `"v2"`)
	r = s.do(http.MethodDelete, location, h, nil)
	wantStatus(t, r, http.StatusNoContent)
	wantStatus(t, s.get(location), http.StatusNotFound)
	if slices.Contains(slugsOf(s.listAll("q=vektor", 20)), "fond-vektor") {
		t.Error("an archived organization is still listed")
	}
	wantStatus(t, s.send(http.MethodGet, "/api/v1/organizations?archived=true", editor, nil), http.StatusForbidden)
	r = s.send(http.MethodGet, "/api/v1/organizations?archived=true", admin, nil)
	wantStatus(t, r, http.StatusOK)
	if got := slugsOf(decode[api.OrganizationList](t, r).Items); !slices.Equal(got, []string{"fond-vektor"}) {
		t.Errorf("archived list %v", got)
	}

	wantStatus(t, s.send(http.MethodPost, location+"/restore", editor, nil), http.StatusForbidden)
	r = s.send(http.MethodPost, location+"/restore", admin, nil)
	wantStatus(t, r, http.StatusOK)
	if got := decode[api.Organization](t, r); got.Version != 4 {
		t.Errorf("restored version %d, want 4", got.Version)
	}
	wantStatus(t, s.get(location), http.StatusOK)
	wantStatus(t, s.send(http.MethodPost, location+"/restore", admin, nil), http.StatusConflict)

	r = s.send(http.MethodGet, location+"/history", editor, nil)
	wantStatus(t, r, http.StatusOK)
	history := decode[api.AuditList](t, r)
	var actions []string
	for _, e := range history.Items {
		actions = append(actions, e.Action)
		if e.KeyID == "" || e.Actor == "" || e.EntityID != created.ID {
			t.Errorf("entry %+v does not say who changed what", e)
		}
	}
	if want := []string{"restore", "archive", "update", "create"}; !slices.Equal(actions, want) {
		t.Fatalf("history actions %v, want %v", actions, want)
	}
	update := map[string]api.FieldChange{}
	for _, c := range history.Items[2].Changes {
		update[c.Field] = c
	}
	if c := update["city"]; c.Old != "Нижний Новгород" || c.New != "Дзержинск" {
		t.Errorf("city change %+v", c)
	}
	if c := update["email"]; c.Old != "info@vector.example.org" || c.New != nil {
		t.Errorf("email change %+v", c)
	}
	if c := update["acronym"]; c.Old != nil || c.New != "ФВ" {
		t.Errorf("acronym change %+v", c)
	}
	if len(update) != 3 {
		t.Errorf("the update records %d changes, want 3: %+v", len(update), history.Items[2].Changes)
	}
	if c := history.Items[1].Changes; len(c) != 1 || c[0].Field != "archived_at" || c[0].Old != nil || c[0].New == nil {
		t.Errorf("archive changes %+v", c)
	}
	if c := history.Items[3].Changes; len(c) < 10 {
		t.Errorf("create records %d fields", len(c))
	}
}

// counts returns the number of live organizations and of audit entries.
func (s *testServer) counts(admin string) (orgs, audit int) {
	s.t.Helper()
	r := s.send(http.MethodGet, "/api/v1/stats", admin, nil)
	wantStatus(s.t, r, http.StatusOK)
	a := s.send(http.MethodGet, "/api/v1/audit?per_page=1", admin, nil)
	wantStatus(s.t, a, http.StatusOK)
	return decode[api.Stats](s.t, r).Total, decode[api.AuditList](s.t, a).TotalItems
}

func TestBadWrites(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	editor, admin := s.key(directory.RoleEditor), s.key(directory.RoleAdmin)
	with := func(changes map[string]any) map[string]any {
		b := validOrganization("bad-write")
		for k, v := range changes {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}
	const orgs = "/api/v1/organizations"
	const hope = orgs + "/nadezhda"
	tests := []struct {
		name         string
		method, path string
		contentType  string
		body         any
		status       int
		field        string
	}{
		{"malformed JSON", "POST", orgs, "", `{"name": "x",`, 400, "body"},
		{"not an object", "POST", orgs, "", `["name"]`, 400, "body"},
		{"empty body", "POST", orgs, "", ``, 400, "body"},
		{"two JSON values", "POST", orgs, "", `{} {}`, 400, "body"},
		{"wrong type", "POST", orgs, "", with(map[string]any{"name": 42}), 400, "name"},
		{"wrong list type", "POST", orgs, "", with(map[string]any{"focus_areas": "hotline"}), 400, "focus_areas"},
		{"unknown field", "POST", orgs, "", with(map[string]any{"nmae": "x"}), 400, "nmae"},
		{"read-only id", "POST", orgs, "", with(map[string]any{"id": "0193b8a2-7c1e-7d4a-9f00-5b2c1e9a0c11"}), 400, "id"},
		{"read-only version", "POST", orgs, "", with(map[string]any{"version": 7}), 400, "version"},
		{"no name", "POST", orgs, "", with(map[string]any{"name": nil}), 400, "name"},
		{"no country", "POST", orgs, "", with(map[string]any{"country_code": nil, "region_code": nil}), 400, "country_code"},
		{"unknown country", "POST", orgs, "", with(map[string]any{"country_code": "XX", "region_code": nil}), 400, "country_code"},
		{"region of another country", "POST", orgs, "", with(map[string]any{"region_code": "KZ-AST"}), 400, "region_code"},
		{"unknown region", "POST", orgs, "", with(map[string]any{"region_code": "RU-XYZ"}), 400, "region_code"},
		{"unknown service region", "POST", orgs, "", with(map[string]any{"service_regions": []string{"RU-MOW", "RU-QQQ"}}), 400, "service_regions[1]"},
		{"javascript URL", "POST", orgs, "", with(map[string]any{"website": "javascript:alert(1)"}), 400, "website"},
		{"ftp URL", "POST", orgs, "", with(map[string]any{"website": "ftp://vector.example.org"}), 400, "website"},
		{"URL without host", "POST", orgs, "", with(map[string]any{"website": "https://"}), 400, "website"},
		{"invalid email", "POST", orgs, "", with(map[string]any{"email": "info at vector"}), 400, "email"},
		{"email with a name", "POST", orgs, "", with(map[string]any{"email": "Vector <info@vector.example.org>"}), 400, "email"},
		{"impossible phone", "POST", orgs, "", with(map[string]any{"phones": []map[string]any{{"number": "+7 123"}}}), 400, "phones[0].number"},
		{"phone of letters", "POST", orgs, "", with(map[string]any{"phones": []map[string]any{{"number": "call us"}}}), 400, "phones[0].number"},
		{"unknown phone kind", "POST", orgs, "", with(map[string]any{"phones": []map[string]any{{"number": "+78312000001", "kind": "fax"}}}), 400, "phones[0].kind"},
		{"over-long name", "POST", orgs, "", with(map[string]any{"name": strings.Repeat("я", 301)}), 400, "name"},
		{"over-long description", "POST", orgs, "", with(map[string]any{"description": strings.Repeat("d", 5001)}), 400, "description"},
		{"a name of two lines", "POST", orgs, "", with(map[string]any{"name": "Фонд\nВектор"}), 400, "name"},
		{"a control character", "POST", orgs, "", with(map[string]any{"city": "Казань\u0007"}), 400, "city"},
		{"over-long acronym", "POST", orgs, "", with(map[string]any{"acronym": strings.Repeat("A", 31)}), 400, "acronym"},
		{"unknown focus area", "POST", orgs, "", with(map[string]any{"focus_areas": []string{"knitting"}}), 400, "focus_areas[0]"},
		{"unknown status", "POST", orgs, "", with(map[string]any{"membership_status": "active"}), 400, "membership_status"},
		{"malformed date", "POST", orgs, "", with(map[string]any{"member_since": "12.05.2003"}), 400, "member_since"},
		{"membership ends before it starts", "POST", orgs, "", with(map[string]any{"member_until": "2001-01-01"}), 400, "member_until"},
		{"malformed verified_at", "POST", orgs, "", with(map[string]any{"verified_at": "yesterday"}), 400, "verified_at"},
		{"unknown original language", "POST", orgs, "", with(map[string]any{"original_language": "de"}), 400, "original_language"},
		{"unknown translation language", "POST", orgs, "", with(map[string]any{"translations": map[string]any{"fr": map[string]any{"name": "Vecteur"}}}), 400, "translations"},
		{"translation without a name", "POST", orgs, "", with(map[string]any{"translations": map[string]any{"en": map[string]any{"description": "x"}}}), 400, "translations.en.name"},
		{"original language as a translation", "POST", orgs, "", with(map[string]any{"translations": map[string]any{"ru": map[string]any{"name": "x"}}}), 400, "translations.ru"},
		{"malformed language", "POST", orgs, "", with(map[string]any{"languages": []string{"Russian"}}), 400, "languages[0]"},
		{"malformed slug", "POST", orgs, "", with(map[string]any{"slug": "Not A Slug"}), 400, "slug"},
		{"taken slug", "POST", orgs, "", with(map[string]any{"slug": "nadezhda"}), 409, "slug"},
		{"2 MB body", "POST", orgs, "", with(map[string]any{"description": strings.Repeat("x", 2<<20)}), 413, ""},
		{"text/plain body", "POST", orgs, "text/plain", with(nil), 415, ""},
		{"form body", "POST", orgs, "application/x-www-form-urlencoded", "name=x", 415, ""},
		{"patch: region of another country", "PATCH", hope, "", map[string]any{"region_code": "UZ-TK"}, 400, "region_code"},
		{"patch: removing the name", "PATCH", hope, "", `{"name": null}`, 400, "name"},
		{"patch: unknown field", "PATCH", hope, "", `{"colour": "blue"}`, 400, "colour"},
		{"patch: wrong type", "PATCH", hope, "", `{"address_hidden": "yes"}`, 400, "address_hidden"},
		{"patch: not an object", "PATCH", hope, "", `"x"`, 400, "body"},
		{"patch: text/plain", "PATCH", hope, "text/plain", `{"city": "x"}`, 415, ""},
		{"patch: unknown organization", "PATCH", orgs + "/no-such-org", "", `{"city": "x"}`, 404, ""},
		{"patch: stale If-Match", "PATCH", hope, "if-match", `{"city": "x"}`, 412, ""},
		{"contact: no name", "POST", hope + "/contacts", "", `{"email": "a@example.org"}`, 400, "name"},
		{"contact: invalid email", "POST", hope + "/contacts", "", `{"name": "Desk", "email": "desk@"}`, 400, "email"},
		{"contact: unknown visibility", "POST", hope + "/contacts", "", `{"name": "Desk", "visibility": "secret"}`, 400, "visibility"},
		{"contact: role with a line break", "POST", hope + "/contacts", "", `{"name": "Desk", "role": "a\r\nTEL:+1"}`, 400, "role"},
		{"contact: impossible phone", "POST", hope + "/contacts", "", `{"name": "Desk", "phone": "12"}`, 400, "phone"},
		{"contact: second primary", "POST", hope + "/contacts", "", `{"name": "Desk", "is_primary": true}`, 409, "is_primary"},
		{"focus area: editor is not admin", "POST", "/api/v1/focus-areas", "", `{"slug": "x", "group": "theme", "names": {"en": "X", "ru": "Х"}}`, 403, ""},
		{"key: editor is not admin", "POST", "/api/v1/keys", "", `{"name": "x", "role": "admin"}`, 403, ""},
	}
	if len(tests) < 30 {
		t.Fatalf("only %d cases", len(tests))
	}
	orgsBefore, auditBefore := s.counts(admin)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var raw string
			switch b := tt.body.(type) {
			case string:
				raw = b
			default:
				raw = mustJSON(t, b)
			}
			h := bearer(editor)
			switch tt.contentType {
			case "":
				h.Set("Content-Type", "application/json")
			case "if-match":
				h.Set("Content-Type", "application/json")
				h.Set("If-Match", `"v99"`)
			default:
				h.Set("Content-Type", tt.contentType)
			}
			r := s.do(tt.method, tt.path, h, strings.NewReader(raw))
			wantStatus(t, r, tt.status)
			if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("content type %q", ct)
			}
			p := decode[api.Problem](t, r)
			if tt.field != "" && !slices.ContainsFunc(p.Errors, func(f api.ProblemField) bool { return f.Field == tt.field && f.Message != "" }) {
				t.Errorf("errors %+v do not name %q", p.Errors, tt.field)
			}
			if orgs, audit := s.counts(admin); orgs != orgsBefore || audit != auditBefore {
				t.Errorf("a rejected write changed the data: %d organizations, %d audit entries; before %d, %d", orgs, audit, orgsBefore, auditBefore)
			}
		})
	}
	t.Run("all field errors come back together", func(t *testing.T) {
		r := s.send(http.MethodPost, orgs, editor, with(map[string]any{"email": "x", "website": "ftp://x", "membership_status": "x", "focus_areas": []string{"nope"}}))
		wantStatus(t, r, http.StatusBadRequest)
		var fields []string
		for _, f := range decode[api.Problem](t, r).Errors {
			fields = append(fields, f.Field)
		}
		for _, want := range []string{"email", "website", "membership_status", "focus_areas[0]"} {
			if !slices.Contains(fields, want) {
				t.Errorf("errors %v lack %s", fields, want)
			}
		}
	})
	t.Run("hope is unchanged", func(t *testing.T) {
		got := decode[api.Organization](t, s.get(hope))
		if got.Version != 1 || got.RegionCode != "RU-NIZ" {
			t.Errorf("after rejected patches: version %d, region %s", got.Version, got.RegionCode)
		}
	})
}

func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	revoked := s.key(directory.RoleAdmin)
	keys, err := s.dir.Keys(t.Context(), directory.Operator("test"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.dir.RevokeKey(t.Context(), directory.Operator("test"), keys[0].ID); err != nil {
		t.Fatal(err)
	}
	callers := []struct {
		name   string
		secret string
		role   directory.Role
	}{
		{"no key", "", directory.RoleAnonymous},
		{"unknown key", "cdk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", directory.RoleAnonymous},
		{"malformed key", "hunter2", directory.RoleAnonymous},
		{"revoked key", revoked, directory.RoleAnonymous},
		{"partner", s.key(directory.RolePartner), directory.RolePartner},
		{"editor", s.key(directory.RoleEditor), directory.RoleEditor},
		{"admin", s.key(directory.RoleAdmin), directory.RoleAdmin},
	}
	contacts, err := s.dir.Contacts(t.Context(), directory.Operator("test"), "nadezhda")
	if err != nil {
		t.Fatal(err)
	}
	contact := "/api/v1/organizations/nadezhda/contacts/" + contacts[0].ID
	routes := []struct {
		method, path string
		body         string
		min          directory.Role // RoleAnonymous: public
	}{
		{"GET", "/api/v1/organizations", "", directory.RoleAnonymous},
		{"GET", "/api/v1/organizations/nadezhda", "", directory.RoleAnonymous},
		{"GET", "/api/v1/organizations/nadezhda/contacts", "", directory.RoleAnonymous},
		{"GET", "/api/v1/stats", "", directory.RoleAnonymous},
		{"GET", "/api/v1/countries/RU", "", directory.RoleAnonymous},
		{"GET", "/api/v1/organizations?archived=true", "", directory.RoleAdmin},
		{"POST", "/api/v1/organizations", `{}`, directory.RoleEditor},
		{"PATCH", "/api/v1/organizations/alfa", `{"city": "Москва"}`, directory.RoleEditor},
		{"DELETE", "/api/v1/organizations/zelenyj-svet", "", directory.RoleEditor},
		{"POST", "/api/v1/organizations/zelenyj-svet/restore", "", directory.RoleAdmin},
		{"GET", "/api/v1/organizations/alfa/history", "", directory.RoleEditor},
		{"POST", "/api/v1/organizations/alfa/contacts", `{"name": "Desk"}`, directory.RoleEditor},
		{"PATCH", contact, `{"role": "Desk"}`, directory.RoleEditor},
		{"DELETE", contact, "", directory.RoleEditor},
		{"POST", "/api/v1/focus-areas", `{"slug": "online", "group": "theme", "names": {"en": "Online", "ru": "Онлайн"}}`, directory.RoleAdmin},
		{"PATCH", "/api/v1/focus-areas/research", `{"names": {"en": "Research", "ru": "Исследования"}}`, directory.RoleAdmin},
		{"DELETE", "/api/v1/focus-areas/online", "", directory.RoleAdmin},
		{"GET", "/api/v1/keys", "", directory.RoleAdmin},
		{"POST", "/api/v1/keys", `{"name": "n", "role": "partner"}`, directory.RoleAdmin},
		{"DELETE", "/api/v1/keys/0193b8a2-7c1e-7d4a-9f00-5b2c1e9a0c11", "", directory.RoleAdmin},
		{"GET", "/api/v1/audit", "", directory.RoleAdmin},
	}
	for _, rt := range routes {
		for _, c := range callers {
			t.Run(rt.method+" "+rt.path+" as "+c.name, func(t *testing.T) {
				h := bearer(c.secret)
				var body *strings.Reader
				if rt.body != "" {
					h.Set("Content-Type", "application/json")
				}
				body = strings.NewReader(rt.body)
				r := s.do(rt.method, rt.path, h, body)
				anonymousByMistake := c.secret != "" && c.role == directory.RoleAnonymous
				switch {
				case anonymousByMistake || (c.role == directory.RoleAnonymous && rt.min != directory.RoleAnonymous):
					wantStatus(t, r, http.StatusUnauthorized)
					if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
						t.Errorf("401 without a Bearer challenge: %q", r.Header.Get("WWW-Authenticate"))
					}
				case !c.role.Includes(rt.min):
					wantStatus(t, r, http.StatusForbidden)
				default:
					if r.StatusCode == http.StatusUnauthorized || r.StatusCode == http.StatusForbidden {
						t.Errorf("%s may %s %s but got %d: %s", c.name, rt.method, rt.path, r.StatusCode, r.body)
					}
				}
			})
		}
	}
}

func TestConcurrentPatchesWithOneIfMatch(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	editor := s.key(directory.RoleEditor)
	etag := s.get("/api/v1/organizations/alfa").Header.Get("ETag")

	const writers = 50
	statuses := make([]int, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			h := bearer(editor)
			h.Set("If-Match", etag)
			h.Set("Content-Type", "application/merge-patch+json")
			r := s.do(http.MethodPatch, "/api/v1/organizations/alfa", h, strings.NewReader(fmt.Sprintf(`{"city": "Город %d"}`, i)))
			statuses[i] = r.StatusCode
		})
	}
	wg.Wait()
	winner := -1
	for i, st := range statuses {
		switch st {
		case http.StatusOK:
			if winner >= 0 {
				t.Errorf("writers %d and %d both succeeded", winner, i)
			}
			winner = i
		case http.StatusPreconditionFailed:
		default:
			t.Errorf("writer %d got %d", i, st)
		}
	}
	if winner < 0 {
		t.Fatal("no writer succeeded")
	}
	got := decode[api.Organization](t, s.get("/api/v1/organizations/alfa"))
	if want := fmt.Sprintf("Город %d", winner); got.City != want || got.Version != 2 {
		t.Errorf("stored city %q version %d, want the winner's %q at version 2", got.City, got.Version, want)
	}
}

func TestPrivacy(t *testing.T) {
	t.Parallel()
	orgs := searchFixtures()
	orgs[0].Address, orgs[0].AddressHidden = "ул. Тайная, 7", true
	s := newTestServer(t, orgs)
	partner := s.key(directory.RolePartner)

	for _, q := range []string{"секретов", "тайная"} {
		anon := s.get("/api/v1/organizations?q=" + url.QueryEscape(q))
		if got := decode[api.OrganizationList](t, anon).TotalItems; got != 0 {
			t.Errorf("q=%s finds %d organizations anonymously, by partners-only text", q, got)
		}
		r := s.send(http.MethodGet, "/api/v1/organizations?q="+url.QueryEscape(q), partner, nil)
		if got := slugsOf(decode[api.OrganizationList](t, r).Items); !slices.Equal(got, []string{"nadezhda"}) {
			t.Errorf("q=%s with a partner key finds %v", q, got)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "private, no-cache" {
			t.Errorf("a partner's response is cacheable by others: %q", cc)
		}
	}

	anon := decode[api.Organization](t, s.get("/api/v1/organizations/nadezhda"))
	withKey := decode[api.Organization](t, s.send(http.MethodGet, "/api/v1/organizations/nadezhda", partner, nil))
	if anon.Address != "" || len(anon.Contacts) != 1 {
		t.Errorf("anonymous: address %q, %d contacts", anon.Address, len(anon.Contacts))
	}
	if withKey.Address != "ул. Тайная, 7" || !withKey.AddressHidden || len(withKey.Contacts) != 2 {
		t.Errorf("partner: address %q hidden %v, %d contacts", withKey.Address, withKey.AddressHidden, len(withKey.Contacts))
	}
	list := decode[api.OrganizationList](t, s.get("/api/v1/organizations?q=надежда"))
	for _, o := range list.Items {
		if o.Address != "" && o.Slug == "nadezhda" {
			t.Errorf("the list shows a hidden address: %q", o.Address)
		}
	}
	contacts := decode[api.ContactList](t, s.get("/api/v1/organizations/nadezhda/contacts"))
	for _, c := range contacts.Items {
		if c.Visibility != "public" {
			t.Errorf("anonymous contact list holds %+v", c)
		}
	}
	private := withKey.Contacts[slices.IndexFunc(withKey.Contacts, func(c api.Contact) bool { return c.Visibility == "partners" })]
	wantStatus(t, s.get("/api/v1/organizations/nadezhda/contacts/"+private.ID), http.StatusNotFound)
	wantStatus(t, s.send(http.MethodGet, "/api/v1/organizations/nadezhda/contacts/"+private.ID, partner, nil), http.StatusOK)
}

func TestKeysOverHTTP(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	admin := s.key(directory.RoleAdmin)
	r := s.send(http.MethodPost, "/api/v1/keys", admin, `{"name": "Map frontend", "role": "partner"}`)
	wantStatus(t, r, http.StatusCreated)
	created := decode[api.KeyCreated](t, r)
	if !strings.HasPrefix(created.Secret, "cdk_") || !strings.HasPrefix(created.Secret, created.Prefix) {
		t.Fatalf("created %+v", created)
	}
	wantStatus(t, s.send(http.MethodGet, "/api/v1/organizations", created.Secret, nil), http.StatusOK)

	r = s.send(http.MethodGet, "/api/v1/keys", admin, nil)
	wantStatus(t, r, http.StatusOK)
	if strings.Contains(string(r.body), created.Secret) {
		t.Error("the key list shows a secret")
	}
	if keys := decode[api.KeyList](t, r); keys.TotalItems != 2 || keys.Items[0].LastUsedAt == nil {
		t.Errorf("keys %+v", keys)
	}
	r = s.send(http.MethodDelete, "/api/v1/keys/"+created.ID, admin, nil)
	wantStatus(t, r, http.StatusOK)
	if got := decode[api.Key](t, r); got.RevokedAt == nil {
		t.Error("revoked key has no revoked_at")
	}
	wantStatus(t, s.send(http.MethodGet, "/api/v1/organizations", created.Secret, nil), http.StatusUnauthorized)
	wantStatus(t, s.send(http.MethodPost, "/api/v1/keys", admin, `{"name": "", "role": "root"}`), http.StatusBadRequest)

	r = s.send(http.MethodGet, "/api/v1/audit?entity_type=key&entity_id="+created.ID, admin, nil)
	wantStatus(t, r, http.StatusOK)
	var actions []string
	for _, e := range decode[api.AuditList](t, r).Items {
		actions = append(actions, e.Action)
	}
	if !slices.Equal(actions, []string{"revoke", "create"}) {
		t.Errorf("key audit actions %v", actions)
	}
	wantStatus(t, s.send(http.MethodGet, "/api/v1/audit?since=yesterday", admin, nil), http.StatusBadRequest)
}

func TestContactsAndFocusAreas(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	editor, admin := s.key(directory.RoleEditor), s.key(directory.RoleAdmin)

	r := s.send(http.MethodPost, "/api/v1/organizations/alfa/contacts", editor, `{"name": "Мария Примерова", "phone": "8 495 000-00-01", "visibility": "public"}`)
	wantStatus(t, r, http.StatusCreated)
	c := decode[api.Contact](t, r)
	if c.Phone != "+74950000001" || r.Header.Get("Location") == "" {
		t.Errorf("contact %+v, Location %q", c, r.Header.Get("Location"))
	}
	if got := slugsOf(decode[api.OrganizationList](t, s.get("/api/v1/organizations?q=примерова")).Items); !slices.Equal(got, []string{"alfa"}) {
		t.Errorf("a new public contact is not searchable: %v", got)
	}
	loc := r.Header.Get("Location")
	h := bearer(editor)
	h.Set("Content-Type", "application/merge-patch+json")
	h.Set("If-Match", r.Header.Get("ETag"))
	r = s.do(http.MethodPatch, loc, h, strings.NewReader(`{"visibility": "partners"}`))
	wantStatus(t, r, http.StatusOK)
	if got := decode[api.OrganizationList](t, s.get("/api/v1/organizations?q=примерова")).TotalItems; got != 0 {
		t.Error("a contact made partners-only is still found anonymously")
	}
	wantStatus(t, s.do(http.MethodPatch, loc, h, strings.NewReader(`{"role": "x"}`)), http.StatusPreconditionFailed)
	wantStatus(t, s.send(http.MethodDelete, loc, editor, nil), http.StatusNoContent)
	wantStatus(t, s.send(http.MethodDelete, loc, editor, nil), http.StatusNotFound)

	r = s.send(http.MethodPost, "/api/v1/focus-areas", admin, `{"slug": "online-exploitation", "group": "theme", "names": {"en": "Online exploitation", "ru": "Эксплуатация в интернете"}}`)
	wantStatus(t, r, http.StatusCreated)
	wantStatus(t, s.send(http.MethodPost, "/api/v1/focus-areas", admin, `{"slug": "online-exploitation", "group": "theme", "names": {"en": "x", "ru": "х"}}`), http.StatusConflict)
	wantStatus(t, s.send(http.MethodPatch, "/api/v1/organizations/alfa", editor, `{"focus_areas": ["online-exploitation"]}`), http.StatusOK)
	wantStatus(t, s.send(http.MethodDelete, "/api/v1/focus-areas/online-exploitation", admin, nil), http.StatusConflict)
	r = s.send(http.MethodPatch, "/api/v1/focus-areas/online-exploitation", admin, `{"names": {"en": "Online grooming"}}`)
	wantStatus(t, r, http.StatusOK)
	if got := decode[api.FocusArea](t, r); got.Names.EN != "Online grooming" || got.Names.RU != "Эксплуатация в интернете" {
		t.Errorf("a merge patch of one name gave %+v", got.Names)
	}
	wantStatus(t, s.send(http.MethodPatch, "/api/v1/focus-areas/online-exploitation", admin, `{"names": {"ru": null}}`), http.StatusBadRequest)
	wantStatus(t, s.send(http.MethodPatch, "/api/v1/focus-areas/online-exploitation", admin, `{"slug": "other"}`), http.StatusBadRequest)
	wantStatus(t, s.send(http.MethodDelete, "/api/v1/focus-areas/research", admin, nil), http.StatusConflict)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := jsonMarshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

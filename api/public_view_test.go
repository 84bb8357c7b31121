package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/directory"
)

// TestPartnersOnlyEditsDoNotShow checks that editing only partners-only
// data changes nothing an anonymous caller receives, body or ETag, on any
// read, while editors see the record's real version and can use it in
// If-Match; a public change then shows to everyone.
func TestPartnersOnlyEditsDoNotShow(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	editor, admin := s.key(directory.RoleEditor), s.key(directory.RoleAdmin)
	shelter := validOrganization("shelter")
	shelter["address"], shelter["address_hidden"] = "ул. Тайная, 1", true
	wantStatus(t, s.send(http.MethodPost, "/api/v1/organizations", editor, shelter), http.StatusCreated)
	created := time.Now().UTC()

	const org = "/api/v1/organizations/shelter"
	reads := []string{
		org,
		org + "?lang=en",
		org + "/contacts",
		org + "/contacts.vcf",
		"/api/v1/organizations?sort=-updated_at",
		"/api/v1/organizations?modified_after=" + url.QueryEscape(created.Format(time.RFC3339Nano)),
		"/api/v1/organizations?q=" + url.QueryEscape("Вектор"),
	}
	snapshot := func() map[string]response {
		out := map[string]response{}
		for _, path := range reads {
			r := s.get(path)
			wantStatus(t, r, http.StatusOK)
			out[path] = r
		}
		return out
	}
	before := snapshot()

	var contact string
	for _, edit := range []struct {
		name, method, path string
		body               any
		status             int
	}{
		{"the hidden address", http.MethodPatch, org, map[string]any{"address": "ул. Тайная, 2"}, http.StatusOK},
		{"a partners-only contact", http.MethodPost, org + "/contacts", map[string]any{"name": "Иван Секретов", "visibility": "partners"}, http.StatusCreated},
		{"the partners-only contact", http.MethodPatch, "{contact}", map[string]any{"role": "Директор"}, http.StatusOK},
		{"the hidden address, removed", http.MethodPatch, org, map[string]any{"address": nil}, http.StatusOK},
		{"the flag of an empty address", http.MethodPatch, org, map[string]any{"address_hidden": false}, http.StatusOK},
		{"the flag again", http.MethodPatch, org, map[string]any{"address_hidden": true}, http.StatusOK},
		{"the hidden address, by import", http.MethodPost, "/api/v1/import", "slug,address\r\nshelter,\"ул. Тайная, 3\"\r\n", http.StatusOK},
	} {
		path := edit.path
		if path == "{contact}" {
			path = contact
		}
		var r response
		if csv, ok := edit.body.(string); ok {
			r = s.importFile(admin, "text/csv", "", csv)
		} else {
			r = s.send(edit.method, path, editor, edit.body)
		}
		wantStatus(t, r, edit.status)
		if edit.status == http.StatusCreated {
			contact = r.Header.Get("Location")
		}
		after := snapshot()
		for _, path := range reads {
			b, a := before[path], after[path]
			if string(a.body) != string(b.body) || a.Header.Get("ETag") != b.Header.Get("ETag") {
				t.Errorf("after editing %s, an anonymous GET %s changed:\n%s %.300s\n%s %.300s", edit.name, path,
					b.Header.Get("ETag"), b.body, a.Header.Get("ETag"), a.body)
			}
		}
	}

	// Editors see the real version, and its ETag holds for If-Match.
	r := s.do(http.MethodGet, org, bearer(editor), nil)
	if got := decode[api.Organization](t, r); got.Version != 6 || got.Address != "ул. Тайная, 3" {
		t.Errorf("editors see version %d, address %q; want 6, the imported one", got.Version, got.Address)
	}
	h := bearer(editor)
	h.Set("Content-Type", "application/json")
	h.Set("If-Match", r.Header.Get("ETag"))
	r = s.do(http.MethodPatch, org, h, strings.NewReader(`{"city": "Дзержинск"}`))
	wantStatus(t, r, http.StatusOK)

	// A public change shows, with the real version.
	r = s.get(org)
	got := decode[api.Organization](t, r)
	if got.Version != 7 || got.City != "Дзержинск" || r.Header.Get("ETag") == before[org].Header.Get("ETag") {
		t.Errorf("after a public change: version %d, city %q, ETag %s", got.Version, got.City, r.Header.Get("ETag"))
	}
	// So does one by import.
	wantStatus(t, s.importFile(admin, "text/csv", "", "slug,city\r\nshelter,Арзамас\r\n"), http.StatusOK)
	got = decode[api.Organization](t, s.get(org))
	if got.Version != 8 || got.City != "Арзамас" {
		t.Errorf("after a public change by import: version %d, city %q", got.Version, got.City)
	}
}

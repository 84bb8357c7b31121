package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/directory"
)

// TestFormerSlugsRedirect checks that a slug an organization had before
// answers 301 to the same route under its current slug, on every GET route
// of an organization, until a live organization takes the slug.
func TestFormerSlugsRedirect(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	editor := s.key(directory.RoleEditor)
	r := s.send(http.MethodPost, "/api/v1/organizations/nadezhda/contacts", editor, map[string]any{"name": "Приёмная", "visibility": "public"})
	wantStatus(t, r, http.StatusCreated)
	contactID := decode[api.Contact](t, r).ID
	wantStatus(t, s.send(http.MethodPatch, "/api/v1/organizations/nadezhda", editor, map[string]any{"slug": "nadezhda-nn"}), http.StatusOK)

	for _, tt := range []struct{ path, want string }{
		{"/api/v1/organizations/nadezhda", "/api/v1/organizations/nadezhda-nn"},
		{"/api/v1/organizations/nadezhda?lang=en", "/api/v1/organizations/nadezhda-nn?lang=en"},
		{"/api/v1/organizations/nadezhda/contacts", "/api/v1/organizations/nadezhda-nn/contacts"},
		{"/api/v1/organizations/nadezhda/contacts.vcf", "/api/v1/organizations/nadezhda-nn/contacts.vcf"},
		{"/api/v1/organizations/nadezhda/contacts/" + contactID, "/api/v1/organizations/nadezhda-nn/contacts/" + contactID},
	} {
		r := s.get(tt.path)
		wantStatus(t, r, http.StatusMovedPermanently)
		if got := r.Header.Get("Location"); got != tt.want {
			t.Errorf("GET %s: Location %q, want %q", tt.path, got, tt.want)
		}
		wantStatus(t, s.get(tt.want), http.StatusOK)
	}
	r = s.do(http.MethodGet, "/api/v1/organizations/nadezhda/history", bearer(editor), nil)
	wantStatus(t, r, http.StatusMovedPermanently)
	if got := r.Header.Get("Location"); got != "/api/v1/organizations/nadezhda-nn/history" {
		t.Errorf("history: Location %q", got)
	}
	wantStatus(t, s.get("/api/v1/organizations/never-was"), http.StatusNotFound)

	// A slug taken back is current again, and the newer one leads to it.
	wantStatus(t, s.send(http.MethodPatch, "/api/v1/organizations/nadezhda-nn", editor, map[string]any{"slug": "nadezhda"}), http.StatusOK)
	wantStatus(t, s.get("/api/v1/organizations/nadezhda"), http.StatusOK)
	if r := s.get("/api/v1/organizations/nadezhda-nn"); r.StatusCode != http.StatusMovedPermanently || r.Header.Get("Location") != "/api/v1/organizations/nadezhda" {
		t.Errorf("the slug given up: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}

	// A live organization that takes a former slug answers for it.
	body := validOrganization("nadezhda-nn")
	wantStatus(t, s.send(http.MethodPost, "/api/v1/organizations", editor, body), http.StatusCreated)
	r = s.get("/api/v1/organizations/nadezhda-nn")
	wantStatus(t, r, http.StatusOK)
	if got := decode[api.Organization](t, r).Name; got != "Фонд «Вектор»" {
		t.Errorf("the slug's new holder is not shown: %q", got)
	}
}

// TestRestoreUnderNewSlug checks that an archived organization whose slug
// a live one took can be restored under a new slug, that the 409 without
// one says how, and that the old slug then leads to it.
func TestRestoreUnderNewSlug(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	editor, admin := s.key(directory.RoleEditor), s.key(directory.RoleAdmin)
	r := s.send(http.MethodGet, "/api/v1/organizations/nadezhda", admin, nil)
	id := decode[api.Organization](t, r).ID
	wantStatus(t, s.send(http.MethodDelete, "/api/v1/organizations/nadezhda", editor, nil), http.StatusNoContent)
	r = s.send(http.MethodPost, "/api/v1/organizations", editor, validOrganization("nadezhda"))
	wantStatus(t, r, http.StatusCreated)
	taker := decode[api.Organization](t, r).ID

	restore := "/api/v1/organizations/" + id + "/restore"
	r = s.send(http.MethodPost, restore, admin, nil)
	wantStatus(t, r, http.StatusConflict)
	p := decode[api.Problem](t, r)
	if !strings.Contains(p.Detail, `"nadezhda-2"`) || len(p.Errors) != 1 || p.Errors[0].Field != "slug" {
		t.Errorf("the 409 does not say how to restore: %+v", p)
	}

	r = s.send(http.MethodPost, restore, admin, map[string]any{"slug": "Not A Slug"})
	wantStatus(t, r, http.StatusBadRequest)
	if p := decode[api.Problem](t, r); len(p.Errors) != 1 || p.Errors[0].Field != "slug" {
		t.Errorf("errors %+v, want one naming slug", p.Errors)
	}
	wantStatus(t, s.send(http.MethodPost, restore, admin, map[string]any{"slug": "nadezhda", "extra": 1}), http.StatusBadRequest)
	wantStatus(t, s.send(http.MethodPost, restore, admin, map[string]any{"slug": "zelenyj-svet"}), http.StatusConflict)

	r = s.send(http.MethodPost, restore, admin, map[string]any{"slug": "nadezhda-2"})
	wantStatus(t, r, http.StatusOK)
	if got := decode[api.Organization](t, r); got.Slug != "nadezhda-2" || got.ID != id {
		t.Errorf("restored as %s (%s)", got.Slug, got.ID)
	}
	wantStatus(t, s.get("/api/v1/organizations/nadezhda-2"), http.StatusOK)

	// While the taker lives, its slug is its own; once archived, the slug
	// leads to the organization that had it before.
	r = s.get("/api/v1/organizations/nadezhda")
	if got := decode[api.Organization](t, r).ID; got != taker {
		t.Errorf("nadezhda shows %s, want its live holder %s", got, taker)
	}
	wantStatus(t, s.send(http.MethodDelete, "/api/v1/organizations/"+taker, editor, nil), http.StatusNoContent)
	r = s.get("/api/v1/organizations/nadezhda/contacts")
	wantStatus(t, r, http.StatusMovedPermanently)
	if got := r.Header.Get("Location"); got != "/api/v1/organizations/nadezhda-2/contacts" {
		t.Errorf("Location %q", got)
	}
}

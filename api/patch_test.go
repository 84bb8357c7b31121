package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/directory"
)

// TestMergePatchWholeOrNothing checks that a merge patch applies whole or
// not at all: a member that would be ignored is a 400 naming it, and the
// record stays as it was.
func TestMergePatchWholeOrNothing(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	editor := s.key(directory.RoleEditor)
	r := s.send(http.MethodPost, "/api/v1/organizations/nadezhda/contacts", editor, map[string]any{"name": "Приёмная", "visibility": "public"})
	wantStatus(t, r, http.StatusCreated)
	contact := r.Header.Get("Location")

	tests := []struct {
		name, path, patch string
		field             string // the field the 400 names
	}{
		{"removing the original language's translation", "/api/v1/organizations/nadezhda", `{"translations": {"ru": null}}`, "translations.ru"},
		{"replacing the original language's translation", "/api/v1/organizations/nadezhda", `{"translations": {"ru": {"name": "Другое"}}}`, "translations.ru"},
		{"the same, in an English original", "/api/v1/organizations/cafe-liberte", `{"translations": {"en": null}}`, "translations.en"},
		{"a case variant of a field", "/api/v1/organizations/nadezhda", `{"City": "Дзержинск"}`, "City"},
		{"a case variant inside a translation", "/api/v1/organizations/nadezhda", `{"translations": {"en": {"Name": "Hope"}}}`, "translations.en.Name"},
		{"a case variant inside a phone", "/api/v1/organizations/nadezhda", `{"phones": [{"number": "+78312000000", "kind": "office", "Description": "24/7"}]}`, "phones[0].Description"},
		{"a read-only field", "/api/v1/organizations/nadezhda", `{"city": "Дзержинск", "version": 7}`, "version"},
		{"a contact's case variant", contact, `{"Visibility": "partners"}`, "Visibility"},
		{"a focus area's case variant", "/api/v1/focus-areas/shelter", `{"Names": {"en": "Shelters"}}`, "Names"},
	}
	admin := s.key(directory.RoleAdmin)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := s.do(http.MethodGet, tt.path, bearer(admin), nil)
			h := bearer(admin)
			h.Set("Content-Type", "application/merge-patch+json")
			r := s.do(http.MethodPatch, tt.path, h, strings.NewReader(tt.patch))
			wantStatus(t, r, http.StatusBadRequest)
			p := decode[api.Problem](t, r)
			if len(p.Errors) != 1 || p.Errors[0].Field != tt.field {
				t.Errorf("errors %+v, want one naming %s", p.Errors, tt.field)
			}
			after := s.do(http.MethodGet, tt.path, bearer(admin), nil)
			if string(after.body) != string(before.body) {
				t.Errorf("the record changed:\n%s\n%s", before.body, after.body)
			}
		})
	}

	t.Run("changing the original language may remove the translation it becomes", func(t *testing.T) {
		r := s.send(http.MethodPatch, "/api/v1/organizations/zelenyj-svet", editor,
			`{"original_language": "en", "name": "Green Light", "translations": {"en": null, "ru": {"name": "Зеленый свет"}}}`)
		wantStatus(t, r, http.StatusOK)
		got := decode[api.Organization](t, r)
		if got.OriginalLanguage != "en" || got.Translations["en"].Name != "Green Light" || got.Translations["ru"].Name != "Зеленый свет" {
			t.Errorf("got %s original, translations %+v", got.OriginalLanguage, got.Translations)
		}
	})
}

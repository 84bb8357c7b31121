package api_test

import (
	"net/http"
	"testing"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/directory"
)

// TestOneLanguagePerAnswer checks that every answer is in one language:
// lang, else Accept-Language, else the configured default, named by
// Content-Language, with every reference name and label in it; only an
// organization's own name falls back to its original language.
func TestOneLanguagePerAnswer(t *testing.T) {
	t.Parallel()
	ru := newTestServer(t, nil)
	en := newTestServerWith(t, nil, api.Options{DefaultLang: "en"})
	editor := ru.key(directory.RoleEditor)

	// label returns the text of a response that must be in its language.
	type label func(t *testing.T, r response) string
	orgCountry := func(t *testing.T, r response) string { return decode[api.Organization](t, r).CountryName }
	tests := []struct {
		name   string
		server *testServer
		path   string
		header http.Header
		want   string // Content-Language
		label  label
		wantRU string // the label in Russian
		wantEN string
	}{
		{"an English organization, no preference", ru, "/api/v1/organizations/danube-initiative-cahul", nil, "ru", orgCountry, "Молдова", "Moldova"},
		{"an English organization, Accept-Language: en", ru, "/api/v1/organizations/danube-initiative-cahul", http.Header{"Accept-Language": {"en"}}, "en", orgCountry, "Молдова", "Moldova"},
		{"an English organization, lang=ru over Accept-Language", ru, "/api/v1/organizations/danube-initiative-cahul?lang=ru", http.Header{"Accept-Language": {"en"}}, "ru", orgCountry, "Молдова", "Moldova"},
		{"an English organization, an unknown language", ru, "/api/v1/organizations/danube-initiative-cahul", http.Header{"Accept-Language": {"de"}}, "ru", orgCountry, "Молдова", "Moldova"},
		{"an English organization, default en", en, "/api/v1/organizations/danube-initiative-cahul", nil, "en", orgCountry, "Молдова", "Moldova"},
		{"a list", ru, "/api/v1/organizations?country=MD", nil, "ru",
			func(t *testing.T, r response) string { return decode[api.OrganizationList](t, r).Items[0].CountryName }, "Молдова", "Moldova"},
		{"a list, default en", en, "/api/v1/organizations?country=MD", nil, "en",
			func(t *testing.T, r response) string { return decode[api.OrganizationList](t, r).Items[0].CountryName }, "Молдова", "Moldova"},
		{"region names", en, "/api/v1/organizations/danube-initiative-cahul?lang=ru", nil, "ru",
			func(t *testing.T, r response) string { return decode[api.Organization](t, r).RegionName }, "Кагульский район", "Cahul"},
		{"a country, default en", en, "/api/v1/countries/MD", nil, "en",
			func(t *testing.T, r response) string { return decode[api.Country](t, r).Name }, "Молдова", "Moldova"},
		{"focus areas", en, "/api/v1/focus-areas", http.Header{"Accept-Language": {"ru-RU"}}, "ru",
			func(t *testing.T, r response) string { return decode[api.FocusAreaList](t, r).Items[0].Name }, "Профилактика", "Prevention"},
		{"status labels", ru, "/api/v1/stats?lang=en", nil, "en",
			func(t *testing.T, r response) string { return decode[api.Stats](t, r).ByStatus[0].Name }, "Член коалиции", "Member"},
		{"status labels, default en", en, "/api/v1/stats", nil, "en",
			func(t *testing.T, r response) string { return decode[api.Stats](t, r).ByStatus[0].Name }, "Член коалиции", "Member"},
		{"vCard", en, "/api/v1/organizations/danube-initiative-cahul/contacts.vcf", nil, "en", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.server.do(http.MethodGet, tt.path, tt.header, nil)
			wantStatus(t, r, http.StatusOK)
			if got := r.Header.Get("Content-Language"); got != tt.want {
				t.Errorf("Content-Language %q, want %q", got, tt.want)
			}
			if tt.label == nil {
				return
			}
			want := tt.wantRU
			if tt.want == "en" {
				want = tt.wantEN
			}
			if got := tt.label(t, r); got != want {
				t.Errorf("label %q, want %q", got, want)
			}
		})
	}

	t.Run("only the record's own name falls back", func(t *testing.T) {
		r := ru.get("/api/v1/organizations/danube-initiative-cahul")
		if got := decode[api.Organization](t, r); got.Name != "Danube Initiative" {
			t.Errorf("name %q, want the original English one", got.Name)
		}
	})

	t.Run("writes answer in one language too", func(t *testing.T) {
		r := ru.send(http.MethodPatch, "/api/v1/organizations/danube-initiative-cahul", editor, map[string]any{"city": "Cahul"})
		wantStatus(t, r, http.StatusOK)
		if got := decode[api.Organization](t, r).CountryName; got != "Молдова" || r.Header.Get("Content-Language") != "ru" {
			t.Errorf("country_name %q, Content-Language %q", got, r.Header.Get("Content-Language"))
		}
	})
}

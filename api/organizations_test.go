package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/directory"
)

// fixture builds a valid organization for tests that need data of their own.
func fixture(slug, original, ru, en, region string, focus ...string) directory.Organization {
	o := directory.Organization{
		ID:               uuid.NewString(),
		Slug:             slug,
		OriginalLanguage: original,
		Translations:     map[string]directory.Text{},
		CountryCode:      strings.SplitN(region, "-", 2)[0],
		RegionCode:       region,
		FocusAreas:       focus,
		MembershipStatus: directory.StatusMember,
	}
	if ru != "" {
		o.Translations[directory.LangRU] = directory.Text{Name: ru}
	}
	if en != "" {
		o.Translations[directory.LangEN] = directory.Text{Name: en}
	}
	return o
}

// searchFixtures is a small directory whose names exercise the search rules.
func searchFixtures() []directory.Organization {
	hope := fixture("nadezhda", "ru", "Центр «Надежда»", "Hope Centre", "RU-NIZ", "hotline", "shelter")
	hope.City = "Нижний Новгород"
	hope.Contacts = []directory.Contact{
		{ID: uuid.NewString(), Name: "Иван Секретов", Visibility: directory.VisibilityPartners},
		{ID: uuid.NewString(), Name: "Горячая линия", Visibility: directory.VisibilityPublic, IsPrimary: true},
	}
	united := fixture("obedinyonnye-usiliya", "ru", "Объединённые усилия", "", "RU-MOW", "prevention")
	green := fixture("zelenyj-svet", "ru", "Зеленый свет", "Green Light", "RU-SPE", "advocacy")
	cafe := fixture("cafe-liberte", "en", "", "Café Liberté", "RU-MOW", "research")
	shelters := fixture("priyut-povolzhya", "ru", "Приют Поволжья", "Volga Shelter", "RU-TA", "shelter")
	// Mentions hope only in its description, and sorts before Центр «Надежда».
	alpha := fixture("alfa", "ru", "Альфа", "Alpha", "RU-MOW", "training")
	alpha.Translations[directory.LangRU] = directory.Text{Name: "Альфа", Description: "Партнёр центра Надежда."}
	return []directory.Organization{hope, united, green, cafe, shelters, alpha}
}

func slugsOf(items []api.Organization) []string {
	out := make([]string, len(items))
	for i, o := range items {
		out[i] = o.Slug
	}
	return out
}

func TestSearch(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	tests := []struct {
		name, q string
		want    []string // in order
	}{
		{"lowercase finds a capitalised Russian word", "надежда", []string{"nadezhda", "alfa"}},
		{"uppercase finds it too", "НАДЕЖДА", []string{"nadezhda", "alfa"}},
		{"е finds ё", "объединенные", []string{"obedinyonnye-usiliya"}},
		{"ё finds е", "зелёный", []string{"zelenyj-svet"}},
		{"a word prefix finds the whole word", "прию", []string{"priyut-povolzhya"}},
		{"latin without diacritics finds them", "cafe liberte", []string{"cafe-liberte"}},
		{"latin with diacritics finds them", "CAFÉ", []string{"cafe-liberte"}},
		{"english translation is searched", "green", []string{"zelenyj-svet"}},
		{"acronyms and slugs are names", "zelenyj", []string{"zelenyj-svet"}},
		{"cities are searched", "новгород", []string{"nadezhda"}},
		{"public contacts are searched", "горячая", []string{"nadezhda"}},
		{"partners-only contacts are not searched anonymously", "секретов", nil},
		{"every word must match", "центр поволжья", nil},
		{"punctuation is ignored", "«надежда»!", []string{"nadezhda", "alfa"}},
		{"й stays a letter of its own", "прий", nil},
		{"a typo in a longer word is forgiven", "поволжия", []string{"priyut-povolzhya"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.get("/api/v1/organizations?q=" + url.QueryEscape(tt.q))
			wantStatus(t, r, http.StatusOK)
			got := slugsOf(decode[api.OrganizationList](t, r).Items)
			if !slices.Equal(got, tt.want) {
				t.Errorf("q=%q: got %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestSearchSortByNameOverridesRelevance(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	r := s.get("/api/v1/organizations?q=надежда&sort=name&lang=ru")
	wantStatus(t, r, http.StatusOK)
	got := slugsOf(decode[api.OrganizationList](t, r).Items)
	if want := []string{"alfa", "nadezhda"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v (Альфа before Центр)", got, want)
	}
}

// demoSlugs returns the slugs of demo organizations for which keep holds.
func demoSlugs(t *testing.T, keep func(o directory.Organization) bool) []string {
	t.Helper()
	orgs, err := demo.Organizations()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range orgs {
		if keep(o) {
			out = append(out, o.Slug)
		}
	}
	slices.Sort(out)
	return out
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, nil)
	anyOf := func(have []string, want ...string) bool {
		return slices.ContainsFunc(have, func(v string) bool { return slices.Contains(want, v) })
	}
	tests := []struct {
		query string
		keep  func(o directory.Organization) bool
	}{
		{"region=RU-NIZ", func(o directory.Organization) bool {
			return o.RegionCode == "RU-NIZ" || slices.Contains(o.ServiceRegions, "RU-NIZ")
		}},
		{"region=ru-mow,RU-SPE", func(o directory.Organization) bool {
			return anyOf(append([]string{o.RegionCode}, o.ServiceRegions...), "RU-MOW", "RU-SPE")
		}},
		{"focus_area=shelter", func(o directory.Organization) bool { return slices.Contains(o.FocusAreas, "shelter") }},
		{"focus_area=shelter,child-protection", func(o directory.Organization) bool {
			return anyOf(o.FocusAreas, "shelter", "child-protection")
		}},
		{"focus_area=shelter&focus_area=legal-aid", func(o directory.Organization) bool {
			return anyOf(o.FocusAreas, "shelter", "legal-aid")
		}},
		{"country=KZ", func(o directory.Organization) bool { return o.CountryCode == "KZ" }},
		{"country=RU&focus_area=hotline", func(o directory.Organization) bool {
			return o.CountryCode == "RU" && slices.Contains(o.FocusAreas, "hotline")
		}},
		{"status=former", func(o directory.Organization) bool { return o.MembershipStatus == directory.StatusFormer }},
		{"status=member,associate&country=RU", func(o directory.Organization) bool {
			return o.MembershipStatus != directory.StatusFormer && o.CountryCode == "RU"
		}},
		{"language=uz", func(o directory.Organization) bool { return slices.Contains(o.Languages, "uz") }},
		{"modified_after=2000-01-01T00:00:00Z", func(directory.Organization) bool { return true }},
		{"modified_after=2999-01-01T00:00:00Z", func(directory.Organization) bool { return false }},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			want := demoSlugs(t, tt.keep)
			if len(want) == 0 && !strings.Contains(tt.query, "2999") {
				t.Fatalf("the demo directory has no match for %s: the test proves nothing", tt.query)
			}
			got := slugsOf(s.listAll(tt.query, 100))
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s: got %v, want %v", tt.query, got, want)
			}
		})
	}
}

func TestPagingReturnsEveryMatchOnce(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, nil)
	for _, query := range []string{"country=RU", "sort=-updated_at", "focus_area=prevention,hotline&lang=en", "q=центр"} {
		t.Run(query, func(t *testing.T) {
			all := slugsOf(s.listAll(query, 100))
			if len(all) < 2 {
				t.Fatalf("%s matches %d organizations: too few to page", query, len(all))
			}
			paged := slugsOf(s.listAll(query, 3))
			if !slices.Equal(paged, all) {
				t.Errorf("paging by 3 gave %v, one page gave %v", paged, all)
			}
			seen := map[string]bool{}
			for _, slug := range paged {
				if seen[slug] {
					t.Errorf("%s listed twice", slug)
				}
				seen[slug] = true
			}
		})
	}
}

func TestListPagingHeaders(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, nil)
	r := s.get("/api/v1/organizations?country=RU&per_page=10&page=2")
	wantStatus(t, r, http.StatusOK)
	list := decode[api.OrganizationList](t, r)
	if list.Page != 2 || list.PerPage != 10 || list.TotalPages != (list.TotalItems+9)/10 || len(list.Items) != 10 {
		t.Errorf("got page %d, per_page %d, %d items, total %d in %d pages", list.Page, list.PerPage, len(list.Items), list.TotalItems, list.TotalPages)
	}
	link := r.Header.Get("Link")
	for _, want := range []string{
		`</api/v1/organizations?country=RU&page=1&per_page=10>; rel="first"`,
		`</api/v1/organizations?country=RU&page=1&per_page=10>; rel="prev"`,
		`</api/v1/organizations?country=RU&page=3&per_page=10>; rel="next"`,
		`rel="last"`,
	} {
		if !strings.Contains(link, want) {
			t.Errorf("Link %q lacks %s", link, want)
		}
	}
	r = s.get("/api/v1/organizations?per_page=100")
	if total := decode[api.OrganizationList](t, r).TotalItems; total < 60 {
		t.Errorf("the demo directory has %d organizations, want 60 or more", total)
	}
	if link := r.Header.Get("Link"); strings.Contains(link, `rel="next"`) || strings.Contains(link, `rel="prev"`) {
		t.Errorf("a single page links onwards: %s", link)
	}
}

func TestBadQueryValues(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	tests := []struct{ query, field string }{
		{"per_page=0", "per_page"},
		{"per_page=1000", "per_page"},
		{"per_page=-5", "per_page"},
		{"page=-1", "page"},
		{"page=0", "page"},
		{"page=abc", "page"},
		{"page=1.5", "page"},
		{"sort=population", "sort"},
		{"sort=relevance", "sort"},
		{"country=Russia", "country"},
		{"country=R1", "country"},
		{"country=XX", "country"},
		{"region=NIZ", "region"},
		{"region=RU-XYZ", "region"},
		{"focus_area=Shelter!", "focus_area"},
		{"focus_area=knitting", "focus_area"},
		{"status=active", "status"},
		{"language=Russian", "language"},
		{"modified_after=yesterday", "modified_after"},
		{"modified_after=2026-01-01", "modified_after"},
		{"lang=de", "lang"},
		{"q=" + strings.Repeat("а", 201), "q"},
		{"q=%21%3F", "q"},
		{"q=" + url.QueryEscape("a b c d e f g h i"), "q"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := s.get("/api/v1/organizations?" + tt.query)
			wantStatus(t, r, http.StatusBadRequest)
			if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("content type %q", ct)
			}
			p := decode[api.Problem](t, r)
			if len(p.Errors) == 0 || p.Errors[0].Field != tt.field || p.Errors[0].Message == "" {
				t.Errorf("got errors %+v, want one naming %q", p.Errors, tt.field)
			}
		})
	}
	t.Run("every bad parameter is named at once", func(t *testing.T) {
		r := s.get("/api/v1/organizations?page=x&per_page=0&sort=y")
		wantStatus(t, r, http.StatusBadRequest)
		var fields []string
		for _, e := range decode[api.Problem](t, r).Errors {
			fields = append(fields, e.Field)
		}
		if want := []string{"sort", "page", "per_page"}; !slices.Equal(fields, want) {
			t.Errorf("got fields %v, want %v", fields, want)
		}
	})
}

func TestOrganizationGet(t *testing.T) {
	t.Parallel()
	orgs := searchFixtures()
	hope := &orgs[0]
	hope.Address, hope.AddressHidden = "ул. Тайная, 1", true
	hope.Translations[directory.LangEN] = directory.Text{Name: "Hope Centre", Description: "Hotline and shelter."}
	s := newTestServer(t, orgs)

	for _, key := range []string{hope.ID, strings.ToUpper(hope.ID), hope.Slug} {
		r := s.get("/api/v1/organizations/" + key + "?lang=en")
		wantStatus(t, r, http.StatusOK)
		got := decode[api.Organization](t, r)
		if got.ID != hope.ID || got.Name != "Hope Centre" || got.Description != "Hotline and shelter." {
			t.Errorf("%s: got %s %q %q", key, got.ID, got.Name, got.Description)
		}
		if got.Translations["ru"].Name != "Центр «Надежда»" || got.OriginalLanguage != "ru" {
			t.Errorf("%s: translations %+v", key, got.Translations)
		}
		if got.Address != "" || got.AddressHidden {
			t.Errorf("a hidden address is shown to the public: %q", got.Address)
		}
		if len(got.Contacts) != 1 || got.Contacts[0].Name != "Горячая линия" {
			t.Errorf("anonymous caller sees contacts %+v, want only the public one", got.Contacts)
		}
		if got.RegionName == "" || got.CountryName != "Russia" {
			t.Errorf("place names %q, %q", got.CountryName, got.RegionName)
		}
		if cl := r.Header.Get("Content-Language"); cl != "en" {
			t.Errorf("Content-Language %q, want en", cl)
		}
	}

	t.Run("only its own name falls back to the original language", func(t *testing.T) {
		r := s.do(http.MethodGet, "/api/v1/organizations/obedinyonnye-usiliya", http.Header{"Accept-Language": {"en-GB,en;q=0.9"}}, nil)
		wantStatus(t, r, http.StatusOK)
		got := decode[api.Organization](t, r)
		if got.Name != "Объединённые усилия" {
			t.Errorf("got name %q", got.Name)
		}
		if got.CountryName != "Russia" {
			t.Errorf("country_name %q in an English answer", got.CountryName)
		}
		if cl := r.Header.Get("Content-Language"); cl != "en" {
			t.Errorf("Content-Language %q, want en, the answer's language", cl)
		}
	})
	t.Run("Accept-Language picks the translation", func(t *testing.T) {
		r := s.do(http.MethodGet, "/api/v1/organizations/zelenyj-svet", http.Header{"Accept-Language": {"en-US"}}, nil)
		if got := decode[api.Organization](t, r); got.Name != "Green Light" {
			t.Errorf("got name %q", got.Name)
		}
	})
	for _, missing := range []string{"no-such-org", uuid.NewString(), "%D0%BD%D0%B5%D1%82"} {
		r := s.get("/api/v1/organizations/" + missing)
		wantStatus(t, r, http.StatusNotFound)
		checkProblemShape(t, r.body)
	}
}

// Concurrent creates of one name without a slug all succeed, each under a
// slug of its own: the client gave none and could not fix a conflict on
// the one the server chose. A slug the client gave is still a 409 when taken.
func TestConcurrentCreatesOfOneNameGetFreeSlugs(t *testing.T) {
	s := newTestServer(t, []directory.Organization{})
	editor := s.key(directory.RoleEditor)
	const n = 8
	statuses := make([]int, n)
	slugs := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := s.send(http.MethodPost, "/api/v1/organizations", editor,
				`{"name":"Гонка пять","country_code":"RU","focus_areas":["shelter"]}`)
			statuses[i] = res.StatusCode
			var org api.Organization
			if json.Unmarshal(res.body, &org) == nil {
				slugs[i] = org.Slug
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, code := range statuses {
		if code != http.StatusCreated {
			t.Errorf("create %d: status %d, want 201 (statuses %v)", i, code, statuses)
			continue
		}
		if seen[slugs[i]] {
			t.Errorf("slug %q given twice", slugs[i])
		}
		seen[slugs[i]] = true
	}
	res := s.send(http.MethodPost, "/api/v1/organizations", editor,
		`{"name":"Гонка пять","slug":"gonka-pyat","country_code":"RU","focus_areas":["shelter"]}`)
	if res.StatusCode != http.StatusConflict {
		t.Errorf("a taken slug the client gave: status %d, want 409", res.StatusCode)
	}
}

package api_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/coalition-directory/coalition/api"
)

// TestCountsMatchFilters checks that every count the reference endpoints
// show equals the total of the list filter it stands for.
func TestCountsMatchFilters(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, nil)
	total := func(query string) int {
		t.Helper()
		r := s.get("/api/v1/organizations?per_page=1&" + query)
		wantStatus(t, r, http.StatusOK)
		return decode[api.OrganizationList](t, r).TotalItems
	}

	stats := decode[api.Stats](t, s.get("/api/v1/stats?lang=en"))
	if stats.Total != total("") || stats.Total < 60 {
		t.Errorf("stats total %d, list total %d", stats.Total, total(""))
	}
	if len(stats.ByCountry) < 10 || len(stats.ByRegion) < 29 || len(stats.ByFocusArea) != 20 || len(stats.ByStatus) != 3 {
		t.Errorf("breakdowns: %d countries, %d regions, %d focus areas, %d statuses",
			len(stats.ByCountry), len(stats.ByRegion), len(stats.ByFocusArea), len(stats.ByStatus))
	}
	for _, b := range []struct {
		param   string
		entries []api.StatsEntry
	}{
		{"country", stats.ByCountry}, {"region", stats.ByRegion},
		{"focus_area", stats.ByFocusArea}, {"status", stats.ByStatus},
	} {
		sum := 0
		for i, e := range b.entries {
			if e.Name == "" || e.Name == e.Code {
				t.Errorf("%s %s has no name", b.param, e.Code)
			}
			if i > 0 && e.Count > b.entries[i-1].Count {
				t.Errorf("%s breakdown is not sorted by count", b.param)
			}
			if got := total(b.param + "=" + e.Code); got != e.Count {
				t.Errorf("stats say %s=%s has %d, the list has %d", b.param, e.Code, e.Count, got)
			}
			sum += e.Count
		}
		if (b.param == "country" || b.param == "status") && sum != stats.Total {
			t.Errorf("%s counts add up to %d, total is %d", b.param, sum, stats.Total)
		}
	}

	countries := decode[api.CountryList](t, s.get("/api/v1/countries"))
	if countries.TotalItems < 240 || len(countries.Items) != countries.TotalItems {
		t.Errorf("%d countries of %d", len(countries.Items), countries.TotalItems)
	}
	for _, c := range countries.Items {
		if c.Names.EN == "" || c.Names.RU == "" {
			t.Errorf("country %s lacks a name: %+v", c.Code, c.Names)
		}
		if c.OrganizationCount > 0 && c.OrganizationCount != total("country="+c.Code) {
			t.Errorf("country %s count %d", c.Code, c.OrganizationCount)
		}
	}

	ru := decode[api.Country](t, s.get("/api/v1/countries/ru?lang=ru"))
	if ru.Code != "RU" || ru.Name != "Россия" || ru.OrganizationCount != total("country=RU") {
		t.Errorf("country RU: %+v", ru)
	}
	regions := decode[api.RegionList](t, s.get("/api/v1/countries/RU/regions?lang=en"))
	if len(regions.Items) < 80 {
		t.Errorf("RU has %d regions", len(regions.Items))
	}
	withMembers := 0
	for _, r := range regions.Items {
		if r.CountryCode != "RU" || r.Names.RU == "" || r.Names.EN == "" || r.Name != r.Names.EN {
			t.Errorf("region %+v", r)
		}
		if r.OrganizationCount > 0 {
			withMembers++
			if got := total("region=" + r.Code); got != r.OrganizationCount {
				t.Errorf("region %s count %d, list %d", r.Code, r.OrganizationCount, got)
			}
		}
	}
	if withMembers < 29 {
		t.Errorf("%d Russian regions have members, want 29 or more", withMembers)
	}
	niz := decode[api.Region](t, s.get("/api/v1/regions/ru-niz?lang=ru"))
	if niz.Code != "RU-NIZ" || niz.Name != "Нижегородская область" || niz.OrganizationCount != total("region=RU-NIZ") {
		t.Errorf("region RU-NIZ: %+v", niz)
	}

	areas := decode[api.FocusAreaList](t, s.get("/api/v1/focus-areas?lang=en"))
	var groups []string
	for _, a := range areas.Items {
		if a.OrganizationCount != total("focus_area="+a.Slug) || a.Name != a.Names.EN || a.Names.RU == "" {
			t.Errorf("focus area %+v", a)
		}
		if !slices.Contains(groups, a.Group) {
			groups = append(groups, a.Group)
		}
	}
	if len(areas.Items) != 20 || !slices.Equal(groups, []string{"pillar", "activity", "theme"}) {
		t.Errorf("%d focus areas in groups %v", len(areas.Items), groups)
	}
}

package api_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/coalition-directory/coalition/api"
)

// TestSearchDemoExamples runs the searches of issue 10 on the demo
// directory: each of them, typed as people type, finds organizations.
func TestSearchDemoExamples(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, nil)
	for _, q := range []string{"приют", "приюты", "Казань", "Казани", "в Казани", "торговли людьми", "торговля людьми",
		"shelter", "shelters", "hotlines", "горячие линии", "юридической помощи", "Татарстан", "Молдова",
		"Нижегородская область", "Новгрод", "реабилитацыя", "rehabilitaton"} {
		t.Run(q, func(t *testing.T) {
			r := s.get("/api/v1/organizations?q=" + url.QueryEscape(q))
			wantStatus(t, r, http.StatusOK)
			list := decode[api.OrganizationList](t, r)
			if list.TotalItems == 0 {
				t.Errorf("q=%q finds nothing", q)
			}
			t.Logf("q=%q: %d, first %v", q, list.TotalItems, slugsOf(list.Items)[:min(3, len(list.Items))])
		})
	}
}

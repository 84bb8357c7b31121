package api_test

import (
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/coalition-directory/coalition/internal/directory"
)

// TestPoolMetrics scrapes /metrics after reads, a write and an export, and
// checks each pool's series: present, and consistent with one another.
func TestPoolMetrics(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	editor, partner := s.key(directory.RoleEditor), s.key(directory.RolePartner)
	wantStatus(t, s.get("/api/v1/organizations?q=приют"), http.StatusOK)
	wantStatus(t, s.send(http.MethodPatch, "/api/v1/organizations/alfa", editor, `{"acronym": "АЛ"}`), http.StatusOK)
	wantStatus(t, s.do(http.MethodGet, "/api/v1/export?format=ndjson", bearer(partner), nil), http.StatusOK)

	body := string(s.get("/metrics").body)
	series := regexp.MustCompile(`(?m)^go_sql_([a-z_]+)\{db_name="([a-z]+)"\} (\S+)$`)
	got := map[string]map[string]float64{}
	for _, m := range series.FindAllStringSubmatch(body, -1) {
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Fatalf("%s: %v", m[0], err)
		}
		if got[m[2]] == nil {
			got[m[2]] = map[string]float64{}
		}
		got[m[2]][m[1]] = v
	}
	for _, pool := range []string{"write", "read", "export"} {
		p := got[pool]
		for _, name := range []string{"max_open_connections", "open_connections", "in_use_connections", "idle_connections",
			"wait_count_total", "wait_duration_seconds_total", "max_idle_closed_total", "max_idle_time_closed_total", "max_lifetime_closed_total"} {
			if v, ok := p[name]; !ok || v < 0 {
				t.Errorf("pool %s: go_sql_%s = %v (present: %t), want a count of 0 or more", pool, name, v, ok)
			}
		}
		if p["open_connections"] < 1 || p["open_connections"] > p["max_open_connections"] {
			t.Errorf("pool %s: %v open connections of at most %v, after a request it served", pool, p["open_connections"], p["max_open_connections"])
		}
		if p["in_use_connections"]+p["idle_connections"] != p["open_connections"] {
			t.Errorf("pool %s: %v in use + %v idle != %v open", pool, p["in_use_connections"], p["idle_connections"], p["open_connections"])
		}
		if p["wait_count_total"] == 0 && p["wait_duration_seconds_total"] != 0 {
			t.Errorf("pool %s: waited %v s without a wait", pool, p["wait_duration_seconds_total"])
		}
	}
	if len(got) < 3 {
		t.Errorf("pools in /metrics: %v, want write, read and export", got)
	}
}

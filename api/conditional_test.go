package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/directory"
)

// TestIfMatch sends If-Match and If-None-Match lists to every conditional
// write: If-Match holds when any strong tag this API sent for the current
// version is listed, whatever language or caller it was sent to; a weak tag
// never matches; If-None-Match compares weakly. Every 412 carries the ETag
// that a GET by the same caller in the same language gets.
func TestIfMatch(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	editor := s.key(directory.RoleEditor)

	tests := []struct {
		name   string
		header map[string]string // {current}: the editor's ETag in English; {anonymous}: an anonymous caller's in Russian
		want   int
	}{
		{"a stale tag first, then the current one", map[string]string{"If-Match": `"v99-x", {current}`}, http.StatusOK},
		{"the current tag first, then a stale one", map[string]string{"If-Match": `{current}, "v99-x"`}, http.StatusOK},
		{"the current tag in another header line", map[string]string{"If-Match": `"v99-x"`, "If-Match ": `{current}`}, http.StatusOK},
		{"any version", map[string]string{"If-Match": `*`}, http.StatusOK},
		{"the tag an anonymous caller got in Russian", map[string]string{"If-Match": `{anonymous}`}, http.StatusOK},
		{"the bare version", map[string]string{"If-Match": `"v{version}"`}, http.StatusOK},
		{"only stale tags", map[string]string{"If-Match": `"v99-x", "v98"`}, http.StatusPreconditionFailed},
		{"the current tag made weak", map[string]string{"If-Match": `W/{current}`}, http.StatusPreconditionFailed},
		{"a tag of another API", map[string]string{"If-Match": `"abc"`}, http.StatusPreconditionFailed},
		{"not an entity tag", map[string]string{"If-Match": `v1`}, http.StatusPreconditionFailed},
		{"If-None-Match with the current tag, weak", map[string]string{"If-None-Match": `"v99-x", W/{current}`}, http.StatusPreconditionFailed},
		{"If-None-Match: * on a record that exists", map[string]string{"If-None-Match": `*`}, http.StatusPreconditionFailed},
		{"If-None-Match with stale tags only", map[string]string{"If-None-Match": `"v99-x", W/"v98-y"`}, http.StatusOK},
		{"If-Match holds, If-None-Match does not", map[string]string{"If-Match": `{current}`, "If-None-Match": `{current}`}, http.StatusPreconditionFailed},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/api/v1/organizations/nadezhda"
			get := s.do(http.MethodGet, path+"?lang=en", bearer(editor), nil)
			wantStatus(t, get, http.StatusOK)
			current := get.Header.Get("ETag")
			anonymous := s.do(http.MethodGet, path, http.Header{"Accept-Language": {"ru"}}, nil).Header.Get("ETag")
			version := decode[api.Organization](t, get).Version
			h := bearer(editor)
			h.Set("Content-Type", "application/merge-patch+json")
			for k, v := range tt.header {
				v = strings.NewReplacer("{current}", current, "{anonymous}", anonymous, "{version}", strconv.Itoa(version)).Replace(v)
				h.Add(strings.TrimSpace(k), v)
			}
			r := s.do(http.MethodPatch, path+"?lang=en", h, strings.NewReader(`{"city": "Город `+strconv.Itoa(i)+`"}`))
			wantStatus(t, r, tt.want)
			after := s.do(http.MethodGet, path+"?lang=en", bearer(editor), nil)
			if got, want := r.Header.Get("ETag"), after.Header.Get("ETag"); got != want {
				t.Errorf("the %d answer has ETag %q; a GET then gets %q", r.StatusCode, got, want)
			}
			if changed := after.Header.Get("ETag") != current; changed != (tt.want == http.StatusOK) {
				t.Errorf("status %d, but the record changed: %v", r.StatusCode, changed)
			}
		})
	}
}

// TestConditionalContactWrites checks that contact writes take the same
// If-Match lists as organizations, and answer with a GET's ETag.
func TestConditionalContactWrites(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	editor := s.key(directory.RoleEditor)
	r := s.send(http.MethodPost, "/api/v1/organizations/nadezhda/contacts", editor, map[string]any{"name": "Приёмная", "visibility": "public"})
	wantStatus(t, r, http.StatusCreated)
	location := r.Header.Get("Location")
	get := s.do(http.MethodGet, location, bearer(editor), nil)
	if got, want := r.Header.Get("ETag"), get.Header.Get("ETag"); got != want {
		t.Errorf("create answers with ETag %q, a GET gets %q", got, want)
	}
	current := get.Header.Get("ETag")

	h := bearer(editor)
	h.Set("Content-Type", "application/json")
	h.Set("If-Match", `"v99-x", `+current)
	r = s.do(http.MethodPatch, location, h, strings.NewReader(`{"role": "Приём звонков"}`))
	wantStatus(t, r, http.StatusOK)
	get = s.do(http.MethodGet, location, bearer(editor), nil)
	if got, want := r.Header.Get("ETag"), get.Header.Get("ETag"); got != want {
		t.Errorf("update answers with ETag %q, a GET gets %q", got, want)
	}

	r = s.do(http.MethodPatch, location, h, strings.NewReader(`{"role": "Секретарь"}`))
	wantStatus(t, r, http.StatusPreconditionFailed)
	if got, want := r.Header.Get("ETag"), get.Header.Get("ETag"); got != want {
		t.Errorf("412 carries ETag %q, a GET gets %q", got, want)
	}
	h.Set("If-Match", "W/"+get.Header.Get("ETag"))
	wantStatus(t, s.do(http.MethodDelete, location, h, nil), http.StatusPreconditionFailed)
	h.Set("If-Match", get.Header.Get("ETag")+`, "v77"`)
	wantStatus(t, s.do(http.MethodDelete, location, h, nil), http.StatusNoContent)
}

// TestIfNoneMatch checks the weak comparison of If-None-Match lists on
// every kind of cacheable read.
func TestIfNoneMatch(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	for _, path := range []string{
		"/api/v1/organizations/nadezhda",
		"/api/v1/organizations?country=RU",
		"/api/v1/organizations/nadezhda/contacts",
		"/api/v1/countries/RU",
		"/api/v1/focus-areas",
	} {
		r := s.get(path)
		wantStatus(t, r, http.StatusOK)
		etag := r.Header.Get("ETag")
		strong := strings.TrimPrefix(etag, "W/")
		for _, tt := range []struct {
			header string
			want   int
		}{
			{`"other", ` + etag, http.StatusNotModified},
			{etag + `, "other"`, http.StatusNotModified},
			{"W/" + strong, http.StatusNotModified},
			{strong, http.StatusNotModified},
			{"*", http.StatusNotModified},
			{`"other"`, http.StatusOK},
			{`W/"other", "v1-x"`, http.StatusOK},
			{`garbage`, http.StatusOK},
		} {
			r := s.do(http.MethodGet, path, http.Header{"If-None-Match": {tt.header}}, nil)
			if r.StatusCode != tt.want {
				t.Errorf("%s with If-None-Match %s: got %d, want %d", path, tt.header, r.StatusCode, tt.want)
			}
			if r.Header.Get("ETag") != etag {
				t.Errorf("%s with If-None-Match %s: ETag %q, want %q", path, tt.header, r.Header.Get("ETag"), etag)
			}
		}
	}
}

// TestOneETagForm checks that the writes of an organization answer with the
// ETag the next GET by the same caller in the same language gets.
func TestOneETagForm(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	editor, admin := s.key(directory.RoleEditor), s.key(directory.RoleAdmin)
	etagOfGet := func(path, key string) string {
		t.Helper()
		r := s.do(http.MethodGet, path, bearer(key), nil)
		wantStatus(t, r, http.StatusOK)
		return r.Header.Get("ETag")
	}
	r := s.send(http.MethodPost, "/api/v1/organizations?lang=en", editor, validOrganization("vektor"))
	wantStatus(t, r, http.StatusCreated)
	if got, want := r.Header.Get("ETag"), etagOfGet("/api/v1/organizations/vektor?lang=en", editor); got != want {
		t.Errorf("create: ETag %q, a GET gets %q", got, want)
	}
	r = s.send(http.MethodPatch, "/api/v1/organizations/nadezhda", editor, map[string]any{"city": "Дзержинск"})
	wantStatus(t, r, http.StatusOK)
	if got, want := r.Header.Get("ETag"), etagOfGet("/api/v1/organizations/nadezhda", editor); got != want {
		t.Errorf("update: ETag %q, a GET gets %q", got, want)
	}
	wantStatus(t, s.send(http.MethodDelete, "/api/v1/organizations/vektor", editor, nil), http.StatusNoContent)
	r = s.send(http.MethodPost, "/api/v1/organizations/vektor/restore", admin, nil)
	wantStatus(t, r, http.StatusOK)
	if got, want := r.Header.Get("ETag"), etagOfGet("/api/v1/organizations/vektor", admin); got != want {
		t.Errorf("restore: ETag %q, a GET gets %q", got, want)
	}
}

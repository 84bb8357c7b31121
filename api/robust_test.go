package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/google/uuid"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/sqlite"
)

// TestCancelledExportsLeaveWritesWorking cancels many exports at every
// moment of their life, as `curl -m 0.005` does, and then checks that
// creates, patches and key revocation work and that a revoked key is
// refused: no export may leave a transaction open on a pooled connection.
func TestCancelledExportsLeaveWritesWorking(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, nil)
	partner, editor, admin := s.key(directory.RolePartner), s.key(directory.RoleEditor), s.key(directory.RoleAdmin)

	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			// From before the request is sent to well into the stream.
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%16)*300*time.Microsecond)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/api/v1/export?format=ndjson", nil)
			if err != nil {
				t.Error(err)
				return
			}
			req.Header.Set("Authorization", "Bearer "+partner)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				return // cancelled before the answer: what the test wants
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		})
	}
	wg.Wait()

	for i := range 10 {
		wantStatus(t, s.send(http.MethodPost, "/api/v1/organizations", editor, validOrganization("")), http.StatusCreated)
		wantStatus(t, s.send(http.MethodPatch, "/api/v1/organizations/nadezhda-nizhny-novgorod", editor,
			map[string]any{"city": "Город " + string(rune('А'+i))}), http.StatusOK)
	}
	keys, err := s.dir.Keys(t.Context(), directory.Operator("test"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.Role == directory.RolePartner {
			wantStatus(t, s.send(http.MethodDelete, "/api/v1/keys/"+k.ID, admin, nil), http.StatusOK)
		}
	}
	wantStatus(t, s.send(http.MethodGet, "/api/v1/export", partner, nil), http.StatusUnauthorized)
}

// wideningParameters are the query parameters that widen what a caller
// sees beyond the live directory, with the value that widens.
var wideningParameters = map[string]string{"archived": "true"}

// TestWideningParametersNeedTheirRole sends every widening parameter to
// every GET route of the spec with every role: below admin, no answer may
// hold anything of an archived organization, whether the route documents the
// parameter or not; admins get it where the route documents it.
func TestWideningParametersNeedTheirRole(t *testing.T) {
	t.Parallel()
	openapi3filter.RegisterBodyDecoder("text/vcard", openapi3filter.PlainBodyDecoder)
	orgs := searchFixtures()
	const marker = "Zyuzmark"
	gone := fixture("arkhivnyj-zyuzmark", "en", "", "Archived "+marker, "RU-MOW", "research")
	gone.Contacts = []directory.Contact{{ID: uuid.NewString(), Name: marker + " desk", Visibility: directory.VisibilityPublic}}
	s := newTestServer(t, append(orgs, gone))
	roles := map[directory.Role]string{directory.RoleAnonymous: ""}
	for _, r := range []directory.Role{directory.RolePartner, directory.RoleEditor, directory.RoleAdmin} {
		roles[r] = s.key(r)
	}
	wantStatus(t, s.send(http.MethodDelete, "/api/v1/organizations/"+gone.Slug, roles[directory.RoleAdmin], nil), http.StatusNoContent)
	contacts, err := s.dir.Contacts(t.Context(), directory.Operator("test"), "nadezhda")
	if err != nil {
		t.Fatal(err)
	}
	pathValues := strings.NewReplacer("{id}", "nadezhda", "{contact_id}", contacts[0].ID, "{slug}", "research")

	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(filepath.Join("..", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	routes := 0
	for path, item := range doc.Paths.Map() {
		op := item.Get
		if op == nil {
			continue
		}
		routes++
		path = pathValues.Replace(path)
		if strings.Contains(path, "{code}") {
			code := "RU"
			if strings.HasPrefix(path, "/api/v1/regions/") {
				code = "RU-MOW"
			}
			path = strings.ReplaceAll(path, "{code}", code)
		}
		for name, value := range wideningParameters {
			documented := op.Parameters.GetByInAndName("query", name) != nil
			for role, secret := range roles {
				r := s.send(http.MethodGet, path+"?"+name+"="+value, secret, nil)
				leaked := strings.Contains(string(r.body), marker)
				switch {
				case role != directory.RoleAdmin && leaked:
					t.Errorf("GET %s?%s=%s as %q (%d) shows an archived organization", path, name, value, role, r.StatusCode)
				case role == directory.RoleAdmin && documented && !leaked:
					t.Errorf("GET %s?%s=%s as admin (%d) does not show the archived organization", path, name, value, r.StatusCode)
				}
			}
		}
	}
	if routes < 15 {
		t.Fatalf("walked %d GET routes of openapi.yaml", routes)
	}
}

// TestConcurrentWritesWithoutIfMatchAllApply sends 50 PATCHes of one
// organization, and 50 of one contact, at once without If-Match: each must
// apply (200), in some order, and none may fail with a precondition the
// client did not set.
func TestConcurrentWritesWithoutIfMatchAllApply(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	editor := s.key(directory.RoleEditor)
	contacts, err := s.dir.Contacts(t.Context(), directory.Operator("test"), "nadezhda")
	if err != nil {
		t.Fatal(err)
	}
	op := directory.Operator("test")
	for _, target := range []struct {
		path, field string
		version     func() (int, error)
	}{
		{"/api/v1/organizations/alfa", "city", func() (int, error) {
			o, err := s.dir.Organization(t.Context(), "alfa", op)
			return o.Version, err
		}},
		{"/api/v1/organizations/nadezhda/contacts/" + contacts[0].ID, "role", func() (int, error) {
			c, err := s.dir.Contact(t.Context(), op, "nadezhda", contacts[0].ID)
			return c.Version, err
		}},
	} {
		const writers = 50
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				h := bearer(editor)
				h.Set("Content-Type", "application/merge-patch+json")
				r := s.do(http.MethodPatch, target.path, h, strings.NewReader(fmt.Sprintf(`{%q: "Значение %d"}`, target.field, i)))
				if r.StatusCode != http.StatusOK {
					t.Errorf("PATCH %s number %d: got %d, want 200: %s", target.path, i, r.StatusCode, r.body)
				}
			})
		}
		wg.Wait()
		if v, err := target.version(); err != nil || v != 1+writers {
			t.Errorf("%s is at version %d (%v) after %d changes from version 1", target.path, v, err, writers)
		}
	}
}

// TestHiddenContactIsAnsweredAsAMissingOne checks that an anonymous caller
// cannot tell a partners-only contact from one that does not exist.
func TestHiddenContactIsAnsweredAsAMissingOne(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, searchFixtures())
	contacts, err := s.dir.Contacts(t.Context(), directory.Operator("test"), "nadezhda")
	if err != nil {
		t.Fatal(err)
	}
	var hidden string
	for _, c := range contacts {
		if c.Visibility == directory.VisibilityPartners {
			hidden = c.ID
		}
	}
	if hidden == "" {
		t.Fatal("the fixtures have no partners-only contact")
	}
	missing := uuid.NewString()
	hiddenAnswer := s.get("/api/v1/organizations/nadezhda/contacts/" + hidden)
	missingAnswer := s.get("/api/v1/organizations/nadezhda/contacts/" + missing)
	wantStatus(t, hiddenAnswer, http.StatusNotFound)
	wantStatus(t, missingAnswer, http.StatusNotFound)
	if got, want := strings.ReplaceAll(string(hiddenAnswer.body), hidden, "ID"), strings.ReplaceAll(string(missingAnswer.body), missing, "ID"); got != want {
		t.Errorf("a hidden contact's answer differs from a missing one's:\n%s\n%s", got, want)
	}
}

// TestFullDiskIsAClearProblem fills the database (bounded as a full disk
// bounds it) and checks that writes then get a 507 problem that says so,
// never a bare 500; that /readyz says the instance is not ready; and that
// reads, keyed ones too, still work.
func TestFullDiskIsAClearProblem(t *testing.T) {
	t.Parallel()
	s := newTestServerOn(t, searchFixtures(), api.Options{}, nil, sqlite.Options{MaxBytes: 4 << 20})
	s.serverErrorsExpected = true
	editor, partner := s.key(directory.RoleEditor), s.key(directory.RolePartner)
	wantStatus(t, s.get("/readyz"), http.StatusOK)
	var full response
	for i := 0; ; i++ {
		if i == 2000 {
			t.Fatal("2,000 creates did not fill 4 MiB: the test proves nothing")
		}
		body := validOrganization("")
		body["description"] = strings.Repeat("Помощь пострадавшим. ", 200)
		r := s.send(http.MethodPost, "/api/v1/organizations", editor, body)
		if r.StatusCode != http.StatusCreated {
			full = r
			break
		}
	}
	wantStatus(t, full, http.StatusInsufficientStorage)
	if p := decode[api.Problem](t, full); !strings.Contains(p.Detail, "storage is full") {
		t.Errorf("a write on a full disk says %q", p.Detail)
	}
	r := s.send(http.MethodPatch, "/api/v1/organizations/alfa", editor, map[string]any{"description": strings.Repeat("Текст. ", 600)})
	wantStatus(t, r, http.StatusInsufficientStorage)
	ready := s.get("/readyz")
	wantStatus(t, ready, http.StatusServiceUnavailable)
	if p := decode[api.Problem](t, ready); !strings.Contains(p.Detail, "storage is full") {
		t.Errorf("/readyz on a full disk says %q", p.Detail)
	}
	wantStatus(t, s.get("/api/v1/organizations/nadezhda"), http.StatusOK)
	wantStatus(t, s.send(http.MethodGet, "/api/v1/organizations?q=надежда", partner, nil), http.StatusOK)
}

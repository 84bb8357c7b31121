package api_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"slices"
	"testing"

	govcard "github.com/emersion/go-vcard"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/google/uuid"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/directory"
)

// vcardFixtures is one organization with a public desk and a partners-only
// person whose name needs escaping, and one without contacts.
func vcardFixtures() []directory.Organization {
	hope := fixture("nadezhda", "ru", "Центр «Надежда»", "Hope Centre", "RU-NIZ", "hotline", "shelter")
	hope.Website = "https://nadezhda.example.org"
	hope.Contacts = []directory.Contact{
		{ID: uuid.NewString(), Name: "Горячая линия", Role: "Дежурный консультант", Email: "hotline@nadezhda.example.org",
			Phone: "+78002000001", Languages: []string{"ru", "en"}, Visibility: directory.VisibilityPublic, IsPrimary: true},
		{ID: uuid.NewString(), Name: "Лебедева, Марина; координатор", Phone: "+79201000004", Visibility: directory.VisibilityPartners},
	}
	empty := fixture("bez-kontaktov", "ru", "Без контактов", "", "RU-MOW", "research")
	return []directory.Organization{hope, empty}
}

// parseVCards decodes every card of a body, failing the test when it cannot.
func parseVCards(t *testing.T, body []byte) []govcard.Card {
	t.Helper()
	dec := govcard.NewDecoder(bytes.NewReader(body))
	var cards []govcard.Card
	for {
		card, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			return cards
		}
		if err != nil {
			t.Fatalf("card %d does not parse: %v\n%s", len(cards)+1, err, body)
		}
		cards = append(cards, card)
	}
}

func TestContactsVCard(t *testing.T) {
	t.Parallel()
	// openapi.yaml describes the body as a string; the response check needs
	// to know that text/vcard is text. Registering is idempotent and locked.
	openapi3filter.RegisterBodyDecoder("text/vcard", openapi3filter.PlainBodyDecoder)

	orgs := vcardFixtures()
	hope := orgs[0]
	desk, person := hope.Contacts[0], hope.Contacts[1]
	s := newTestServer(t, orgs)
	path := "/api/v1/organizations/" + hope.Slug + "/contacts.vcf"

	t.Run("visibility applies", func(t *testing.T) {
		tests := []struct {
			role directory.Role
			want []string // FN, in order: primary first
		}{
			{directory.RoleAnonymous, []string{desk.Name}},
			{directory.RolePartner, []string{desk.Name, person.Name}},
			{directory.RoleEditor, []string{desk.Name, person.Name}},
			{directory.RoleAdmin, []string{desk.Name, person.Name}},
		}
		for _, tt := range tests {
			secret := ""
			if tt.role != directory.RoleAnonymous {
				secret = s.key(tt.role)
			}
			r := s.send(http.MethodGet, path, secret, nil)
			wantStatus(t, r, http.StatusOK)
			var names, uids []string
			for _, card := range parseVCards(t, r.body) {
				if v := card.Value(govcard.FieldVersion); v != "4.0" {
					t.Errorf("role %q: VERSION %q, want 4.0", tt.role, v)
				}
				names = append(names, card.Value(govcard.FieldFormattedName))
				uids = append(uids, card.Value(govcard.FieldUID))
			}
			if !slices.Equal(names, tt.want) {
				t.Errorf("role %q: cards of %q, want %q", tt.role, names, tt.want)
			}
			// The same contacts as the JSON list shows the same caller.
			r = s.send(http.MethodGet, "/api/v1/organizations/"+hope.Slug+"/contacts", secret, nil)
			wantStatus(t, r, http.StatusOK)
			var want []string
			for _, c := range decode[api.ContactList](t, r).Items {
				want = append(want, "urn:uuid:"+c.ID)
			}
			if !slices.Equal(uids, want) {
				t.Errorf("role %q: UIDs %q, want the listed contacts %q", tt.role, uids, want)
			}
		}
	})

	t.Run("cards carry the contact and the organization", func(t *testing.T) {
		r := s.send(http.MethodGet, "/api/v1/organizations/"+hope.ID+"/contacts.vcf?lang=en", s.key(directory.RolePartner), nil)
		wantStatus(t, r, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); ct != "text/vcard; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="nadezhda.vcf"` {
			t.Errorf("Content-Disposition %q", cd)
		}
		if cl := r.Header.Get("Content-Language"); cl != "en" {
			t.Errorf("Content-Language %q, want en", cl)
		}
		if !bytes.Contains(r.body, []byte("\r\nFN:Лебедева\\, Марина; координатор\r\n")) {
			t.Errorf("the name with a comma is not escaped, or not UTF-8:\n%s", r.body)
		}
		cards := parseVCards(t, r.body)
		if len(cards) != 2 {
			t.Fatalf("got %d cards, want 2", len(cards))
		}
		card := cards[0]
		for field, want := range map[string]string{
			govcard.FieldUID:          "urn:uuid:" + desk.ID,
			govcard.FieldOrganization: "Hope Centre",
			govcard.FieldTitle:        "Дежурный консультант",
			govcard.FieldEmail:        "hotline@nadezhda.example.org",
			govcard.FieldTelephone:    "tel:+78002000001",
			govcard.FieldURL:          "https://nadezhda.example.org",
		} {
			if got := card.Value(field); got != want {
				t.Errorf("%s %q, want %q", field, got, want)
			}
		}
		if got := card.Values(govcard.FieldLanguage); !slices.Equal(got, []string{"ru", "en"}) {
			t.Errorf("LANG %q", got)
		}
		if rev, err := card.Revision(); err != nil || rev.IsZero() {
			t.Errorf("REV %v (%v)", rev, err)
		}
		if got := cards[1].Value(govcard.FieldNote); got == "" {
			t.Error("the partners-only card does not say so")
		}
	})

	t.Run("the organization's name falls back to the original", func(t *testing.T) {
		r := s.do(http.MethodGet, path, http.Header{"Accept-Language": {"ru"}}, nil)
		wantStatus(t, r, http.StatusOK)
		if got := parseVCards(t, r.body)[0].Value(govcard.FieldOrganization); got != "Центр «Надежда»" {
			t.Errorf("ORG %q", got)
		}
		r = s.get("/api/v1/organizations/bez-kontaktov/contacts.vcf?lang=en")
		wantStatus(t, r, http.StatusOK)
		if len(r.body) != 0 || r.Header.Get("Content-Language") != "en" {
			t.Errorf("no contacts: body %q, Content-Language %q", r.body, r.Header.Get("Content-Language"))
		}
	})

	t.Run("ETag", func(t *testing.T) {
		r := s.get(path)
		wantStatus(t, r, http.StatusOK)
		etag := r.Header.Get("ETag")
		if etag == "" {
			t.Fatal("no ETag")
		}
		wantStatus(t, s.do(http.MethodGet, path, http.Header{"If-None-Match": {etag}}, nil), http.StatusNotModified)
	})

	t.Run("errors", func(t *testing.T) {
		tests := []struct {
			name, path, secret string
			want               int
		}{
			{"unknown organization", "/api/v1/organizations/no-such-org/contacts.vcf", "", http.StatusNotFound},
			{"unknown organization id", "/api/v1/organizations/" + uuid.NewString() + "/contacts.vcf", "", http.StatusNotFound},
			{"unknown key", path, "not-a-key", http.StatusUnauthorized},
			{"invalid lang", path + "?lang=de", "", http.StatusBadRequest},
		}
		for _, tt := range tests {
			r := s.send(http.MethodGet, tt.path, tt.secret, nil)
			wantStatus(t, r, tt.want)
			if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("%s: Content-Type %q, want application/problem+json", tt.name, ct)
			}
		}
	})
}

package api_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
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
			cards := parseVCards(t, r.body)
			if len(cards) == 0 || cards[0].Kind() != govcard.KindOrganization || cards[0].Value(govcard.FieldUID) != "urn:uuid:"+hope.ID {
				t.Fatalf("role %q: the first card is not the organization's:\n%s", tt.role, r.body)
			}
			for _, card := range cards[1:] {
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
		if len(cards) != 3 {
			t.Fatalf("got %d cards, want the organization's and 2", len(cards))
		}
		if got := cards[0].Value(govcard.FieldFormattedName); got != "Hope Centre" {
			t.Errorf("the organization's FN %q, want Hope Centre", got)
		}
		cards = cards[1:]
		card := cards[0]
		for field, want := range map[string]string{
			govcard.FieldUID:          "urn:uuid:" + desk.ID,
			govcard.FieldOrganization: "Hope Centre",
			govcard.FieldTitle:        "Дежурный консультант",
			govcard.FieldEmail:        "hotline@nadezhda.example.org",
			govcard.FieldTelephone:    "tel:+78002000001",
			govcard.FieldURL:          "https://nadezhda.example.org",
			govcard.FieldRelated:      "urn:uuid:" + hope.ID,
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
		for i, card := range parseVCards(t, r.body) {
			if got := card.Value(govcard.FieldOrganization); got != "Центр «Надежда»" {
				t.Errorf("card %d: ORG %q", i, got)
			}
		}
		// RFC 6350 section 3.3 (vcard-entity = 1*vcard): never an empty file.
		r = s.get("/api/v1/organizations/bez-kontaktov/contacts.vcf?lang=en")
		wantStatus(t, r, http.StatusOK)
		cards := parseVCards(t, r.body)
		if len(cards) != 1 || cards[0].Kind() != govcard.KindOrganization || r.Header.Get("Content-Language") != "en" {
			t.Errorf("no contacts: body %q, Content-Language %q, want the organization's card alone", r.body, r.Header.Get("Content-Language"))
		}
		if got := cards[0].Value(govcard.FieldFormattedName); got != "Без контактов" {
			t.Errorf("FN %q, want the original name without an English one", got)
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

// TestContactsVCardDemo checks the download of every demo organization: a
// valid vCard whose first card is the organization's own (KIND:org) with its
// phones and email as the JSON gives them, and that anonymous callers get
// exactly what partners get less the partners-only contacts and hidden
// street address.
func TestContactsVCardDemo(t *testing.T) {
	t.Parallel()
	openapi3filter.RegisterBodyDecoder("text/vcard", openapi3filter.PlainBodyDecoder)
	s := newTestServer(t, nil)
	partner := s.key(directory.RolePartner)
	orgs := s.listAll("", 100)
	if len(orgs) < 60 {
		t.Fatalf("%d demo organizations", len(orgs))
	}
	var hidden, private int
	for _, o := range orgs {
		path := "/api/v1/organizations/" + o.Slug
		r := s.send(http.MethodGet, path+"?lang=en", partner, nil)
		wantStatus(t, r, http.StatusOK)
		full := decode[api.Organization](t, r)

		r = s.send(http.MethodGet, path+"/contacts.vcf?lang=en", partner, nil)
		wantStatus(t, r, http.StatusOK)
		partnerCards := parseVCards(t, r.body)
		r = s.get(path + "/contacts.vcf?lang=en")
		wantStatus(t, r, http.StatusOK)
		anonCards := parseVCards(t, r.body)
		if len(anonCards) == 0 || len(partnerCards) == 0 {
			t.Errorf("%s: %d cards for anonymous callers, %d for partners", o.Slug, len(anonCards), len(partnerCards))
			continue
		}

		card := partnerCards[0]
		if card.Kind() != govcard.KindOrganization || card.Value(govcard.FieldFormattedName) != full.Name ||
			card.Value(govcard.FieldUID) != "urn:uuid:"+full.ID {
			t.Errorf("%s: the first card is not the organization's: KIND %q, FN %q, UID %q", o.Slug,
				card.Kind(), card.Value(govcard.FieldFormattedName), card.Value(govcard.FieldUID))
		}
		var wantTels []string
		for _, p := range full.Phones {
			tel := "tel:" + p.Number
			if p.Extension != "" {
				tel += ";ext=" + p.Extension
			}
			wantTels = append(wantTels, tel)
		}
		if got := card.Values(govcard.FieldTelephone); !slices.Equal(got, wantTels) {
			t.Errorf("%s: TEL %q, want the organization's phones %q", o.Slug, got, wantTels)
		}
		if got := card.Value(govcard.FieldEmail); got != full.Email {
			t.Errorf("%s: EMAIL %q, want %q", o.Slug, got, full.Email)
		}
		if got := card.Value(govcard.FieldURL); got != full.Website {
			t.Errorf("%s: URL %q, want %q", o.Slug, got, full.Website)
		}
		if adr := card.Address(); full.Address != "" && (adr == nil || adr.StreetAddress != strings.ReplaceAll(full.Address, ";", ",")) {
			t.Errorf("%s: ADR %+v, want the street address %q", o.Slug, adr, full.Address)
		}

		// Partners' cards less what only partners see are the anonymous ones.
		if full.AddressHidden {
			hidden++
			if adr := anonCards[0].Address(); adr == nil || adr.StreetAddress != "" {
				t.Errorf("%s: anonymous callers get the hidden address in %+v", o.Slug, adr)
			} else {
				adr := card.Address()
				adr.StreetAddress = ""
				card.SetAddress(adr) // re-joins the components
			}
		}
		public := partnerCards[:1]
		for i, c := range full.Contacts {
			if c.Visibility == string(directory.VisibilityPartners) {
				private++
				continue
			}
			if i+1 < len(partnerCards) {
				public = append(public, partnerCards[i+1])
			}
		}
		if len(partnerCards) != 1+len(full.Contacts) {
			t.Errorf("%s: %d cards for partners, want the organization's and %d contacts", o.Slug, len(partnerCards), len(full.Contacts))
		}
		if !reflect.DeepEqual(anonCards, public) {
			t.Errorf("%s: anonymous cards differ from the partners' public ones:\n%s", o.Slug, r.body)
		}
	}
	if hidden == 0 || private == 0 {
		t.Errorf("the demo has %d hidden addresses and %d partners-only contacts: the comparison checked nothing", hidden, private)
	}
}

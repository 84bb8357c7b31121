package demo

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"

	"github.com/coalition-directory/coalition/internal/dbtest"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/geo"
)

func TestGenerateIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b := Generate(300, 7), Generate(300, 7)
	if !reflect.DeepEqual(a, b) {
		t.Error("two calls with the same seed differ")
	}
	if c := Generate(300, 8); reflect.DeepEqual(a, c) {
		t.Error("two seeds give the same organizations")
	}
	if got := Generate(0, 7); len(got) != 0 {
		t.Errorf("Generate(0) returned %d organizations", len(got))
	}
}

// TestGeneratedOrganizationsAreValid stores generated organizations through
// the Service, which validates every one of them as the API would.
func TestGeneratedOrganizationsAreValid(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.Open(t)
	places, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	orgs := Generate(2000, 1)
	want := Generate(2000, 1)
	n, err := directory.NewService(db, places).Seed(ctx, orgs)
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}
	if n != len(orgs) {
		t.Fatalf("stored %d organizations, want %d", n, len(orgs))
	}
	// Validation normalizes (codes, phones, lists): generated data is already
	// in normal form, so nothing may change.
	for i := range orgs {
		o, w := orgs[i], want[i]
		o.CreatedAt, o.UpdatedAt, o.Version = w.CreatedAt, w.UpdatedAt, w.Version
		o.PublicVersion, o.PublicUpdatedAt = w.PublicVersion, w.PublicUpdatedAt
		for j := range o.Contacts {
			c := &o.Contacts[j]
			c.CreatedAt, c.UpdatedAt, c.Version = w.Contacts[j].CreatedAt, w.Contacts[j].UpdatedAt, w.Contacts[j].Version
			c.OrganizationID = w.Contacts[j].OrganizationID
		}
		if !reflect.DeepEqual(o, w) {
			t.Fatalf("%s: validation changed the organization:\n got %+v\nwant %+v", w.Slug, o, w)
		}
	}
}

// TestGeneratedPlacesAndPhones checks the fixed lists the generator draws
// from against the reference data and the phone-number rules.
func TestGeneratedPlacesAndPhones(t *testing.T) {
	t.Parallel()
	atlas, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range countries {
		if _, ok := atlas.Country(c.code); !ok {
			t.Errorf("country %s is not in the reference data", c.code)
		}
		if len(places[c.code]) == 0 {
			t.Errorf("country %s has no places", c.code)
		}
		for _, p := range places[c.code] {
			r, ok := atlas.Region(p.region)
			if !ok || r.CountryCode != c.code {
				t.Errorf("%s (%s): region %s is not a region of %s", p.city, c.code, p.region, c.code)
			}
		}
	}
	if len(places) != len(countries) {
		t.Errorf("places cover %d countries, countries lists %d", len(places), len(countries))
	}

	e164 := func(number, country string) {
		t.Helper()
		n, err := phonenumbers.Parse(number, country)
		if err != nil || !phonenumbers.IsValidNumberForRegion(n, country) || phonenumbers.Format(n, phonenumbers.E164) != number {
			t.Errorf("%s: %q is not a valid E.164 number of %s", country, number, country)
		}
	}
	for _, o := range Generate(3000, 3) {
		for _, p := range o.Phones {
			e164(p.Number, o.CountryCode)
		}
		for _, c := range o.Contacts {
			e164(c.Phone, o.CountryCode)
		}
	}
}

func TestGeneratedShape(t *testing.T) {
	t.Parallel()
	orgs := Generate(4000, 11)
	ids, slugs := map[string]bool{}, map[string]bool{}
	visibilities := map[directory.Visibility]int{}
	statuses := map[directory.MembershipStatus]int{}
	countries := map[string]int{}
	for _, o := range orgs {
		for _, id := range append([]string{o.ID}, contactIDs(o)...) {
			if ids[id] {
				t.Errorf("id %s twice", id)
			}
			ids[id] = true
		}
		if slugs[o.Slug] {
			t.Errorf("slug %s twice", o.Slug)
		}
		slugs[o.Slug] = true
		if n := len(o.Contacts); n < 1 || n > 3 {
			t.Errorf("%s: got %d contacts, want 1 to 3", o.Slug, n)
		}
		primaries := 0
		for _, c := range o.Contacts {
			visibilities[c.Visibility]++
			if c.IsPrimary {
				primaries++
			}
		}
		if primaries != 1 {
			t.Errorf("%s: got %d primary contacts, want 1", o.Slug, primaries)
		}
		if slices.Contains(o.FocusAreas, "shelter") && !o.AddressHidden {
			t.Errorf("%s: runs a shelter but its address is public", o.Slug)
		}
		if n := len(o.FocusAreas); n < 2 || n > 4 {
			t.Errorf("%s: got %d focus areas, want 2 to 4", o.Slug, n)
		}
		if (o.MembershipStatus == directory.StatusFormer) != (o.MemberUntil != "") {
			t.Errorf("%s: status %s with member_until %q", o.Slug, o.MembershipStatus, o.MemberUntil)
		}
		statuses[o.MembershipStatus]++
		countries[o.CountryCode]++
	}
	for _, v := range []directory.Visibility{directory.VisibilityPublic, directory.VisibilityPartners} {
		if visibilities[v] == 0 {
			t.Errorf("no contact with visibility %s", v)
		}
	}
	for _, s := range directory.MembershipStatuses {
		if statuses[s] == 0 {
			t.Errorf("no organization with status %s", s)
		}
	}
	if len(countries) != 10 || countries["RU"] < len(orgs)*3/4 {
		t.Errorf("got countries %v, want Russia for most and 9 others", countries)
	}
}

func contactIDs(o directory.Organization) []string {
	var ids []string
	for _, c := range o.Contacts {
		ids = append(ids, c.ID)
	}
	return ids
}

// TestGeneratedSpread checks the selectivity benchmarks rely on: a focus
// area filter matches about one organization in eight, a region filter one
// to three in a hundred, and common search words a few in a hundred.
func TestGeneratedSpread(t *testing.T) {
	t.Parallel()
	orgs := Generate(10000, 5)
	share := func(keep func(o *directory.Organization) bool) float64 {
		n := 0
		for i := range orgs {
			if keep(&orgs[i]) {
				n++
			}
		}
		return float64(n) / float64(len(orgs))
	}
	check := func(what string, got, lo, hi float64) {
		t.Helper()
		if got < lo || got > hi {
			t.Errorf("%s: matches %.1f%%, want %.0f%% to %.0f%%", what, got*100, lo*100, hi*100)
		}
	}
	for _, a := range directory.DefaultFocusAreas() {
		got := share(func(o *directory.Organization) bool { return slices.Contains(o.FocusAreas, a.Slug) })
		check("focus_area="+a.Slug, got, 0.03, 0.25)
	}
	check("focus_area=shelter", share(func(o *directory.Organization) bool { return slices.Contains(o.FocusAreas, "shelter") }), 0.10, 0.15)
	inRegion := func(code string) func(o *directory.Organization) bool {
		return func(o *directory.Organization) bool {
			return o.RegionCode == code || slices.Contains(o.ServiceRegions, code)
		}
	}
	for _, p := range places["RU"] {
		if p.region != "RU-MOW" && p.region != "RU-SPE" {
			check("region="+p.region, share(inRegion(p.region)), 0.01, 0.03)
		}
	}
	for _, word := range []string{"центр", "приют", "надежда"} {
		got := share(func(o *directory.Organization) bool { return publicTextHas(o, word) })
		check("q="+word, got, 0.01, 0.08)
	}
}

// publicTextHas reports whether an anonymous search for word, a prefix,
// finds o: in its names, acronym, descriptions, city, public address or
// public contacts.
func publicTextHas(o *directory.Organization, word string) bool {
	text := []string{o.Acronym, o.Slug, o.City}
	for _, t := range o.Translations {
		text = append(text, t.Name, t.Description)
	}
	if !o.AddressHidden {
		text = append(text, o.Address)
	}
	for _, c := range o.Contacts {
		if c.Visibility == directory.VisibilityPublic {
			text = append(text, c.Name, c.Role, c.Email)
		}
	}
	for _, term := range directory.SearchTerms(directory.FoldText(strings.Join(text, " "))) {
		if strings.HasPrefix(term, word) {
			return true
		}
	}
	return false
}

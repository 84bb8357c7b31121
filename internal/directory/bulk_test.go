package directory

import (
	"testing"
	"time"
)

// TestFieldSetAgreesWithFlatten checks that the fields an import reports a
// new organization to set are those its history records.
func TestFieldSetAgreesWithFlatten(t *testing.T) {
	at := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for _, o := range []Organization{
		{},
		{Slug: "a", OriginalLanguage: LangRU, Translations: map[string]Text{LangRU: {Name: "А"}}, CountryCode: "RU",
			MembershipStatus: StatusMember},
		{Slug: "b", OriginalLanguage: LangEN, Translations: map[string]Text{LangRU: {Name: "Б"}}, AddressHidden: true},
		{Slug: "c", OriginalLanguage: LangRU, Translations: map[string]Text{LangRU: {Name: "В", Description: "Д"}, LangEN: {Name: "C"}},
			Acronym: "В", Website: "https://c.example.org", Email: "c@example.org", Phones: []Phone{{Number: "+78312000000"}},
			RegionCode: "RU-NIZ", City: "Н", Address: "ул.", ServiceRegions: []string{"RU-VLA"}, Languages: []string{"ru"},
			FocusAreas: []string{"shelter"}, MemberSince: "2003-05-12", MemberUntil: "2020-01-01", VerifiedAt: &at, ArchivedAt: &at,
			Contacts: []Contact{{Name: "К"}}},
	} {
		flat := flattenOrganization(&o)
		set := fieldSet(&o)
		for i, f := range organizationFields() {
			if _, want := flat[f]; want != (set&(1<<i) != 0) {
				t.Errorf("%s: field %s set %v, history says %v", o.Slug, f, !want, want)
			}
		}
		if got := set&(1<<len(organizationFields())) != 0; got != (len(o.Contacts) > 0) {
			t.Errorf("%s: contacts set %v", o.Slug, got)
		}
	}
}

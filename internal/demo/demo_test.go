package demo

import (
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nyaruka/phonenumbers"

	"github.com/coalition-directory/coalition/internal/directory"
)

// focusAreaSlugs returns the focus-area vocabulary of DESIGN.md.
func focusAreaSlugs() []string {
	return []string{
		"prevention", "protection", "prosecution", "partnership",
		"awareness-raising", "safe-migration", "hotline", "identification-referral",
		"shelter", "psychosocial-support", "medical-assistance", "repatriation",
		"reintegration", "legal-aid", "training", "research", "advocacy",
		"child-protection", "labour-exploitation", "sexual-exploitation",
	}
}

func mustOrganizations(t *testing.T) []directory.Organization {
	t.Helper()
	orgs, err := Organizations()
	if err != nil {
		t.Fatalf("Organizations: %v", err)
	}
	return orgs
}

func TestOrganizationsCount(t *testing.T) {
	t.Parallel()
	if got := len(mustOrganizations(t)); got < 60 {
		t.Errorf("got %d organizations, want at least 60", got)
	}
}

func TestOrganizationsReturnsFreshCopies(t *testing.T) {
	t.Parallel()
	first := mustOrganizations(t)
	first[0].Slug = "changed"
	first[0].FocusAreas[0] = "changed"
	first[0].Contacts[0].Name = "changed"
	second := mustOrganizations(t)
	if second[0].Slug == "changed" || second[0].FocusAreas[0] == "changed" || second[0].Contacts[0].Name == "changed" {
		t.Error("a change to one result shows in the next")
	}
}

func TestSpread(t *testing.T) {
	t.Parallel()
	orgs := mustOrganizations(t)
	// The countries besides Russia the demo may place members in.
	cisCountries := []string{"AM", "AZ", "BY", "KZ", "KG", "MD", "TJ", "UZ", "TM", "UA", "GE"}
	ruRegions := map[string]int{}
	countries := map[string]int{}
	for _, o := range orgs {
		if o.CountryCode == "RU" {
			ruRegions[o.RegionCode]++
			continue
		}
		if !slices.Contains(cisCountries, o.CountryCode) {
			t.Errorf("%s: country %q is not one of %v", o.Slug, o.CountryCode, cisCountries)
		}
		countries[o.CountryCode]++
	}
	if got := len(ruRegions); got != 29 {
		t.Errorf("got %d distinct Russian seat regions, want 29", got)
	}
	if got := len(countries); got != 9 {
		t.Errorf("got %d countries besides Russia, want 9: %v", got, countries)
	}
	multi := 0
	for _, n := range countries {
		if n > 1 {
			multi++
		}
	}
	if multi < 3 {
		t.Errorf("got %d countries with several members, want at least 3", multi)
	}
	for _, tc := range []struct {
		region string
		min    int
	}{
		{"RU-MOW", 3},
		{"RU-SPE", 3},
		{"RU-NIZ", 2},
	} {
		if got := ruRegions[tc.region]; got < tc.min {
			t.Errorf("%s: got %d organizations, want at least %d", tc.region, got, tc.min)
		}
	}

	// The question DESIGN.md starts from: who does child protection or runs a
	// shelter in Nizhny Novgorod?
	found := false
	for _, o := range orgs {
		if o.RegionCode == "RU-NIZ" && slices.Contains(o.FocusAreas, "shelter") && slices.Contains(o.FocusAreas, "child-protection") {
			found = true
		}
	}
	if !found {
		t.Error("no organization in RU-NIZ runs a shelter and does child protection")
	}
}

func TestRegionCodes(t *testing.T) {
	t.Parallel()
	for _, o := range mustOrganizations(t) {
		if !strings.HasPrefix(o.RegionCode, o.CountryCode+"-") {
			t.Errorf("%s: region %q is not in country %q", o.Slug, o.RegionCode, o.CountryCode)
		}
		if len(o.ServiceRegions) > 3 {
			t.Errorf("%s: got %d service regions, want at most 3", o.Slug, len(o.ServiceRegions))
		}
		seen := map[string]bool{}
		for _, r := range o.ServiceRegions {
			if !strings.HasPrefix(r, o.CountryCode+"-") {
				t.Errorf("%s: service region %q is not in country %q", o.Slug, r, o.CountryCode)
			}
			if r == o.RegionCode {
				t.Errorf("%s: service region %q is the seat", o.Slug, r)
			}
			if seen[r] {
				t.Errorf("%s: service region %q twice", o.Slug, r)
			}
			seen[r] = true
		}
	}
}

// TestReferenceCodes checks region and language codes against Debian's
// iso-codes, which the reference data is generated from. It is skipped where
// the package is not installed.
func TestReferenceCodes(t *testing.T) {
	t.Parallel()
	const dir = "/usr/share/iso-codes/json/"
	var subdivisions struct {
		Entries []struct {
			Code   string `json:"code"`
			Parent string `json:"parent"`
		} `json:"3166-2"`
	}
	var languages struct {
		Entries []struct {
			Alpha2 string `json:"alpha_2"`
		} `json:"639-2"`
	}
	for _, f := range []struct {
		name string
		v    any
	}{
		{"iso_3166-2.json", &subdivisions},
		{"iso_639-2.json", &languages},
	} {
		b, err := os.ReadFile(dir + f.name)
		if errors.Is(err, os.ErrNotExist) {
			t.Skipf("%s%s not installed", dir, f.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, f.v); err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
	}
	firstLevel := map[string]bool{}
	for _, e := range subdivisions.Entries {
		firstLevel[e.Code] = e.Parent == ""
	}
	langs := map[string]bool{}
	for _, e := range languages.Entries {
		if e.Alpha2 != "" {
			langs[e.Alpha2] = true
		}
	}
	for _, o := range mustOrganizations(t) {
		for _, r := range append([]string{o.RegionCode}, o.ServiceRegions...) {
			first, ok := firstLevel[r]
			if !ok {
				t.Errorf("%s: region %q is not in iso-codes", o.Slug, r)
			} else if !first {
				t.Errorf("%s: region %q is not a first-level subdivision", o.Slug, r)
			}
		}
		for _, l := range o.Languages {
			if !langs[l] {
				t.Errorf("%s: language %q is not an ISO 639-1 code", o.Slug, l)
			}
		}
		for _, c := range o.Contacts {
			for _, l := range c.Languages {
				if !langs[l] {
					t.Errorf("%s: contact %s: language %q is not an ISO 639-1 code", o.Slug, c.ID, l)
				}
			}
		}
	}
}

func TestFocusAreas(t *testing.T) {
	t.Parallel()
	vocabulary := focusAreaSlugs()
	used := map[string]bool{}
	for _, o := range mustOrganizations(t) {
		if n := len(o.FocusAreas); n < 2 || n > 5 {
			t.Errorf("%s: got %d focus areas, want 2 to 5", o.Slug, n)
		}
		seen := map[string]bool{}
		for _, f := range o.FocusAreas {
			if !slices.Contains(vocabulary, f) {
				t.Errorf("%s: focus area %q is not in the vocabulary", o.Slug, f)
			}
			if seen[f] {
				t.Errorf("%s: focus area %q twice", o.Slug, f)
			}
			seen[f] = true
			used[f] = true
		}
	}
	for _, f := range vocabulary {
		if !used[f] {
			t.Errorf("focus area %q is used by no organization", f)
		}
	}
}

func TestIdentifiersUnique(t *testing.T) {
	t.Parallel()
	slugPattern := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	ids := map[string]string{}
	slugs := map[string]bool{}
	checkID := func(id, what string) {
		t.Helper()
		u, err := uuid.Parse(id)
		if err != nil || u.String() != id {
			t.Errorf("%s: id %q is not a lower-case UUID", what, id)
		} else if v := u.Version(); v != 4 && v != 7 {
			t.Errorf("%s: id %q is UUID version %d, want 4 or 7", what, id, v)
		}
		if other, dup := ids[id]; dup {
			t.Errorf("%s: id %q is also the id of %s", what, id, other)
		}
		ids[id] = what
	}
	for _, o := range mustOrganizations(t) {
		checkID(o.ID, "organization "+o.Slug)
		if !slugPattern.MatchString(o.Slug) {
			t.Errorf("slug %q: want lower-case ASCII words joined by hyphens", o.Slug)
		}
		if slugs[o.Slug] {
			t.Errorf("slug %q twice", o.Slug)
		}
		slugs[o.Slug] = true
		for _, c := range o.Contacts {
			checkID(c.ID, "contact "+c.Name+" of "+o.Slug)
			if c.OrganizationID != o.ID {
				t.Errorf("%s: contact %s: got organization %q, want %q", o.Slug, c.ID, c.OrganizationID, o.ID)
			}
		}
	}
}

func TestEmailsAndWebsites(t *testing.T) {
	t.Parallel()
	reserved := func(host string) bool { return host == "example.org" || strings.HasSuffix(host, ".example.org") }
	checkEmail := func(what, email string) {
		t.Helper()
		local, host, ok := strings.Cut(email, "@")
		if !ok || local == "" || !reserved(host) {
			t.Errorf("%s: e-mail %q is not at an example.org domain", what, email)
		}
	}
	for _, o := range mustOrganizations(t) {
		checkEmail(o.Slug, o.Email)
		u, err := url.Parse(o.Website)
		if err != nil || u.Scheme != "https" || !reserved(u.Hostname()) {
			t.Errorf("%s: website %q is not https on example.org", o.Slug, o.Website)
		}
		for _, c := range o.Contacts {
			checkEmail(o.Slug+": contact "+c.Name, c.Email)
		}
	}
}

func TestPhones(t *testing.T) {
	t.Parallel()
	e164 := regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	checkPhone := func(what, number, country string) {
		t.Helper()
		if !e164.MatchString(number) {
			t.Errorf("%s: %q is not E.164", what, number)
			return
		}
		n, err := phonenumbers.Parse(number, country)
		if err != nil {
			t.Errorf("%s: %q: %v", what, number, err)
			return
		}
		if !phonenumbers.IsValidNumberForRegion(n, country) {
			t.Errorf("%s: %q is not a valid number in %s", what, number, country)
		}
		if got := phonenumbers.Format(n, phonenumbers.E164); got != number {
			t.Errorf("%s: got %q formatted as E.164, want %q", what, got, number)
		}
	}
	kinds := map[directory.PhoneKind]int{}
	for _, o := range mustOrganizations(t) {
		if len(o.Phones) == 0 {
			t.Errorf("%s: no phone", o.Slug)
		}
		for _, p := range o.Phones {
			checkPhone(o.Slug, p.Number, o.CountryCode)
			kinds[p.Kind]++
		}
		for _, c := range o.Contacts {
			if c.Phone != "" {
				checkPhone(o.Slug+": contact "+c.Name, c.Phone, o.CountryCode)
			}
		}
	}
	for _, k := range []directory.PhoneKind{directory.PhoneOffice, directory.PhoneHotline, directory.PhoneMobile} {
		if kinds[k] == 0 {
			t.Errorf("no phone of kind %q", k)
		}
	}
}

func TestContacts(t *testing.T) {
	t.Parallel()
	visibilities := map[directory.Visibility]int{}
	for _, o := range mustOrganizations(t) {
		if n := len(o.Contacts); n < 1 || n > 3 {
			t.Errorf("%s: got %d contacts, want 1 to 3", o.Slug, n)
		}
		primaries := 0
		for _, c := range o.Contacts {
			if c.IsPrimary {
				primaries++
			}
			visibilities[c.Visibility]++
			if c.Name == "" || c.Role == "" {
				t.Errorf("%s: contact %s has no name or role", o.Slug, c.ID)
			}
		}
		if len(o.Contacts) > 0 && primaries != 1 {
			t.Errorf("%s: got %d primary contacts, want 1", o.Slug, primaries)
		}
	}
	for _, v := range []directory.Visibility{directory.VisibilityPublic, directory.VisibilityPartners} {
		if visibilities[v] == 0 {
			t.Errorf("no contact with visibility %q", v)
		}
	}
}

func TestMembership(t *testing.T) {
	t.Parallel()
	statuses := map[directory.MembershipStatus]int{}
	verified := 0
	orgs := mustOrganizations(t)
	for _, o := range orgs {
		statuses[o.MembershipStatus]++
		since, err := time.Parse(time.DateOnly, o.MemberSince)
		if err != nil {
			t.Errorf("%s: member_since: %v", o.Slug, err)
			continue
		}
		if y := since.Year(); y < 1999 || y > 2025 {
			t.Errorf("%s: member since %d, want 1999 to 2025", o.Slug, y)
		}
		switch {
		case o.MembershipStatus == directory.StatusFormer && o.MemberUntil == "":
			t.Errorf("%s: former member without member_until", o.Slug)
		case o.MembershipStatus != directory.StatusFormer && o.MemberUntil != "":
			t.Errorf("%s: %s with member_until %s", o.Slug, o.MembershipStatus, o.MemberUntil)
		case o.MemberUntil != "":
			until, err := time.Parse(time.DateOnly, o.MemberUntil)
			if err != nil {
				t.Errorf("%s: member_until: %v", o.Slug, err)
			} else if !until.After(since) {
				t.Errorf("%s: member until %s, not after %s", o.Slug, o.MemberUntil, o.MemberSince)
			}
		}
		if o.VerifiedAt != nil {
			verified++
			if y := o.VerifiedAt.Year(); y < 2025 || y > 2026 || o.VerifiedAt.Location() != time.UTC {
				t.Errorf("%s: verified at %v, want a UTC time in 2025 or 2026", o.Slug, o.VerifiedAt)
			}
		}
	}
	for _, tc := range []struct {
		status   directory.MembershipStatus
		min, max int
	}{
		{directory.StatusMember, len(orgs) / 2, len(orgs)},
		{directory.StatusAssociate, 1, len(orgs) / 2},
		{directory.StatusFormer, 3, 4},
	} {
		if got := statuses[tc.status]; got < tc.min || got > tc.max {
			t.Errorf("got %d organizations with status %q, want %d to %d", got, tc.status, tc.min, tc.max)
		}
	}
	if verified*2 <= len(orgs) {
		t.Errorf("got %d of %d organizations verified, want most", verified, len(orgs))
	}
}

func TestTexts(t *testing.T) {
	t.Parallel()
	untranslated, withYo, withQuotes := 0, 0, 0
	for _, o := range mustOrganizations(t) {
		if !slices.Contains(directory.SupportedLanguages, o.OriginalLanguage) {
			t.Errorf("%s: original language %q is not supported", o.Slug, o.OriginalLanguage)
		}
		if txt := o.Translations[o.OriginalLanguage]; txt.Name == "" || txt.Description == "" {
			t.Errorf("%s: no name or description in the original language %q", o.Slug, o.OriginalLanguage)
		}
		for lang, txt := range o.Translations {
			if txt.Name == "" || txt.Description == "" {
				t.Errorf("%s: translation %q lacks a name or description", o.Slug, lang)
			}
		}
		if len(o.Translations) == 1 {
			untranslated++
		}
		ru := o.Translations[directory.LangRU].Name
		if strings.ContainsRune(ru, 'ё') {
			withYo++
		}
		if strings.ContainsRune(ru, '«') && strings.ContainsRune(ru, '»') {
			withQuotes++
		}
		if o.City == "" || o.Address == "" {
			t.Errorf("%s: no city or address", o.Slug)
		}
		if slices.Contains(o.FocusAreas, "shelter") && !o.AddressHidden {
			t.Errorf("%s: runs a shelter but its address is public", o.Slug)
		}
	}
	if untranslated < 3 || untranslated > 4 {
		t.Errorf("got %d organizations without a translation, want 3 or 4", untranslated)
	}
	if withYo < 2 {
		t.Errorf("got %d Russian names with ё, want at least 2", withYo)
	}
	if withQuotes < 10 {
		t.Errorf("got %d Russian names with «», want at least 10", withQuotes)
	}
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	const valid = `{"id": "0b6f1f6e-2f4b-4c1e-9a57-3c1d2e4f5a6b", "slug": "x", "original_language": "ru",
		"translations": {"ru": {"name": "Икс", "description": "Д"}}, "membership_status": "member"`
	if _, err := parse(strings.NewReader("[" + valid + "}]")); err != nil {
		t.Fatalf("the valid base record: %v", err)
	}
	for _, tc := range []struct {
		name, input, want string
	}{
		{"not an array", valid + "}", "cannot unmarshal object"},
		{"unknown field", "[" + valid + `, "fax": "+78312000000"}]`, `unknown field "fax"`},
		{"unknown contact field", "[" + valid + `, "contacts": [{"id": "a", "visibility": "public", "skype": "x"}]}]`, `unknown field "skype"`},
		{"unsupported translation", "[" + valid + `, "translations": {"ru": {"name": "Икс"}, "de": {"name": "X"}}}]`, `unknown field "de"`},
		{"no name in the original language", "[" + valid + `, "original_language": "en"}]`, "original_language"},
		{"unknown status", "[" + valid + `, "membership_status": "honorary"}]`, "membership_status"},
		{"unknown phone kind", "[" + valid + `, "phones": [{"number": "+78312000000", "kind": "fax"}]}]`, "phones[0].kind"},
		{"unknown visibility", "[" + valid + `, "contacts": [{"id": "a", "visibility": "secret"}]}]`, "contacts[0].visibility"},
		{"bad verified_at", "[" + valid + `, "verified_at": "2025-13-01"}]`, "verified_at"},
		{"wrong type", "[" + valid + `, "address_hidden": "yes"}]`, "address_hidden"},
		{"trailing data", "[" + valid + "}] []", "data after the array"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			orgs, err := parse(strings.NewReader(tc.input))
			if err == nil {
				t.Fatalf("got %d organizations and no error, want an error", len(orgs))
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got error %q, want one mentioning %q", err, tc.want)
			}
		})
	}
}

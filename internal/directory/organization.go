// Package directory is the domain of the coalition directory: member
// organizations, their contacts, the focus-area vocabulary and the places they
// work in, with the rules that keep those records true. It knows nothing of
// HTTP or SQL: adapters implement the Store it declares, and the api package
// and the command line call its Service, so both enforce the same rules.
package directory

import "time"

// Languages the directory keeps texts in. The organization's own name stays in
// its original language; the other language is a translation.
const (
	LangRU = "ru"
	LangEN = "en"
)

// SupportedLanguages lists the text languages in their preferred fallback order.
var SupportedLanguages = []string{LangRU, LangEN}

// Text is an organization's name and description in one language.
type Text struct {
	Name        string
	Description string
}

// MembershipStatus is an organization's standing in the coalition.
type MembershipStatus string

// Membership statuses.
const (
	StatusMember    MembershipStatus = "member"
	StatusAssociate MembershipStatus = "associate"
	StatusFormer    MembershipStatus = "former"
)

// Label names the status in lang ("en", else Russian).
func (s MembershipStatus) Label(lang string) string {
	switch s {
	case StatusMember:
		return pick(lang, "Член коалиции", "Member")
	case StatusAssociate:
		return pick(lang, "Ассоциированный член", "Associate")
	case StatusFormer:
		return pick(lang, "Бывший член", "Former member")
	}
	return string(s)
}

// MembershipStatuses lists every valid status, for validation and docs.
var MembershipStatuses = []MembershipStatus{StatusMember, StatusAssociate, StatusFormer}

// PhoneKind says what a phone number is for.
type PhoneKind string

// Phone kinds.
const (
	PhoneOffice  PhoneKind = "office"
	PhoneHotline PhoneKind = "hotline"
	PhoneMobile  PhoneKind = "mobile"
)

// Phone is one of an organization's numbers: Number is in E.164, or a
// short service number (such as 112) as dialled; Extension holds the digits
// dialled after it (доб. 123, ext. 456), which E.164 has no room for.
type Phone struct {
	Number      string
	Extension   string
	Kind        PhoneKind
	Description string
}

// Organization is a member (or former member) of the coalition.
type Organization struct {
	ID   string // UUID, stable across export and import
	Slug string // unique among live organizations, human-readable

	// OriginalLanguage is the language the organization writes its own name in;
	// Translations always holds a Text for it, and may hold others.
	OriginalLanguage string
	Translations     map[string]Text

	Acronym string
	Website string
	Email   string
	Phones  []Phone

	CountryCode    string // ISO 3166-1 alpha-2
	RegionCode     string // ISO 3166-2, belongs to CountryCode
	City           string
	Address        string
	AddressHidden  bool     // shelters: only partners see the address
	ServiceRegions []string // ISO 3166-2 codes it works in besides its seat

	Languages  []string // languages it works in (ISO 639-1)
	FocusAreas []string // focus-area slugs

	MembershipStatus MembershipStatus
	MemberSince      string // YYYY-MM-DD, or empty
	MemberUntil      string // YYYY-MM-DD, or empty

	VerifiedAt *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
	ArchivedAt *time.Time
	Version    int

	// PublicVersion and PublicUpdatedAt are the Version and UpdatedAt of the
	// last write that changed what anonymous callers see of the
	// organization: they get these instead, so that a change to
	// partners-only data (a hidden address) is not visible to them.
	PublicVersion   int
	PublicUpdatedAt time.Time

	// Contacts are filled only where the caller asked for one organization,
	// and only with those the caller may see.
	Contacts []Contact
}

// PlaceNames returns the names in lang of the organization's region and
// country, as its address shows them: "" for a code places does not know,
// and for a region named as its city is (Moscow in Moscow), which would be
// said twice.
func (o *Organization) PlaceNames(places Places, lang string) (region, country string) {
	if r, ok := places.Region(o.RegionCode); ok && r.Name(lang) != o.City {
		region = r.Name(lang)
	}
	if c, ok := places.Country(o.CountryCode); ok {
		country = c.Name(lang)
	}
	return region, country
}

// Text returns the name and description in lang, falling back to the
// original language, and reports the language actually used.
func (o *Organization) Text(lang string) (Text, string) {
	if t, ok := o.Translations[lang]; ok && t.Name != "" {
		if t.Description == "" {
			t.Description = o.Translations[o.OriginalLanguage].Description
		}
		return t, lang
	}
	return o.Translations[o.OriginalLanguage], o.OriginalLanguage
}

// Visibility says who may see a contact.
type Visibility string

// Contact visibilities. Personal data is partners-only unless someone chose
// to publish it.
const (
	VisibilityPublic   Visibility = "public"
	VisibilityPartners Visibility = "partners"
)

// Contact is a person or desk at an organization.
type Contact struct {
	ID             string
	OrganizationID string
	Name           string
	Role           string
	Email          string
	Phone          string // E.164
	Languages      []string
	Visibility     Visibility
	IsPrimary      bool
	Version        int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

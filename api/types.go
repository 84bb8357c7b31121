package api

import (
	"time"

	"github.com/coalition-directory/coalition/internal/directory"
)

// Organization is a member organization as the API shows it. Name and
// description are in the requested language, falling back to the original;
// translations carries every language the record has.
type Organization struct {
	ID               string                 `json:"id" format:"uuid" example:"0193b8a2-7c1e-7d4a-9f00-5b2c1e9a0c11"`
	Slug             string                 `json:"slug" example:"nadezhda-nizhny-novgorod"`
	Name             string                 `json:"name" example:"Hope Centre of Nizhny Novgorod"`
	Description      string                 `json:"description,omitempty" example:"Hotline and shelter for women and children."`
	OriginalLanguage string                 `json:"original_language" enums:"ru,en" example:"ru"`
	Translations     map[string]Translation `json:"translations"`
	Acronym          string                 `json:"acronym,omitempty" example:"ЦН"`
	CountryCode      string                 `json:"country_code" example:"RU"`
	CountryName      string                 `json:"country_name,omitempty" example:"Russia"`
	RegionCode       string                 `json:"region_code,omitempty" example:"RU-NIZ"`
	RegionName       string                 `json:"region_name,omitempty" example:"Nizhny Novgorod Oblast"`
	City             string                 `json:"city,omitempty" example:"Нижний Новгород"`
	Address          string                 `json:"address,omitempty" example:"ул. Примерная, 1"`
	AddressHidden    bool                   `json:"address_hidden,omitempty"`
	ServiceRegions   []string               `json:"service_regions,omitempty" example:"RU-VLA"`
	FocusAreas       []string               `json:"focus_areas" example:"hotline,shelter"`
	MembershipStatus string                 `json:"membership_status" enums:"member,associate,former" example:"member"`
	MemberSince      string                 `json:"member_since,omitempty" format:"date" example:"2003-05-12"`
	MemberUntil      string                 `json:"member_until,omitempty" format:"date"`
	Website          string                 `json:"website,omitempty" format:"uri" example:"https://nadezhda.example.org"`
	Email            string                 `json:"email,omitempty" format:"email" example:"info@nadezhda.example.org"`
	Phones           []Phone                `json:"phones,omitempty"`
	Languages        []string               `json:"languages,omitempty" example:"ru,en"`
	Contacts         []Contact              `json:"contacts,omitempty"`
	VerifiedAt       *time.Time             `json:"verified_at,omitempty" format:"date-time" example:"2026-10-01T00:00:00Z"`
	CreatedAt        time.Time              `json:"created_at" format:"date-time" example:"2026-11-20T09:00:00Z"`
	// UpdatedAt is when the record last changed; for anonymous callers,
	// when what they see of it last changed (partners-only data is not
	// theirs to follow).
	UpdatedAt time.Time `json:"updated_at" format:"date-time" example:"2026-11-25T14:30:00Z"`
	// Version counts the record's changes, for If-Match; anonymous callers
	// get the version of the last change they could see.
	Version int `json:"version" example:"3"`
	// Highlights are, with highlight=true, the ranges [start, end) in UTF-16
	// code units of the words of each returned text field (name,
	// description, acronym, city, address, region_name, country_name)
	// that matched the search.
	Highlights map[string][][2]int `json:"highlights,omitempty"`
} //	@name	Organization

// Translation is an organization's name and description in one language.
type Translation struct {
	Name        string `json:"name" example:"Центр «Надежда»"`
	Description string `json:"description,omitempty"`
} //	@name	Translation

// Phone is one of an organization's numbers: in E.164, or a short service
// number (such as 112) as dialled. An extension written after the number
// (доб. 123, ext. 456, x123) is moved to extension on write.
type Phone struct {
	Number string `json:"number" example:"+78312000000"`
	// The extension dialled after the number: доб. 123, ext. 456, x123 or
	// #123 written after a number are moved here on write.
	Extension   string `json:"extension,omitempty" pattern:"^[0-9]{1,20}$" example:"123"`
	Kind        string `json:"kind" enums:"office,hotline,mobile" example:"hotline"`
	Description string `json:"description,omitempty" example:"24/7"`
} //	@name	Phone

// Contact is a person or desk at an organization. Anonymous callers see
// only public contacts.
type Contact struct {
	ID         string   `json:"id" format:"uuid" example:"d6dbc7a1-abb4-4fcd-9d48-2bdf064c8d98"`
	Name       string   `json:"name" example:"Hotline desk"`
	Role       string   `json:"role,omitempty" example:"Hotline"`
	Email      string   `json:"email,omitempty" format:"email" example:"help@nadezhda.example.org"`
	Phone      string   `json:"phone,omitempty" example:"+78312000001"`
	Languages  []string `json:"languages,omitempty" example:"ru"`
	Visibility string   `json:"visibility" enums:"public,partners" example:"public"`
	IsPrimary  bool     `json:"is_primary,omitempty"`
} //	@name	Contact

// OrganizationList is one page of organizations.
type OrganizationList struct {
	Items      []Organization `json:"items"`
	Page       int            `json:"page" example:"1"`
	PerPage    int            `json:"per_page" example:"20"`
	TotalItems int            `json:"total_items" example:"63"`
	TotalPages int            `json:"total_pages" example:"4"`
} //	@name	OrganizationList

// Names holds a name in each language.
type Names struct {
	EN string `json:"en" example:"Russia"`
	RU string `json:"ru" example:"Россия"`
} //	@name	Names

// Country is a country with the number of organizations seated there.
type Country struct {
	Code              string `json:"code" example:"RU"`
	Name              string `json:"name" example:"Russia"`
	Names             Names  `json:"names"`
	OrganizationCount int    `json:"organization_count" example:"45"`
} //	@name	Country

// CountryList is every country.
type CountryList struct {
	Items      []Country `json:"items"`
	TotalItems int       `json:"total_items" example:"249"`
} //	@name	CountryList

// Region is an ISO 3166-2 region with the number of organizations seated
// or serving there.
type Region struct {
	Code              string `json:"code" example:"RU-NIZ"`
	CountryCode       string `json:"country_code" example:"RU"`
	Type              string `json:"type,omitempty" example:"Administrative region"`
	Name              string `json:"name" example:"Nizhny Novgorod Oblast"`
	Names             Names  `json:"names"`
	OrganizationCount int    `json:"organization_count" example:"3"`
} //	@name	Region

// RegionList is the regions of one country.
type RegionList struct {
	Items      []Region `json:"items"`
	TotalItems int      `json:"total_items" example:"83"`
} //	@name	RegionList

// FocusArea is an entry of the focus-area vocabulary with its number of
// organizations.
type FocusArea struct {
	Slug              string `json:"slug" example:"shelter"`
	Group             string `json:"group" enums:"pillar,activity,theme" example:"activity"`
	Name              string `json:"name" example:"Shelter"`
	Names             Names  `json:"names"`
	OrganizationCount int    `json:"organization_count" example:"12"`
} //	@name	FocusArea

// FocusAreaList is the whole vocabulary.
type FocusAreaList struct {
	Items      []FocusArea `json:"items"`
	TotalItems int         `json:"total_items" example:"20"`
} //	@name	FocusAreaList

// StatsEntry is one line of a breakdown.
type StatsEntry struct {
	Code  string `json:"code" example:"RU"`
	Name  string `json:"name" example:"Russia"`
	Count int    `json:"count" example:"45"`
} //	@name	StatsEntry

// Stats are the directory's totals.
type Stats struct {
	Total       int          `json:"total" example:"63"`
	ByCountry   []StatsEntry `json:"by_country"`
	ByRegion    []StatsEntry `json:"by_region"`
	ByFocusArea []StatsEntry `json:"by_focus_area"`
	ByStatus    []StatsEntry `json:"by_status"`
} //	@name	Stats

// Health is the body of the health and readiness probes.
type Health struct {
	Status string `json:"status" example:"ok"`
} //	@name	Health

// toOrganization converts a domain organization for a caller reading in
// lang ("" for each record's original language).
func toOrganization(o *directory.Organization, lang string, dir *directory.Service, caller directory.Caller) Organization {
	text, _ := o.Text(lang)
	out := Organization{
		ID:               o.ID,
		Slug:             o.Slug,
		Name:             text.Name,
		Description:      text.Description,
		OriginalLanguage: o.OriginalLanguage,
		Translations:     make(map[string]Translation, len(o.Translations)),
		Acronym:          o.Acronym,
		CountryCode:      o.CountryCode,
		CountryName:      dir.CountryName(o.CountryCode, lang),
		RegionCode:       o.RegionCode,
		RegionName:       dir.RegionName(o.RegionCode, lang),
		City:             o.City,
		Address:          o.Address,
		AddressHidden:    o.AddressHidden && caller.SeesPrivate(),
		ServiceRegions:   o.ServiceRegions,
		FocusAreas:       o.FocusAreas,
		MembershipStatus: string(o.MembershipStatus),
		MemberSince:      o.MemberSince,
		MemberUntil:      o.MemberUntil,
		Website:          o.Website,
		Email:            o.Email,
		Languages:        o.Languages,
		VerifiedAt:       o.VerifiedAt,
		CreatedAt:        o.CreatedAt,
		UpdatedAt:        o.UpdatedAt,
		Version:          o.Version,
	}
	if out.FocusAreas == nil {
		out.FocusAreas = []string{}
	}
	for l, t := range o.Translations {
		out.Translations[l] = Translation{Name: t.Name, Description: t.Description}
	}
	for _, p := range o.Phones {
		out.Phones = append(out.Phones, Phone{Number: p.Number, Extension: p.Extension, Kind: string(p.Kind), Description: p.Description})
	}
	for i := range o.Contacts {
		out.Contacts = append(out.Contacts, toContact(&o.Contacts[i]))
	}
	return out
}

func toContact(c *directory.Contact) Contact {
	return Contact{
		ID:         c.ID,
		Name:       c.Name,
		Role:       c.Role,
		Email:      c.Email,
		Phone:      c.Phone,
		Languages:  c.Languages,
		Visibility: string(c.Visibility),
		IsPrimary:  c.IsPrimary,
	}
}

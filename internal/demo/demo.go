// Package demo provides the demo directory: 60+ clearly fictional member
// organizations of an anti-trafficking coalition, spread over 29 Russian
// regions and 9 CIS countries, with their contacts. It lets a fresh
// installation show a realistic directory with zero set-up, and gives tests
// and benchmarks data shaped like the real thing.
//
// The data lives in organizations.json, embedded in the binary and written in
// a shape close to the API's. Every name, address, e-mail address (all under
// example.org) and phone number in it is invented.
package demo

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/coalition-directory/coalition/internal/directory"
)

// organizationsJSON is the embedded demo directory. go:embed needs a
// package-level variable; a string keeps it immutable.
//
//go:embed organizations.json
var organizationsJSON string

// Organizations returns the demo directory, each organization with all its
// contacts (public and partners-only). Every call returns a fresh copy that
// the caller may change. IDs are fixed, so loading the demo twice names the
// same records; CreatedAt, UpdatedAt and Version are left for the store to
// set. It returns an error only if the embedded file is broken, which the
// package's tests rule out.
func Organizations() ([]directory.Organization, error) {
	return parse(strings.NewReader(organizationsJSON))
}

// parse decodes a JSON array of organizations, rejecting unknown fields and
// trailing data, and converts it to domain types.
func parse(r io.Reader) ([]directory.Organization, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var recs []organizationJSON
	if err := dec.Decode(&recs); err != nil {
		return nil, fmt.Errorf("demo organizations: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("demo organizations: data after the array")
	}
	orgs := make([]directory.Organization, 0, len(recs))
	for i, rec := range recs {
		org, err := rec.toOrganization()
		if err != nil {
			return nil, fmt.Errorf("demo organization %d (%q): %w", i+1, rec.Slug, err)
		}
		orgs = append(orgs, org)
	}
	return orgs, nil
}

// organizationJSON is one organization as written in organizations.json.
type organizationJSON struct {
	ID               string           `json:"id"`
	Slug             string           `json:"slug"`
	OriginalLanguage string           `json:"original_language"`
	Translations     translationsJSON `json:"translations"`
	Acronym          string           `json:"acronym"`
	Website          string           `json:"website"`
	Email            string           `json:"email"`
	Phones           []phoneJSON      `json:"phones"`
	CountryCode      string           `json:"country_code"`
	RegionCode       string           `json:"region_code"`
	City             string           `json:"city"`
	Address          string           `json:"address"`
	AddressHidden    bool             `json:"address_hidden"`
	ServiceRegions   []string         `json:"service_regions"`
	Languages        []string         `json:"languages"`
	FocusAreas       []string         `json:"focus_areas"`
	MembershipStatus string           `json:"membership_status"`
	MemberSince      string           `json:"member_since"`
	MemberUntil      string           `json:"member_until"`
	VerifiedAt       string           `json:"verified_at"`
	Contacts         []contactJSON    `json:"contacts"`
}

// translationsJSON names each supported language as a field, so that a text
// in any other language is an unknown field and rejected.
type translationsJSON struct {
	RU *textJSON `json:"ru"`
	EN *textJSON `json:"en"`
}

type textJSON struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

type phoneJSON struct {
	Number      string `json:"number"`
	Kind        string `json:"kind"`
	Description string `json:"description"`
}

type contactJSON struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Role       string   `json:"role"`
	Email      string   `json:"email"`
	Phone      string   `json:"phone"`
	Languages  []string `json:"languages"`
	Visibility string   `json:"visibility"`
	IsPrimary  bool     `json:"is_primary"`
}

func (rec organizationJSON) toOrganization() (directory.Organization, error) {
	org := directory.Organization{
		ID:               rec.ID,
		Slug:             rec.Slug,
		OriginalLanguage: rec.OriginalLanguage,
		Translations:     rec.Translations.toTexts(),
		Acronym:          rec.Acronym,
		Website:          rec.Website,
		Email:            rec.Email,
		CountryCode:      rec.CountryCode,
		RegionCode:       rec.RegionCode,
		City:             rec.City,
		Address:          rec.Address,
		AddressHidden:    rec.AddressHidden,
		ServiceRegions:   rec.ServiceRegions,
		Languages:        rec.Languages,
		FocusAreas:       rec.FocusAreas,
		MembershipStatus: directory.MembershipStatus(rec.MembershipStatus),
		MemberSince:      rec.MemberSince,
		MemberUntil:      rec.MemberUntil,
	}
	if org.Translations[org.OriginalLanguage].Name == "" {
		return directory.Organization{}, fmt.Errorf("original_language %q: no name in that language", rec.OriginalLanguage)
	}
	if !slices.Contains(directory.MembershipStatuses, org.MembershipStatus) {
		return directory.Organization{}, fmt.Errorf("membership_status %q: unknown", rec.MembershipStatus)
	}
	if rec.VerifiedAt != "" {
		t, err := time.Parse(time.RFC3339, rec.VerifiedAt)
		if err != nil {
			return directory.Organization{}, fmt.Errorf("verified_at: %w", err)
		}
		t = t.UTC()
		org.VerifiedAt = &t
	}
	for i, p := range rec.Phones {
		kind := directory.PhoneKind(p.Kind)
		switch kind {
		case directory.PhoneOffice, directory.PhoneHotline, directory.PhoneMobile:
		default:
			return directory.Organization{}, fmt.Errorf("phones[%d].kind %q: unknown", i, p.Kind)
		}
		org.Phones = append(org.Phones, directory.Phone{Number: p.Number, Kind: kind, Description: p.Description})
	}
	for i, c := range rec.Contacts {
		vis := directory.Visibility(c.Visibility)
		switch vis {
		case directory.VisibilityPublic, directory.VisibilityPartners:
		default:
			return directory.Organization{}, fmt.Errorf("contacts[%d].visibility %q: unknown", i, c.Visibility)
		}
		org.Contacts = append(org.Contacts, directory.Contact{
			ID:             c.ID,
			OrganizationID: rec.ID,
			Name:           c.Name,
			Role:           c.Role,
			Email:          c.Email,
			Phone:          c.Phone,
			Languages:      c.Languages,
			Visibility:     vis,
			IsPrimary:      c.IsPrimary,
		})
	}
	return org, nil
}

func (t translationsJSON) toTexts() map[string]directory.Text {
	texts := make(map[string]directory.Text, 2)
	if t.RU != nil {
		texts[directory.LangRU] = directory.Text{Name: t.RU.Name, Description: t.RU.Description}
	}
	if t.EN != nil {
		texts[directory.LangEN] = directory.Text{Name: t.EN.Name, Description: t.EN.Description}
	}
	return texts
}

package directory

import (
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Length limits of organization and contact fields, in characters.
const (
	maxNameLength        = 300
	maxDescriptionLength = 5000
	maxShortText         = 200
	maxAddressLength     = 500
	maxURLLength         = 500
	maxEmailLength       = 254
	maxSlugLength        = 100
	maxAcronymLength     = 30
	maxPhones            = 10
	maxListEntries       = 50
	maxContacts          = 50
)

// validate checks an organization (and its contacts) against the rules of
// the directory and normalizes what has one canonical form: codes in upper
// case, phones in E.164, lists without duplicates. It returns a CodeInvalid
// *Error listing every field problem, named as in the API's JSON.
func (s *Service) validate(o *Organization, focusAreas map[string]bool) error {
	var fe fieldErrors
	normalizeOrganization(o)

	if o.ID != "" {
		if _, err := uuid.Parse(o.ID); err != nil {
			fe.add("id", "must be a UUID")
		}
	}
	if !slugPattern.MatchString(o.Slug) || len(o.Slug) > maxSlugLength {
		fe.add("slug", "must be lower-case latin letters, digits and single hyphens, at most %d characters", maxSlugLength)
	}

	switch o.OriginalLanguage {
	case LangRU, LangEN:
		checkRequired(&fe, "name", o.Translations[o.OriginalLanguage].Name)
	default:
		fe.add("original_language", "must be ru or en")
	}
	for lang, t := range o.Translations {
		field := "translations." + lang
		if lang == o.OriginalLanguage {
			field = ""
		} else if lang != LangRU && lang != LangEN {
			fe.add("translations", "unknown language %q: must be ru or en", lang)
			continue
		}
		if field != "" {
			checkRequired(&fe, join(field, "name"), t.Name)
		}
		checkText(&fe, join(field, "name"), t.Name, maxNameLength, false)
		checkText(&fe, join(field, "description"), t.Description, maxDescriptionLength, true)
	}

	checkText(&fe, "acronym", o.Acronym, maxAcronymLength, false)
	if o.Website != "" {
		checkURL(&fe, "website", o.Website)
	}
	if o.Email != "" {
		checkEmail(&fe, "email", o.Email)
	}

	o.CountryCode = strings.ToUpper(o.CountryCode)
	if o.CountryCode == "" {
		fe.add("country_code", "is required")
	} else if _, ok := s.places.Country(o.CountryCode); !ok {
		fe.add("country_code", "unknown country code %q", o.CountryCode)
	}
	if o.RegionCode != "" {
		o.RegionCode = strings.ToUpper(o.RegionCode)
		if r, ok := s.places.Region(o.RegionCode); !ok {
			fe.add("region_code", "unknown region code %q", o.RegionCode)
		} else if r.CountryCode != o.CountryCode {
			fe.add("region_code", "region %s is not in country %s", o.RegionCode, o.CountryCode)
		}
	}
	o.ServiceRegions = normalizeList(o.ServiceRegions, strings.ToUpper)
	checkCount(&fe, "service_regions", len(o.ServiceRegions), maxListEntries)
	for i, code := range o.ServiceRegions {
		if _, ok := s.places.Region(code); !ok {
			fe.add(fmt.Sprintf("service_regions[%d]", i), "unknown region code %q", code)
		}
	}
	checkText(&fe, "city", o.City, maxShortText, false)
	checkText(&fe, "address", o.Address, maxAddressLength, true)

	if len(o.Phones) > maxPhones {
		fe.add("phones", "at most %d phone numbers", maxPhones)
	}
	for i := range o.Phones {
		checkPhone(&fe, s.phones(), fmt.Sprintf("phones[%d]", i), &o.Phones[i], o.CountryCode)
	}

	o.Languages = checkLanguages(&fe, "languages", o.Languages)
	o.FocusAreas = normalizeList(o.FocusAreas, strings.ToLower)
	checkCount(&fe, "focus_areas", len(o.FocusAreas), maxListEntries)
	for i, slug := range o.FocusAreas {
		if !focusAreas[slug] {
			fe.add(fmt.Sprintf("focus_areas[%d]", i), "unknown focus area %q", slug)
		}
	}

	if !slices.Contains(MembershipStatuses, o.MembershipStatus) {
		fe.add("membership_status", "must be one of member, associate, former")
	}
	since := checkDate(&fe, "member_since", o.MemberSince)
	until := checkDate(&fe, "member_until", o.MemberUntil)
	if !since.IsZero() && !until.IsZero() && until.Before(since) {
		fe.add("member_until", "must not be before member_since")
	}

	checkCount(&fe, "contacts", len(o.Contacts), maxContacts)
	primaries := 0
	for i := range o.Contacts {
		c := &o.Contacts[i]
		checkContact(&fe, s.phones(), fmt.Sprintf("contacts[%d].", i), c, o.CountryCode)
		if c.IsPrimary {
			primaries++
		}
	}
	if primaries > 1 {
		fe.add("contacts", "at most one contact can be primary")
	}
	return fe.err("invalid organization")
}

// checkContact validates one contact; prefix is how the caller names it.
func checkContact(fe *fieldErrors, phones *phoneRules, prefix string, c *Contact, country string) {
	if c.ID != "" {
		if _, err := uuid.Parse(c.ID); err != nil {
			fe.add(prefix+"id", "must be a UUID")
		}
	}
	normalizeContact(c)
	checkRequired(fe, prefix+"name", c.Name)
	checkText(fe, prefix+"name", c.Name, maxShortText, false)
	checkText(fe, prefix+"role", c.Role, maxShortText, false)
	if c.Email != "" {
		checkEmail(fe, prefix+"email", c.Email)
	}
	if c.Phone != "" {
		var ext string
		if c.Phone, ext = phones.check(fe, prefix+"phone", c.Phone, country); ext != "" {
			fe.add(prefix+"phone", "must be a number without an extension: a contact's phone has no room for one (an organization's phones have an extension field)")
		}
	}
	c.Languages = checkLanguages(fe, prefix+"languages", c.Languages)
	switch c.Visibility {
	case VisibilityPublic, VisibilityPartners:
	case "":
		c.Visibility = VisibilityPartners
	default:
		fe.add(prefix+"visibility", "must be public or partners")
	}
}

func join(prefix, field string) string {
	if prefix == "" {
		return field
	}
	return prefix + "." + field
}

// checkText checks that a text is valid UTF-8, its length, and that it
// holds no control characters, which no one types and which break the
// formats texts travel in (vCard, CSV); only multi-line texts may hold line
// breaks and tabs, and only they may hold bidirectional embeddings,
// overrides and isolates (see bidiControl).
func checkText(fe *fieldErrors, field, v string, limit int, multiline bool) {
	if !utf8.ValidString(v) {
		fe.add(field, "must be valid UTF-8 text")
		return
	}
	if !multiline && bidiControl(v) >= 0 {
		fe.add(field, "must not contain bidirectional embedding, override or isolate characters (U+202A-U+202E, U+2066-U+2069)")
	}
	if utf8.RuneCountInString(v) > limit {
		fe.add(field, "must be at most %d characters", limit)
	}
	if i := controlCharacter(v, multiline); i >= 0 {
		if multiline {
			fe.add(field, "must not contain control characters")
		} else {
			fe.add(field, "must be one line without control characters")
		}
	}
}

// controlCharacter returns the index of the first control character of v
// (unicode.IsControl), tabs and line breaks excepted when multiline, or -1.
// It reads bytes, not runes: the control characters are the bytes below
// 0x20, 0x7F, and U+0080-U+009F, which UTF-8 writes as 0xC2 0x80-0x9F.
func controlCharacter(v string, multiline bool) int {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c < 0x20:
			if multiline && (c == '\n' || c == '\r' || c == '\t') {
				continue
			}
			return i
		case c == 0x7F, c == 0xC2 && i+1 < len(v) && 0x80 <= v[i+1] && v[i+1] <= 0x9F:
			return i
		}
	}
	return -1
}

func checkCount(fe *fieldErrors, field string, n, limit int) {
	if n > limit {
		fe.add(field, "at most %d entries", limit)
	}
}

func checkURL(fe *fieldErrors, field, v string) {
	u, err := url.Parse(v)
	switch {
	case len(v) > maxURLLength:
		fe.add(field, "must be at most %d characters", maxURLLength)
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		fe.add(field, "must be an http or https URL")
	}
}

func checkEmail(fe *fieldErrors, field, v string) {
	a, err := mail.ParseAddress(v)
	switch {
	case len(v) > maxEmailLength:
		fe.add(field, "must be at most %d characters", maxEmailLength)
	case err != nil || a.Address != v || !strings.Contains(v[strings.LastIndexByte(v, '@'):], "."):
		fe.add(field, "must be an email address such as info@example.org")
	}
}

func checkDate(fe *fieldErrors, field, v string) time.Time {
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		fe.add(field, "must be a date such as 2003-05-12")
	}
	return t
}

func checkLanguages(fe *fieldErrors, field string, langs []string) []string {
	langs = normalizeList(langs, strings.ToLower)
	checkCount(fe, field, len(langs), maxListEntries)
	for i, l := range langs {
		if !languageCodePattern.MatchString(l) {
			fe.add(fmt.Sprintf("%s[%d]", field, i), "%q is not an ISO 639-1 code such as ru", l)
		}
	}
	return langs
}

// normalizeList trims and normalizes entries, dropping empty ones and
// duplicates while keeping the order.
func normalizeList(in []string, normalize func(string) string) []string {
	var out []string
	for _, v := range in {
		v = normalize(strings.TrimSpace(v))
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

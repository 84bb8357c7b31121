package directory

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// normalizeText is the one normalisation every text of a record goes
// through before it is validated, stored or indexed, whichever way it came
// in (API, CSV, NDJSON): leading and trailing Unicode white space (no-break
// spaces too) is removed, and the text is put in Unicode NFC, so that a «й»
// typed as и + combining breve is the same name, slug and search as the
// precomposed one. Text that is not valid UTF-8 is returned as it is, for
// checkText to reject: normalising it would hide the damage.
func normalizeText(v string) string {
	if !utf8.ValidString(v) {
		return v
	}
	v = strings.TrimSpace(v)
	if !composedAlone(v) && !norm.NFC.IsNormalString(v) {
		v = norm.NFC.String(v)
	}
	return v
}

// composedAlone reports whether every rune of v is below U+0300 or a
// Cyrillic letter (U+0400–U+0482, U+048A–U+04FF): runes that are in NFC and
// compose with no rune before them (canonical combining class 0, NFC quick
// check Yes), so v is in NFC whatever their order; TestComposedAlone checks
// each against norm's tables. It spares most of a directory's text norm's
// table look-up per rune, which was a seventh of an import's CPU time in Go.
func composedAlone(v string) bool {
	for _, r := range v {
		if r >= 0x300 && (r < 0x400 || r > 0x4FF || r >= 0x483 && r <= 0x489) {
			return false
		}
	}
	return true
}

// normalizeOrganization applies normalizeText to every text of o and of its
// contacts, list entries included.
func normalizeOrganization(o *Organization) {
	for _, p := range []*string{&o.ID, &o.Slug, &o.OriginalLanguage, &o.Acronym, &o.Website, &o.Email,
		&o.CountryCode, &o.RegionCode, &o.City, &o.Address, &o.MemberSince, &o.MemberUntil} {
		*p = normalizeText(*p)
	}
	o.MembershipStatus = MembershipStatus(normalizeText(string(o.MembershipStatus)))
	if len(o.Translations) > 0 {
		translations := make(map[string]Text, len(o.Translations))
		for lang, t := range o.Translations {
			translations[normalizeText(lang)] = Text{Name: normalizeText(t.Name), Description: normalizeText(t.Description)}
		}
		o.Translations = translations
	}
	for i := range o.Phones {
		p := &o.Phones[i]
		p.Number, p.Extension, p.Description = normalizeText(p.Number), normalizeText(p.Extension), normalizeText(p.Description)
		p.Kind = PhoneKind(normalizeText(string(p.Kind)))
	}
	normalizeTexts(o.ServiceRegions)
	normalizeTexts(o.Languages)
	normalizeTexts(o.FocusAreas)
	for i := range o.Contacts {
		normalizeContact(&o.Contacts[i])
	}
}

// normalizeContact applies normalizeText to every text of c.
func normalizeContact(c *Contact) {
	for _, p := range []*string{&c.ID, &c.Name, &c.Role, &c.Email, &c.Phone} {
		*p = normalizeText(*p)
	}
	c.Visibility = Visibility(normalizeText(string(c.Visibility)))
	normalizeTexts(c.Languages)
}

func normalizeTexts(list []string) {
	for i, v := range list {
		list[i] = normalizeText(v)
	}
}

// checkRequired reports a required text that is blank: empty once
// normalised, or made only of characters no one sees (zero-width spaces and
// joiners, bidirectional marks, fillers), which a list or a page would show
// as an empty name.
func checkRequired(fe *fieldErrors, field, v string) bool {
	if invisible(v) {
		fe.add(field, "is required")
		return false
	}
	return true
}

// invisible reports whether v has no character that shows: it is empty or
// only white space, format characters (Unicode category Cf: zero-width
// space, joiners, bidirectional controls, the byte-order mark) and the
// fillers that render as nothing.
func invisible(v string) bool {
	for _, r := range v {
		switch {
		case unicode.IsSpace(r), unicode.Is(unicode.Cf, r):
		case r == '\u115F', r == '\u1160', r == '\u3164', r == '\uFFA0', r == '\u2800':
		default:
			return false
		}
	}
	return true
}

// bidiControl returns the index of the first bidirectional embedding,
// override or isolate character of v (U+202A-U+202E, U+2066-U+2069), or
// -1. In one-line text they reorder what follows them, so a name can show
// other than it reads ("Trojan Source"); the marks LRM, RLM and ALM, which
// mixed-script text needs, are allowed. It reads bytes: UTF-8 writes these
// characters as 0xE2 0x80 0xAA-0xAE and 0xE2 0x81 0xA6-0xA9.
func bidiControl(v string) int {
	for i := 0; i+2 < len(v); i++ {
		if v[i] != 0xE2 {
			continue
		}
		switch b1, b2 := v[i+1], v[i+2]; {
		case b1 == 0x80 && 0xAA <= b2 && b2 <= 0xAE, b1 == 0x81 && 0xA6 <= b2 && b2 <= 0xA9:
			return i
		}
	}
	return -1
}

// withFound adds to a validation's result the problems a reader met before
// validation (a value of the wrong type, a malformed date, text it could
// not decode), so that a request or an import row reports every problem at
// once. A field the reader named keeps the reader's message alone: the
// rules saw it empty. It returns err as it is when err is no CodeInvalid
// *Error and nothing was found.
func withFound(found []FieldError, err error, message string) error {
	var de *Error
	switch {
	case len(found) == 0:
		return err
	case err == nil:
		return &Error{Code: CodeInvalid, Message: message, Fields: found}
	case !errors.As(err, &de) || de.Code != CodeInvalid:
		return err
	}
	fields := slices.Clone(found)
	for _, f := range de.Fields {
		if !slices.ContainsFunc(found, func(g FieldError) bool { return g.Field == f.Field }) {
			fields = append(fields, f)
		}
	}
	return &Error{Code: CodeInvalid, Message: de.Message, Fields: fields}
}

// CheckOrganization validates o as CreateOrganization and
// UpdateOrganization do and returns, as one CodeInvalid error, the problems
// found by whoever read o (see withFound) together with those of the rules.
// It writes nothing: a caller whose input had problems calls it instead of
// writing, so that the answer names them all. It returns nil when found is
// empty and o is valid, and needs the editor role.
func (s *Service) CheckOrganization(ctx context.Context, caller Caller, o Organization, found []FieldError) error {
	if err := caller.require(RoleEditor); err != nil {
		return err
	}
	known, err := s.focusAreaSlugs(ctx)
	if err != nil {
		return err
	}
	if o.Slug == "" {
		text, _ := o.Text(o.OriginalLanguage)
		o.Slug = MakeSlug(text.Name)
	}
	o.Translations = maps.Clone(o.Translations)
	o.Contacts = nil
	return withFound(found, s.validate(&o, known), "invalid organization")
}

// CheckContact is CheckOrganization for a contact of a live organization
// (CodeNotFound when there is none).
func (s *Service) CheckContact(ctx context.Context, caller Caller, orgIDOrSlug string, c Contact, found []FieldError) error {
	if err := caller.require(RoleEditor); err != nil {
		return err
	}
	org, err := s.store.Organization(ctx, orgIDOrSlug)
	if err != nil {
		return fmt.Errorf("get organization %q: %w", orgIDOrSlug, err)
	}
	var fe fieldErrors
	checkContact(&fe, s.phones(), "", &c, org.CountryCode)
	return withFound(found, fe.err("invalid contact"), "invalid contact")
}

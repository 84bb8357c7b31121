// Package vcard writes an organization and its contacts as vCard 4.0 (RFC
// 6350), so that partners can import them into common address books (phones,
// mail clients, CardDAV servers). It formats with github.com/emersion/go-vcard
// and works around what that library does not escape.
package vcard

import (
	"cmp"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	govcard "github.com/emersion/go-vcard"
	"github.com/nyaruka/phonenumbers"

	"github.com/coalition-directory/coalition/internal/directory"
)

// MediaType is the Content-Type of what Write writes.
const MediaType = "text/vcard; charset=utf-8"

// productID names the software that made the cards (PRODID).
const productID = "-//Coalition Directory//Contacts export//EN"

// partnersOnlyNote is the NOTE of a partners-only contact, in the language
// of the card's ORG, so that the card keeps saying so in an address book.
var partnersOnlyNote = map[string]string{
	directory.LangRU: "Контакт только для партнёров коалиции: не публикуйте его.",
	directory.LangEN: "Partners-only contact of the coalition directory: do not publish it.",
}

// Write writes the organization's own card and then one card per contact,
// in the order given, as vCard 4.0 in UTF-8 with CRLF line endings, so that
// the file is never empty (RFC 6350 section 3.3: vcard-entity = 1*vcard)
// and the organization's office phones, email, website and address reach the
// address book even when it has no contacts the caller may see.
//
// The organization's card (KIND:org, RFC 6350 section 6.1.4) carries its
// name in lang, falling back to the original language (FN and ORG), its
// acronym (NICKNAME), phones (tel: URIs with any extension), email, website,
// address (ADR: the street address as stored, the city, and the region and
// country named in lang by places), working languages, id (UID, a urn:uuid:
// URN) and last change (REV). Each contact's card carries the contact's name
// (FN), role (TITLE), email, phone, languages in order of preference, the
// organization's name (ORG) and website, a RELATED link to the organization's
// card, the contact's id (UID) and last change (REV).
//
// The caller decides what may be written: Write writes every contact it
// gets and the address org holds, so org must already be redacted for the
// caller (directory.Service.Organization does so). It returns only the
// errors of w.
func Write(w io.Writer, org *directory.Organization, contacts []directory.Contact, lang string, places directory.Places) error {
	enc := govcard.NewEncoder(w)
	if err := enc.Encode(orgCard(org, lang, places)); err != nil {
		return fmt.Errorf("write vCard of organization %s: %w", org.ID, err)
	}
	for i := range contacts {
		if err := enc.Encode(card(org, &contacts[i], lang)); err != nil {
			return fmt.Errorf("write vCard of contact %s: %w", contacts[i].ID, err)
		}
	}
	return nil
}

// newCard starts a vCard 4.0 of kind for the record with id: VERSION,
// PRODID, KIND and UID (a urn:uuid: URN, RFC 6350 section 6.7.6).
func newCard(kind govcard.Kind, id string) govcard.Card {
	card := govcard.Card{}
	card.SetValue(govcard.FieldVersion, "4.0")
	card.SetValue(govcard.FieldProductID, productID)
	card.SetKind(kind)
	card.SetValue(govcard.FieldUID, "urn:uuid:"+id)
	return card
}

// orgCard builds the organization's own card.
func orgCard(org *directory.Organization, lang string, places directory.Places) govcard.Card {
	text, used := org.Text(lang)
	card := newCard(govcard.KindOrganization, org.ID)
	// FN is required (RFC 6350 section 6.2.1); an organization always has a
	// name in its original language, the slug is there for a damaged record.
	name := cmp.Or(singleLine(text.Name), org.Slug)
	card.Set(govcard.FieldFormattedName, &govcard.Field{Value: name, Params: govcard.Params{govcard.ParamLanguage: {used}}})
	setOrganization(card, text.Name, used)
	if acronym := singleLine(org.Acronym); acronym != "" {
		card.SetValue(govcard.FieldNickname, acronym)
	}
	for _, p := range org.Phones {
		typ := phoneType(p.Number)
		if p.Kind == directory.PhoneMobile {
			typ = govcard.TypeCell
		}
		card.Add(govcard.FieldTelephone, &govcard.Field{
			Value:  telURI(p.Number, p.Extension, org.CountryCode),
			Params: govcard.Params{govcard.ParamValue: {"uri"}, govcard.ParamType: {govcard.TypeWork, typ}},
		})
	}
	if org.Email != "" {
		card.Add(govcard.FieldEmail, &govcard.Field{Value: org.Email, Params: govcard.Params{govcard.ParamType: {govcard.TypeWork}}})
	}
	if org.Website != "" {
		card.Add(govcard.FieldURL, &govcard.Field{Value: org.Website, Params: govcard.Params{govcard.ParamType: {govcard.TypeWork}}})
	}
	if adr := address(org, lang, places); adr != nil {
		card.AddAddress(adr)
	}
	for i, l := range org.Languages {
		card.Add(govcard.FieldLanguage, &govcard.Field{Value: l, Params: govcard.Params{govcard.ParamPreferred: {strconv.Itoa(min(i+1, 100))}}})
	}
	if !org.UpdatedAt.IsZero() {
		card.SetRevision(org.UpdatedAt.UTC())
	}
	return card
}

// address is the organization's ADR as its page shows it: the street
// address (absent when hidden from the caller), the city, and the region
// (unless it is the city) and country named in lang; nil when it has none.
func address(org *directory.Organization, lang string, places directory.Places) *govcard.Address {
	adr := &govcard.Address{
		Field:         &govcard.Field{Params: govcard.Params{govcard.ParamType: {govcard.TypeWork}}},
		StreetAddress: component(org.Address),
		Locality:      component(org.City),
	}
	if places != nil {
		region, country := org.PlaceNames(places, lang)
		adr.Region, adr.Country = component(region), component(country)
	}
	if *adr == (govcard.Address{Field: adr.Field}) {
		return nil
	}
	return adr
}

// component is one component of a compound value (ADR) on one line. The
// library escapes commas but not semicolons, which would start the next
// component.
func component(s string) string {
	return strings.ReplaceAll(singleLine(s), ";", ",")
}

// setOrganization sets ORG to the organization's name, in language used.
func setOrganization(card govcard.Card, name, used string) {
	if name := component(name); name != "" {
		// ORG is a compound value (name;unit;unit): see component.
		card.Set(govcard.FieldOrganization, &govcard.Field{
			Value:  name,
			Params: govcard.Params{govcard.ParamLanguage: {used}},
		})
	}
}

// card builds the vCard of one contact.
func card(org *directory.Organization, c *directory.Contact, lang string) govcard.Card {
	text, used := org.Text(lang)
	card := newCard(govcard.KindIndividual, c.ID)
	card.SetValue(govcard.FieldFormattedName, singleLine(c.Name))
	setOrganization(card, text.Name, used)
	// RELATED links the contact to the organization's card above (RFC 6350
	// section 6.6.6), for address books that follow it; ORG names it for
	// those that do not.
	card.Add(govcard.FieldRelated, &govcard.Field{Value: "urn:uuid:" + org.ID, Params: govcard.Params{govcard.ParamValue: {"uri"}}})
	if role := singleLine(c.Role); role != "" {
		card.SetValue(govcard.FieldTitle, role)
	}
	if c.Email != "" {
		card.Add(govcard.FieldEmail, &govcard.Field{Value: c.Email, Params: govcard.Params{govcard.ParamType: {govcard.TypeWork}}})
	}
	if c.Phone != "" {
		card.Add(govcard.FieldTelephone, &govcard.Field{
			Value:  telURI(c.Phone, "", org.CountryCode),
			Params: govcard.Params{govcard.ParamValue: {"uri"}, govcard.ParamType: {govcard.TypeWork, phoneType(c.Phone)}},
		})
	}
	for i, l := range c.Languages {
		card.Add(govcard.FieldLanguage, &govcard.Field{Value: l, Params: govcard.Params{govcard.ParamPreferred: {strconv.Itoa(min(i+1, 100))}}})
	}
	if org.Website != "" {
		card.Add(govcard.FieldURL, &govcard.Field{Value: org.Website, Params: govcard.Params{govcard.ParamType: {govcard.TypeWork}}})
	}
	if c.Visibility != directory.VisibilityPublic {
		note, ok := partnersOnlyNote[used]
		if !ok {
			note = partnersOnlyNote[directory.LangEN]
		}
		card.SetValue(govcard.FieldNote, note)
	}
	if !c.UpdatedAt.IsZero() {
		card.SetRevision(c.UpdatedAt.UTC()) // the library writes a "Z" whatever the zone
	}
	return card
}

// telURI is the RFC 3966 URI of a stored number and its extension ("" for
// none): a global number (E.164) as it is, and a short service number
// (112), which is dialled only within its country, with that country's
// calling code as its phone-context. The extension comes before
// phone-context (RFC 3966 section 3).
func telURI(number, extension, country string) string {
	uri := "tel:" + number
	if extension != "" {
		uri += ";ext=" + extension
	}
	if cc := phonenumbers.GetCountryCodeForRegion(country); !strings.HasPrefix(number, "+") && cc != 0 {
		uri += ";phone-context=+" + strconv.Itoa(cc)
	}
	return uri
}

// phoneType is "cell" for a mobile number and "voice" for any other, so
// address books label it and offer messaging where it makes sense.
func phoneType(e164 string) string {
	num, err := phonenumbers.Parse(e164, "")
	if err == nil && phonenumbers.GetNumberType(num) == phonenumbers.MOBILE {
		return govcard.TypeCell
	}
	return govcard.TypeVoice
}

// singleLine turns control characters (line breaks, tabs) into spaces. The
// library escapes LF but writes CR as is, and some importers end a line at
// a lone CR: a name must not be able to add properties to a card.
func singleLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

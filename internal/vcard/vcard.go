// Package vcard writes an organization's contacts as vCard 4.0 (RFC 6350),
// so that partners can import them into common address books (phones, mail
// clients, CardDAV servers). It formats with github.com/emersion/go-vcard
// and works around what that library does not escape.
package vcard

import (
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

// Write writes one vCard 4.0 per contact to w, in the order given, in UTF-8
// with CRLF line endings. Each card carries the contact's name (FN), role
// (TITLE), email, phone (a tel: URI), languages in order of preference, the
// organization's name in lang (ORG, falling back to the original language)
// and website, the contact's id (UID, a urn:uuid: URN) and last change
// (REV). The caller decides which contacts may be written: Write writes
// every one it gets. It returns only the errors of w.
func Write(w io.Writer, org *directory.Organization, contacts []directory.Contact, lang string) error {
	enc := govcard.NewEncoder(w)
	for i := range contacts {
		if err := enc.Encode(card(org, &contacts[i], lang)); err != nil {
			return fmt.Errorf("write vCard of contact %s: %w", contacts[i].ID, err)
		}
	}
	return nil
}

// card builds the vCard of one contact.
func card(org *directory.Organization, c *directory.Contact, lang string) govcard.Card {
	text, used := org.Text(lang)
	card := govcard.Card{}
	card.SetValue(govcard.FieldVersion, "4.0")
	card.SetValue(govcard.FieldProductID, productID)
	card.SetKind(govcard.KindIndividual)
	card.SetValue(govcard.FieldUID, "urn:uuid:"+c.ID)
	card.SetValue(govcard.FieldFormattedName, singleLine(c.Name))
	if name := singleLine(text.Name); name != "" {
		// ORG is a compound value (name;unit;unit) and the library escapes
		// commas but not semicolons, so a semicolon would start a unit.
		card.Set(govcard.FieldOrganization, &govcard.Field{
			Value:  strings.ReplaceAll(name, ";", ","),
			Params: govcard.Params{govcard.ParamLanguage: {used}},
		})
	}
	if role := singleLine(c.Role); role != "" {
		card.SetValue(govcard.FieldTitle, role)
	}
	if c.Email != "" {
		card.Add(govcard.FieldEmail, &govcard.Field{Value: c.Email, Params: govcard.Params{govcard.ParamType: {govcard.TypeWork}}})
	}
	if c.Phone != "" {
		card.Add(govcard.FieldTelephone, &govcard.Field{
			Value:  telURI(c.Phone, org.CountryCode),
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

// telURI is the RFC 3966 URI of a stored number: a global number (E.164)
// as it is, and a short service number (112), which is dialled only within
// its country, with that country's calling code as its phone-context.
func telURI(number, country string) string {
	cc := phonenumbers.GetCountryCodeForRegion(country)
	if strings.HasPrefix(number, "+") || cc == 0 {
		return "tel:" + number
	}
	return "tel:" + number + ";phone-context=+" + strconv.Itoa(cc)
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

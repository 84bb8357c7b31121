package vcard_test

import (
	"bytes"
	"cmp"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	govcard "github.com/emersion/go-vcard"

	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/geo"
	"github.com/coalition-directory/coalition/internal/vcard"
)

func testOrganization() *directory.Organization {
	return &directory.Organization{
		ID:               "0193b8a2-7c1e-7d4a-9f00-5b2c1e9a0c11",
		Slug:             "nadezhda",
		OriginalLanguage: directory.LangRU,
		Translations: map[string]directory.Text{
			directory.LangRU: {Name: "Центр «Надежда»"},
			directory.LangEN: {Name: "Hope Centre"},
		},
		Website:    "https://nadezhda.example.org",
		FocusAreas: []string{"hotline", "shelter"},
	}
}

func testContacts() []directory.Contact {
	return []directory.Contact{
		{
			ID:         "0193b8a2-7c1e-7d4a-9f00-000000000001",
			Name:       "Горячая линия",
			Role:       "Дежурный консультант",
			Email:      "hotline@nadezhda.example.org",
			Phone:      "+78002000001",
			Languages:  []string{"ru", "en", "uz"},
			Visibility: directory.VisibilityPublic,
			IsPrimary:  true,
			UpdatedAt:  time.Date(2026, 11, 25, 17, 30, 0, 0, time.FixedZone("MSK", 3*60*60)),
		},
		{
			ID:         "0193b8a2-7c1e-7d4a-9f00-000000000002",
			Name:       "Лебедева, Марина; координатор",
			Phone:      "+79201000004",
			Visibility: directory.VisibilityPartners,
		},
	}
}

// write runs Write with the embedded places and fails the test on an error.
func write(t *testing.T, org *directory.Organization, contacts []directory.Contact, lang string) []byte {
	t.Helper()
	places, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := vcard.Write(&buf, org, contacts, lang, places); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// decodeAll parses every card of raw with the library's decoder.
func decodeAll(t *testing.T, raw []byte) []govcard.Card {
	t.Helper()
	dec := govcard.NewDecoder(bytes.NewReader(raw))
	var cards []govcard.Card
	for {
		card, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			return cards
		}
		if err != nil {
			t.Fatalf("decode card %d: %v\n%s", len(cards)+1, err, raw)
		}
		cards = append(cards, card)
	}
}

func TestWriteRoundTrip(t *testing.T) {
	t.Parallel()
	contacts := testContacts()
	cards := decodeAll(t, write(t, testOrganization(), contacts, directory.LangEN))
	if len(cards) != 1+len(contacts) {
		t.Fatalf("got %d cards, want the organization's and %d", len(cards), len(contacts))
	}
	if got := cards[0].Kind(); got != govcard.KindOrganization {
		t.Errorf("the first card has KIND %q, want org", got)
	}
	cards = cards[1:]
	for i, card := range cards {
		if got := card.Value(govcard.FieldVersion); got != "4.0" {
			t.Errorf("card %d: VERSION %q, want 4.0", i, got)
		}
		if got, want := card.Value(govcard.FieldFormattedName), contacts[i].Name; got != want {
			t.Errorf("card %d: FN %q, want %q", i, got, want)
		}
		if got, want := card.Value(govcard.FieldUID), "urn:uuid:"+contacts[i].ID; got != want {
			t.Errorf("card %d: UID %q, want %q", i, got, want)
		}
		if got := card.Kind(); got != govcard.KindIndividual {
			t.Errorf("card %d: KIND %q", i, got)
		}
		org := card.Get(govcard.FieldOrganization)
		if org == nil || org.Value != "Hope Centre" || org.Params.Get(govcard.ParamLanguage) != "en" {
			t.Errorf("card %d: ORG %+v, want Hope Centre in en", i, org)
		}
		if got := card.Values(govcard.FieldURL); !slices.Equal(got, []string{"https://nadezhda.example.org"}) {
			t.Errorf("card %d: URL %q", i, got)
		}
		if got := card.Values(govcard.FieldRelated); !slices.Equal(got, []string{"urn:uuid:" + testOrganization().ID}) {
			t.Errorf("card %d: RELATED %q, want the organization's UID", i, got)
		}
	}

	hotline, person := cards[0], cards[1]
	if got := hotline.Value(govcard.FieldTitle); got != "Дежурный консультант" {
		t.Errorf("TITLE %q", got)
	}
	if got := hotline.Values(govcard.FieldEmail); !slices.Equal(got, []string{"hotline@nadezhda.example.org"}) {
		t.Errorf("EMAIL %q", got)
	}
	tel := hotline.Get(govcard.FieldTelephone)
	if tel == nil || tel.Value != "tel:+78002000001" || tel.Params.Get(govcard.ParamValue) != "uri" ||
		!tel.Params.HasType("work") || !tel.Params.HasType("voice") {
		t.Errorf("hotline TEL %+v, want a work voice tel: URI", tel)
	}
	if tel := person.Get(govcard.FieldTelephone); tel == nil || tel.Value != "tel:+79201000004" || !tel.Params.HasType("cell") {
		t.Errorf("mobile TEL %+v, want TYPE cell", tel)
	}
	var langs []string
	for _, f := range hotline[govcard.FieldLanguage] {
		langs = append(langs, f.Params.Get(govcard.ParamPreferred)+":"+f.Value)
	}
	if want := []string{"1:ru", "2:en", "3:uz"}; !slices.Equal(langs, want) {
		t.Errorf("LANG %v, want %v", langs, want)
	}
	rev, err := hotline.Revision()
	if want := time.Date(2026, 11, 25, 14, 30, 0, 0, time.UTC); err != nil || !rev.Equal(want) {
		t.Errorf("REV %v (%v), want %v", rev, err, want)
	}
	if got := hotline.Value(govcard.FieldNote); got != "" {
		t.Errorf("a public contact has NOTE %q", got)
	}
	if got := person.Value(govcard.FieldNote); !strings.Contains(got, "Partners-only") {
		t.Errorf("a partners-only contact has NOTE %q, want it to say so", got)
	}
	for _, field := range []string{govcard.FieldTitle, govcard.FieldEmail, govcard.FieldLanguage, govcard.FieldRevision} {
		if person[field] != nil {
			t.Errorf("the contact without %s has %s %q", field, field, person.Values(field))
		}
	}
}

func TestWriteFormat(t *testing.T) {
	t.Parallel()
	raw := write(t, testOrganization(), testContacts(), directory.LangRU)
	if !utf8.Valid(raw) {
		t.Fatal("output is not UTF-8")
	}
	text := string(raw)
	if !strings.HasPrefix(text, "BEGIN:VCARD\r\nVERSION:4.0\r\n") || !strings.HasSuffix(text, "END:VCARD\r\n") {
		t.Errorf("cards do not start with BEGIN and VERSION 4.0 and end with END:\n%s", text)
	}
	if n := strings.Count(text, "\n"); n != strings.Count(text, "\r\n") {
		t.Errorf("%d line feeds, only %d after a CR", n, strings.Count(text, "\r\n"))
	}
	for _, want := range []string{
		"\r\nFN:Горячая линия\r\n",                       // Cyrillic as it is: no encoding, no CHARSET
		"\r\nFN:Лебедева\\, Марина; координатор\r\n",     // commas escaped
		"\r\nORG;LANGUAGE=ru:Центр «Надежда»\r\n",        // in the requested language
		"\r\nNOTE:Контакт только для партнёров коалиции", // in the language of ORG
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
}

func TestWriteOrgLanguage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, lang, wantOrg, wantLang string
		translations                  map[string]directory.Text
		wantFN                        string // when not wantOrg
	}{
		{"requested language", "en", "Hope Centre", "en", nil, ""},
		{"original language when none is asked for", "", "Центр «Надежда»", "ru", nil, ""},
		{"falls back to the original", "en", "Объединённые усилия", "ru",
			map[string]directory.Text{directory.LangRU: {Name: "Объединённые усилия"}}, ""},
		{"a semicolon does not start an org unit", "ru", "Альфа, Омега", "ru",
			map[string]directory.Text{directory.LangRU: {Name: "Альфа; Омега"}}, "Альфа; Омега"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			org := testOrganization()
			if tt.translations != nil {
				org.Translations = tt.translations
			}
			cards := decodeAll(t, write(t, org, testContacts()[:1], tt.lang))
			for i, card := range cards {
				f := card.Get(govcard.FieldOrganization)
				if f == nil || f.Value != tt.wantOrg || f.Params.Get(govcard.ParamLanguage) != tt.wantLang {
					t.Errorf("card %d: ORG %+v, want %q in %s", i, f, tt.wantOrg, tt.wantLang)
				}
			}
			// The organization's own card is named the same (RFC 6350 section 6.1.4).
			wantFN := cmp.Or(tt.wantFN, tt.wantOrg)
			if f := cards[0].Get(govcard.FieldFormattedName); f == nil || f.Value != wantFN || f.Params.Get(govcard.ParamLanguage) != tt.wantLang {
				t.Errorf("organization FN %+v, want %q in %s", f, wantFN, tt.wantLang)
			}
		})
	}
}

func TestWriteControlCharactersCannotAddProperties(t *testing.T) {
	t.Parallel()
	c := testContacts()[1]
	c.Name = "Мария\r\nEMAIL:evil@example.org\rTEL:+10000000000\nX"
	c.Role = "Юрист\tконсультант"
	raw := write(t, testOrganization(), []directory.Contact{c}, "")
	if i := bytes.IndexFunc(raw, func(r rune) bool { return r == '\r' }); i >= 0 && !bytes.HasPrefix(raw[i:], []byte("\r\n")) {
		t.Errorf("a lone CR at byte %d:\n%q", i, raw)
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if strings.Contains(line, "\r") || strings.Contains(line, "\n") {
			t.Errorf("line %q holds a line break", line)
		}
	}
	cards := decodeAll(t, raw)
	if len(cards) != 2 {
		t.Fatalf("got %d cards, want the organization's and the contact's", len(cards))
	}
	cards = cards[1:]
	if got := cards[0].Values(govcard.FieldEmail); got != nil {
		t.Errorf("the name added EMAIL %q", got)
	}
	if got := cards[0].Values(govcard.FieldTelephone); len(got) != 1 {
		t.Errorf("TEL %q, want only the contact's own", got)
	}
	if got, want := cards[0].Value(govcard.FieldFormattedName), "Мария  EMAIL:evil@example.org TEL:+10000000000 X"; got != want {
		t.Errorf("FN %q, want %q", got, want)
	}
	if got := cards[0].Value(govcard.FieldTitle); got != "Юрист консультант" {
		t.Errorf("TITLE %q", got)
	}
}

// TestWriteOrganizationCard checks the organization's own card (RFC 6350
// section 6.1.4), which comes first even without contacts, so that the file
// is a valid vCard (section 3.3: 1*vcard) with the organization's numbers.
func TestWriteOrganizationCard(t *testing.T) {
	t.Parallel()
	org := testOrganization()
	org.Acronym = "ЦН"
	org.Email = "info@nadezhda.example.org"
	org.CountryCode, org.RegionCode, org.City = "RU", "RU-NIZ", "Нижний Новгород"
	org.Address = "ул. Примерная, д. 1; офис 2"
	org.Languages = []string{"ru", "en"}
	org.Phones = []directory.Phone{
		{Number: "+78312000000", Extension: "123", Kind: directory.PhoneOffice},
		{Number: "+79201000004", Kind: directory.PhoneMobile},
		{Number: "112", Kind: directory.PhoneHotline},
	}
	org.UpdatedAt = time.Date(2026, 11, 25, 17, 30, 0, 0, time.FixedZone("MSK", 3*60*60))

	raw := write(t, org, nil, directory.LangEN)
	cards := decodeAll(t, raw)
	if len(cards) != 1 {
		t.Fatalf("got %d cards, want the organization's alone:\n%s", len(cards), raw)
	}
	card := cards[0]
	for field, want := range map[string]string{
		govcard.FieldVersion:       "4.0",
		govcard.FieldKind:          "org",
		govcard.FieldUID:           "urn:uuid:" + org.ID,
		govcard.FieldFormattedName: "Hope Centre",
		govcard.FieldOrganization:  "Hope Centre",
		govcard.FieldNickname:      "ЦН",
		govcard.FieldEmail:         "info@nadezhda.example.org",
		govcard.FieldURL:           "https://nadezhda.example.org",
	} {
		if got := card.Value(field); got != want {
			t.Errorf("%s %q, want %q", field, got, want)
		}
	}
	var tels []string
	for _, f := range card[govcard.FieldTelephone] {
		tels = append(tels, f.Value+" "+strings.Join(f.Params.Types(), ","))
	}
	if want := []string{
		"tel:+78312000000;ext=123 work,voice", // RFC 3966: the extension in the URI
		"tel:+79201000004 work,cell",
		"tel:112;phone-context=+7 work,voice",
	}; !slices.Equal(tels, want) {
		t.Errorf("TEL %q, want %q", tels, want)
	}
	adr := card.Address()
	if adr == nil {
		t.Fatal("no ADR")
	}
	if got, want := *adr, (govcard.Address{Field: adr.Field, StreetAddress: "ул. Примерная, д. 1, офис 2",
		Locality: "Нижний Новгород", Region: "Nizhny Novgorod", Country: "Russia"}); got != want {
		t.Errorf("ADR %+v, want %+v", got, want)
	}
	if got := card.Values(govcard.FieldLanguage); !slices.Equal(got, []string{"ru", "en"}) {
		t.Errorf("LANG %q", got)
	}
	if rev, err := card.Revision(); err != nil || !rev.Equal(org.UpdatedAt) {
		t.Errorf("REV %v (%v), want %v", rev, err, org.UpdatedAt)
	}

	// A hidden address, cleared for the caller, leaves the rest of the place.
	org.Address = ""
	adr = decodeAll(t, write(t, org, nil, directory.LangRU))[0].Address()
	if adr == nil || adr.StreetAddress != "" || adr.Locality != "Нижний Новгород" || adr.Country != "Россия" {
		t.Errorf("ADR without the street address %+v", adr)
	}
	// Nothing to say of the place: no ADR at all.
	org.CountryCode, org.RegionCode, org.City = "", "", ""
	if got := decodeAll(t, write(t, org, nil, directory.LangRU))[0].Values(govcard.FieldAddress); got != nil {
		t.Errorf("ADR %q without a place", got)
	}
}

// TestWriteShortNumber checks that a short service number, stored as
// dialled, is a local tel URI with its country's phone-context (RFC 3966
// section 5.1.5), and a global number is as it is.
func TestWriteShortNumber(t *testing.T) {
	t.Parallel()
	org := testOrganization()
	org.CountryCode = "RU"
	contacts := []directory.Contact{
		{ID: "0193b8a2-7c1e-7d4a-9f00-5b2c1e9a0c21", Name: "Экстренные службы", Phone: "112", Visibility: directory.VisibilityPublic},
		{ID: "0193b8a2-7c1e-7d4a-9f00-5b2c1e9a0c22", Name: "Приёмная", Phone: "+78312000099", Visibility: directory.VisibilityPublic},
	}
	text := string(write(t, org, contacts, directory.LangRU))
	for _, want := range []string{":tel:112;phone-context=+7\r\n", ":tel:+78312000099\r\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
}

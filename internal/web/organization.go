package web

import (
	"bytes"
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/vcard"
)

// link is a labelled URL.
type link struct {
	URL   string
	Label string
}

// phoneView is a phone number with a tel: link.
type phoneView struct {
	Number          string
	Kind            string
	Description     string
	DescriptionLang string // the language of Description when not the page's
}

// contactView is a person or desk at an organization.
type contactView struct {
	Name         string
	NameLang     string // the language of Name, by its script, when not the page's
	Role         string
	RoleLang     string // the language of Role, by its script, when not the page's
	Email        string
	Phone        string
	PartnersOnly bool
	Primary      bool
}

// organizationView is an organization's page.
type organizationView struct {
	page
	Name           string
	NameLang       string // the language of Name when it is not the page's
	Acronym        string
	AcronymLang    string // the language of Acronym when not the name's
	Description    string
	DescLang       string // the language of Description when not the page's
	Status         string
	MemberSince    string
	Place          placeText
	Country        link
	Region         link
	Address        string
	AddressLang    string // the language of Address when not the page's
	AddressHidden  bool   // hidden from the visitor (partners see it)
	FocusAreas     []link
	ServiceRegions []link
	Website        string
	Email          string
	Phones         []phoneView
	Languages      []string
	Contacts       []contactView
	VCard          string
	Verified       string
}

func (h *Handler) handleOrganization(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	caller := callerOf(r)
	// The organization and the focus areas' labels: one data version asked.
	ctx := directory.WithSharedVersion(r.Context())
	org, err := h.dir.Organization(ctx, r.PathValue("slug"), caller)
	if directory.ErrorCode(err) == directory.CodeNotFound {
		h.handleNotFound(w, r)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	areas, err := h.dir.Vocabulary(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	text, used := org.Text(lang)
	description := truncate(cmp.Or(text.Description, h.msgs.text(lang, "site.tagline")), 160)
	v := &organizationView{
		page:        h.newPageAt(r, lang, text.Name+" — "+h.msgs.text(lang, "site.name"), description, "/org/"+org.Slug),
		Name:        text.Name,
		Acronym:     org.Acronym,
		Description: text.Description,
		Status:      org.MembershipStatus.Label(lang),
		Place:       h.place(&org, lang),
		Address:     org.Address,
		AddressLang: partLang(scriptLang(org.Address), lang),
		Website:     org.Website,
		Email:       org.Email,
		Languages:   org.Languages,
		VCard:       "/api/v1/organizations/" + org.Slug + "/contacts.vcf?lang=" + lang,
	}
	if caller.SeesPrivate() {
		// The key-only API would leave out the partners-only contacts.
		v.VCard = langPrefix(lang) + "/org/" + org.Slug + "/contacts.vcf"
	}
	v.NameLang, v.DescLang = partLang(used, lang), partLang(descriptionLang(&org, used), lang)
	// The acronym stands in the heading, whose language is the name's.
	v.AcronymLang = partLang(scriptLang(org.Acronym), cmp.Or(v.NameLang, lang))
	if org.MemberSince != "" {
		v.MemberSince = v.Tf("org.member_since", org.MemberSince[:4])
	}
	if org.VerifiedAt != nil {
		v.Verified = v.Tf("org.verified", org.VerifiedAt.UTC().Format(time.DateOnly))
	}
	v.AddressHidden = org.AddressHidden && !caller.SeesPrivate()
	v.ServiceRegions = make([]link, 0, len(org.ServiceRegions))
	v.FocusAreas = make([]link, 0, len(org.FocusAreas))
	v.Phones = make([]phoneView, 0, len(org.Phones))
	v.Contacts = make([]contactView, 0, len(org.Contacts))
	places := h.dir.Places()
	if c, ok := places.Country(org.CountryCode); ok {
		v.Country = link{URL: langPrefix(lang) + "/country/" + c.Code, Label: c.Name(lang)}
	}
	if reg, ok := places.Region(org.RegionCode); ok {
		v.Region = link{URL: langPrefix(lang) + "/?region=" + reg.Code + "#results", Label: reg.Name(lang)}
	}
	for _, code := range org.ServiceRegions {
		if reg, ok := places.Region(code); ok {
			v.ServiceRegions = append(v.ServiceRegions, link{URL: langPrefix(lang) + "/?region=" + reg.Code + "#results", Label: reg.Name(lang)})
		}
	}
	for _, f := range org.FocusAreas {
		label := f // a slug the vocabulary lost since: shown as it is
		if i := slices.IndexFunc(areas, func(a directory.FocusArea) bool { return a.Slug == f }); i >= 0 {
			label = areas[i].Label(lang)
		}
		v.FocusAreas = append(v.FocusAreas, link{URL: langPrefix(lang) + "/?focus_area=" + f + "#results", Label: label})
	}
	for _, p := range org.Phones {
		v.Phones = append(v.Phones, phoneView{Number: p.Number, Kind: h.msgs.text(lang, "phone."+string(p.Kind)), Description: p.Description,
			DescriptionLang: partLang(scriptLang(p.Description), lang)})
	}
	for _, c := range org.Contacts {
		v.Contacts = append(v.Contacts, contactView{Name: c.Name, Role: c.Role, Email: c.Email, Phone: c.Phone,
			NameLang: partLang(scriptLang(c.Name), lang), RoleLang: partLang(scriptLang(c.Role), lang),
			PartnersOnly: c.Visibility == directory.VisibilityPartners, Primary: c.IsPrimary})
	}
	h.render(w, r, http.StatusOK, "organization", organizationPage(v))
}

// handleVCard exports the contacts a signed-in partner sees, partners-only
// ones too, which the key-only API would not give a browser; anonymous
// visitors get the public contacts, as from the API.
func (h *Handler) handleVCard(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	org, err := h.dir.Organization(r.Context(), r.PathValue("slug"), callerOf(r))
	if directory.ErrorCode(err) == directory.CodeNotFound {
		h.handleNotFound(w, r)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body bytes.Buffer
	if err := vcard.Write(&body, &org, org.Contacts, lang, h.dir.Places()); err != nil {
		h.fail(w, r, fmt.Errorf("write contacts of %s as vCard: %w", org.ID, err))
		return
	}
	w.Header().Set("Content-Type", vcard.MediaType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+org.Slug+`.vcf"`)
	w.Write(body.Bytes())
}

// regionRow is a region with its count, linking to the filtered list.
type regionRow struct {
	Code  string
	Name  string
	Count int
	URL   string
}

// countryView is a country's page: its regions with their counts.
type countryView struct {
	page
	Name    string
	Count   int
	ListURL string
	Regions []regionRow
}

func (h *Handler) handleCountry(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	ctx := directory.WithSharedVersion(r.Context()) // the country and its regions: one data version asked
	c, err := h.dir.Country(ctx, r.PathValue("code"))
	if directory.ErrorCode(err) == directory.CodeNotFound {
		h.handleNotFound(w, r)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	regions, err := h.dir.Regions(ctx, c.Code)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	name := c.Name(lang)
	p := h.newPageAt(r, lang, "", "", "/country/"+c.Code)
	p.Title = p.Tf("country.title", name)
	p.Description = p.Tf("country.description", name)
	v := &countryView{page: p, Name: name, Count: c.Count, ListURL: langPrefix(lang) + "/?country=" + c.Code + "#results"}
	for _, reg := range regions {
		v.Regions = append(v.Regions, regionRow{Code: reg.Code, Name: reg.Name(lang), Count: reg.Count,
			URL: langPrefix(lang) + "/?region=" + reg.Code + "#results"})
	}
	slices.SortFunc(v.Regions, func(a, b regionRow) int { return strings.Compare(a.Name, b.Name) })
	h.render(w, r, http.StatusOK, "country", countryPage(v))
}

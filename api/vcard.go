package api

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/vcard"
)

// handleContactsVCard exports an organization's own card and its contacts
// as vCard 4.0.
//
//	@Summary		Export the organization and its contacts as vCard
//	@Description	The organization and the contacts of it the caller may see, as vCard 4.0 (RFC 6350), for import into address books. The first card is always the organization's own (KIND:org, RFC 6350 section 6.1.4), so the file is never empty: FN and ORG its name in the chosen language, falling back to the original; NICKNAME its acronym; its phones (TEL, tel: URIs), email, website and address (ADR: street address, city, region and country named in the chosen language), its working languages, UID (urn:uuid: and its id) and REV. One card per contact follows, primary first: ORG the organization's name, RELATED the organization's UID. Privacy follows the caller as in the JSON: anonymous callers get public contacts only and no hidden address (ADR then has no street address); partners and above get partners-only contacts too, marked as such in NOTE, and the hidden address.
//	@ID				exportContactsVCard
//	@Tags			contacts
//	@Produce		text/vcard,application/problem+json
//	@Security		bearer
//	@x-key-optional	true
//	@Param			id		path		string				true	"Organization UUID or slug"																						example(nadezhda-nizhny-novgorod)
//	@Param			lang	query		string				false	"Language of the answer: names, descriptions and labels (else Accept-Language, else the server's default, ru)"	Enums(ru, en)	example(en)
//	@Success		200		{string}	string				"vCard 4.0: the organization's card, then one per contact"
//	@Header			200		{string}	Content-Disposition	"An attachment named after the organization's slug: <slug>.vcf"
//	@Header			200		{string}	ETag				"Entity tag for If-None-Match"
//	@Header			200		{string}	Content-Language	"The answer's language: lang, else Accept-Language, else the server's default"
//	@Success		304		"Not modified (If-None-Match)"
//	@Success		301		"The organization had this slug before: Location is the same route under its current slug"
//	@Header			301		{string}	Location	"The same route and query under the organization's current slug"
//	@Failure		400		{object}	Problem		"Invalid lang"
//	@Failure		401		{object}	Problem		"An unknown or revoked key"
//	@Failure		404		{object}	Problem		"No such organization"
//	@Failure		429		{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429		{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		413		{object}	Problem		"The request body is over 1 MiB"
//	@Failure		500		{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Router			/api/v1/organizations/{id}/contacts.vcf [get]
func handleContactsVCard(dir *directory.Service, langs languages) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang, err := langParam(c)
		if err != nil {
			return err
		}
		org, err := dir.Organization(c.Request().Context(), c.Param("id"), callerOf(c))
		if err != nil {
			return movedOrganization(c, dir, err)
		}
		lang = langs.negotiate(c, lang)
		var body bytes.Buffer
		if err := vcard.Write(&body, &org, org.Contacts, lang, dir.Places()); err != nil {
			return fmt.Errorf("write contacts of %s as vCard: %w", org.ID, err)
		}
		// Slugs are lower-case latin letters, digits and hyphens: safe to quote as is.
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+org.Slug+`.vcf"`)
		return c.Blob(http.StatusOK, vcard.MediaType, body.Bytes())
	}
}

package api

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/coalition-directory/coalition/internal/directory"
)

// handleOrganizationCreate adds an organization.
//
//	@Summary		Create an organization
//	@Description	Validates every field and reports all problems at once, each naming its field. A missing slug is made from the name (Cyrillic transliterated) and numbered when taken; a given slug that is taken is 409.
//	@ID				createOrganization
//	@Tags			organizations
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@Param			organization	body		OrganizationWrite	true	"The organization"
//	@Param			lang			query		string				false	"Language of the answer: names, descriptions and labels (else Accept-Language, else the server's default, ru)"	Enums(ru, en)	example(en)
//	@Success		201				{object}	Organization
//	@Header			201				{string}	Location			"URL of the new organization"
//	@Header			201				{string}	ETag				"Strong entity tag of the new version, for If-Match"
//	@Header			201				{string}	Content-Language	"The answer's language: lang, else Accept-Language, else the server's default"
//	@Failure		400				{object}	Problem				"Malformed JSON, unknown fields or invalid values; errors name the fields"
//	@Failure		401				{object}	Problem				"No key, or an unknown or revoked key"
//	@Failure		403				{object}	Problem				"The key's role is below editor"
//	@Failure		409				{object}	Problem				"The slug is taken"
//	@Failure		413				{object}	Problem				"The body is over 1 MiB"
//	@Failure		415				{object}	Problem				"The body is not application/json"
//	@Failure		429				{object}	Problem				"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429				{integer}	Retry-After			"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		500				{object}	Problem				"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Failure		507				{object}	Problem				"The database's storage is full: an operator must free space"
//	@Router			/api/v1/organizations [post]
func handleOrganizationCreate(dir *directory.Service, langs languages) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang, err := langParam(c)
		if err != nil {
			return err
		}
		body, err := readBody(c, echo.MIMEApplicationJSON)
		if err != nil {
			return err
		}
		var w OrganizationWrite
		found, err := decodeWrite(body, &w)
		if err != nil {
			return err
		}
		org, unread := w.toDomain()
		caller := callerOf(c)
		if found = append(found, unread...); len(found) > 0 {
			return dir.CheckOrganization(c.Request().Context(), caller, org, found)
		}
		created, err := dir.CreateOrganization(c.Request().Context(), caller, org)
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderLocation, "/api/v1/organizations/"+created.ID)
		lang = langs.negotiate(c, lang)
		return writeVersioned(c, http.StatusCreated, created.Version, organizationView(&created, lang, dir, caller))
	}
}

// handleOrganizationUpdate changes an organization by JSON merge patch.
//
//	@Summary		Update an organization
//	@Description	The body is a JSON merge patch (RFC 7396) of OrganizationWrite: fields present replace the stored ones, null removes them (null on slug, original_language or membership_status resets it to its default: the slug made from the name, ru, member). A patch applies whole or not at all: a member that names no field (names are case-sensitive) or the translation of the original language (whose text is name and description) is a 400 naming it. With If-Match (a list of ETags of this organization) the update applies only to a version one of them names, else 412 with the current ETag; If-None-Match works the other way round; without either it applies to the current version. An update that changes nothing writes nothing.
//	@ID				updateOrganization
//	@Tags			organizations
//	@Accept			json,application/merge-patch+json
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@Param			id				path		string				true	"UUID or slug"																																											example(nadezhda-nizhny-novgorod)
//	@Param			If-Match		header		string				false	"Entity tags of the versions the change may apply to: * or a list; any strong tag this API sent for a version names it, whatever language or caller it was sent to, a weak tag none"	example("v3-9xQ2bT0cRkLm4sPa")
//	@Param			If-None-Match	header		string				false	"Entity tags of versions the change must not apply to: * (any) or a list, compared weakly"																								example("v3-9xQ2bT0cRkLm4sPa")
//	@Param			lang			query		string				false	"Language of the answer: names, descriptions and labels (else Accept-Language, else the server's default, ru)"																			Enums(ru, en)	example(en)
//	@Param			patch			body		OrganizationWrite	true	"A JSON merge patch of OrganizationWrite: fields present replace, null removes"
//	@Success		200				{object}	Organization
//	@Header			200				{string}	ETag				"Strong entity tag of the new version"
//	@Header			200				{string}	Content-Language	"The answer's language: lang, else Accept-Language, else the server's default"
//	@Failure		400				{object}	Problem				"Malformed JSON, unknown fields or invalid values; errors name the fields"
//	@Failure		401				{object}	Problem				"No key, or an unknown or revoked key"
//	@Failure		403				{object}	Problem				"The key's role is below editor"
//	@Failure		404				{object}	Problem				"No such live organization"
//	@Failure		409				{object}	Problem				"The slug is taken"
//	@Failure		412				{object}	Problem				"If-Match lists no strong tag of the current version, or If-None-Match lists it, or either is not an entity-tag list; ETag is the current one, as a GET gets it"
//	@Header			412				{string}	ETag				"The current version's entity tag"
//	@Failure		413				{object}	Problem				"The body is over 1 MiB"
//	@Failure		415				{object}	Problem				"The body is not JSON"
//	@Failure		429				{object}	Problem				"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429				{integer}	Retry-After			"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		500				{object}	Problem				"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Failure		507				{object}	Problem				"The database's storage is full: an operator must free space"
//	@Router			/api/v1/organizations/{id} [patch]
func handleOrganizationUpdate(dir *directory.Service, langs languages) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang, err := langParam(c)
		if err != nil {
			return err
		}
		caller := callerOf(c)
		lang = langs.negotiate(c, lang)
		pre, err := precondition(c)
		if err != nil {
			return withCurrentTag(c, err, currentOrganization(c, dir, caller, lang))
		}
		patch, err := readBody(c, echo.MIMEApplicationJSON, "application/merge-patch+json")
		if err != nil {
			return err
		}
		updated, err := dir.UpdateOrganization(c.Request().Context(), caller, c.Param("id"), pre,
			func(o *directory.Organization) error {
				var w OrganizationWrite
				found, err := applyPatch(toOrganizationWrite(o), patch, &w)
				if err != nil {
					return err
				}
				if err := checkOriginalTranslation(o.OriginalLanguage, patch); err != nil {
					return err
				}
				next, unread := w.toDomain()
				if found = append(found, unread...); len(found) > 0 {
					return dir.CheckOrganization(c.Request().Context(), caller, next, found)
				}
				*o = next
				return nil
			})
		if err != nil {
			return withCurrentTag(c, err, currentOrganization(c, dir, caller, lang))
		}
		return writeOrganization(c, http.StatusOK, dir, caller, lang, updated)
	}
}

// handleOrganizationArchive archives an organization.
//
//	@Summary		Archive an organization
//	@Description	Soft deletion: the organization disappears from lists, search, counts and lookups for everyone but admins, who can list archived organizations and restore them. Its history stays. If-Match works as for updates.
//	@ID				archiveOrganization
//	@Tags			organizations
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@Param			id				path	string	true	"UUID or slug"																																											example(nadezhda-nizhny-novgorod)
//	@Param			If-Match		header	string	false	"Entity tags of the versions the change may apply to: * or a list; any strong tag this API sent for a version names it, whatever language or caller it was sent to, a weak tag none"	example("v3-9xQ2bT0cRkLm4sPa")
//	@Param			If-None-Match	header	string	false	"Entity tags of versions the change must not apply to: * (any) or a list, compared weakly"																								example("v3-9xQ2bT0cRkLm4sPa")
//	@Success		204				"Archived"
//	@Failure		400				{object}	Problem		"A query parameter that this route does not take; errors name each"
//	@Failure		401				{object}	Problem		"No key, or an unknown or revoked key"
//	@Failure		403				{object}	Problem		"The key's role is below editor"
//	@Failure		404				{object}	Problem		"No such live organization"
//	@Failure		412				{object}	Problem		"If-Match lists no strong tag of the current version, or If-None-Match lists it, or either is not an entity-tag list; ETag is the current one, as a GET gets it"
//	@Header			412				{string}	ETag		"The current version's entity tag"
//	@Failure		413				{object}	Problem		"The request body is over 1 MiB"
//	@Failure		429				{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429				{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		500				{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Failure		507				{object}	Problem		"The database's storage is full: an operator must free space"
//	@Router			/api/v1/organizations/{id} [delete]
func handleOrganizationArchive(dir *directory.Service, langs languages) echo.HandlerFunc {
	return func(c echo.Context) error {
		caller := callerOf(c)
		current := currentOrganization(c, dir, caller, langs.pick(c, ""))
		pre, err := precondition(c)
		if err != nil {
			return withCurrentTag(c, err, current)
		}
		if _, err := dir.ArchiveOrganization(c.Request().Context(), caller, c.Param("id"), pre); err != nil {
			return withCurrentTag(c, err, current)
		}
		return c.NoContent(http.StatusNoContent)
	}
}

// handleOrganizationRestore restores an archived organization.
//
//	@Summary		Restore an archived organization
//	@Description	It comes back under its old slug, or under the new slug the body gives: needed when a live organization has taken the old one meanwhile (409 otherwise, which names a free slug). A slug it had before then answers 301 to the new one.
//	@ID				restoreOrganization
//	@Tags			organizations
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@Param			id				path	string			true	"UUID"																																													example(3e98c4f6-40e1-4c96-9f1c-9935719f9212)
//	@Param			If-Match		header	string			false	"Entity tags of the versions the change may apply to: * or a list; any strong tag this API sent for a version names it, whatever language or caller it was sent to, a weak tag none"	example("v3-9xQ2bT0cRkLm4sPa")
//	@Param			If-None-Match	header	string			false	"Entity tags of versions the change must not apply to: * (any) or a list, compared weakly"																								example("v3-9xQ2bT0cRkLm4sPa")
//	@Param			lang			query	string			false	"Language of the answer: names, descriptions and labels (else Accept-Language, else the server's default, ru)"																			Enums(ru, en)	example(en)
//	@Param			restore			body	RestoreRequest	false	"Optional: a new slug to restore under"
//	@Accept			json
//	@Success		200	{object}	Organization
//	@Header			200	{string}	ETag				"Strong entity tag of the new version"
//	@Header			200	{string}	Content-Language	"The answer's language: lang, else Accept-Language, else the server's default"
//	@Failure		400	{object}	Problem				"Invalid lang, body or slug; errors name the field"
//	@Failure		401	{object}	Problem				"No key, or an unknown or revoked key"
//	@Failure		403	{object}	Problem				"The key's role is below admin"
//	@Failure		404	{object}	Problem				"No such organization"
//	@Failure		409	{object}	Problem				"Not archived, or a live organization has the slug (the problem names a free one to restore under with a body such as {\"slug\": \"...\"})"
//	@Failure		413	{object}	Problem				"The body is over 1 MiB"
//	@Failure		415	{object}	Problem				"The body is not application/json"
//	@Failure		412	{object}	Problem				"If-Match lists no strong tag of the current version, or If-None-Match lists it, or either is not an entity-tag list; ETag is the current one, as a GET gets it"
//	@Header			412	{string}	ETag				"The current version's entity tag"
//	@Failure		429	{object}	Problem				"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429	{integer}	Retry-After			"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		500	{object}	Problem				"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Failure		507	{object}	Problem				"The database's storage is full: an operator must free space"
//	@Router			/api/v1/organizations/{id}/restore [post]
func handleOrganizationRestore(dir *directory.Service, langs languages) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang, err := langParam(c)
		if err != nil {
			return err
		}
		caller := callerOf(c)
		lang = langs.negotiate(c, lang)
		pre, err := precondition(c)
		if err != nil {
			return withCurrentTag(c, err, currentOrganization(c, dir, caller, lang))
		}
		var req RestoreRequest
		if c.Request().ContentLength != 0 {
			body, err := readBody(c, echo.MIMEApplicationJSON)
			if err != nil {
				return err
			}
			if err := decodeStrict(body, &req); err != nil {
				return err
			}
		}
		org, err := dir.RestoreOrganization(c.Request().Context(), caller, c.Param("id"), pre, req.Slug)
		if err != nil {
			return withCurrentTag(c, err, currentOrganization(c, dir, caller, lang))
		}
		return writeOrganization(c, http.StatusOK, dir, caller, lang, org)
	}
}

// RestoreRequest is the optional body of a restore.
type RestoreRequest struct {
	// Slug is a new slug to restore the organization under, for when a live
	// organization has taken its old one; the old slug then redirects to it
	// as long as no live organization has it.
	Slug string `json:"slug,omitempty" example:"nadezhda-nizhny-novgorod-2"`
} //	@name	RestoreRequest

// writeOrganization answers a write with the organization written, as a GET
// by the same caller in lang shows it now, and its ETag.
func writeOrganization(c echo.Context, status int, dir *directory.Service, caller directory.Caller, lang string, org directory.Organization) error {
	contacts, err := dir.Contacts(c.Request().Context(), caller, org.ID)
	if err != nil {
		return err
	}
	org.Contacts = contacts
	return writeVersioned(c, status, org.Version, organizationView(&org, lang, dir, caller))
}

// currentOrganization renders the organization a write is aimed at as a
// GET by caller in lang shows it, for the ETag of a 412.
func currentOrganization(c echo.Context, dir *directory.Service, caller directory.Caller, lang string) func() (int, any, error) {
	return func() (int, any, error) {
		org, err := dir.Organization(c.Request().Context(), c.Param("id"), caller)
		if err != nil {
			return 0, nil, err
		}
		return org.Version, organizationView(&org, lang, dir, caller), nil
	}
}

// checkOriginalTranslation refuses a merge patch that names the translation
// of the original language while keeping that language: the original's
// text is name and description, which the write shape does not repeat under
// translations, so a null there would remove nothing and be lost. Changing
// original_language to a language whose translation the patch removes is
// allowed: that text becomes name and description.
func checkOriginalTranslation(original string, patch []byte) error {
	var p struct {
		OriginalLanguage *string                    `json:"original_language"`
		Translations     map[string]json.RawMessage `json:"translations"`
	}
	if json.Unmarshal(patch, &p) != nil {
		return nil // applyPatch has named the problem
	}
	if _, named := p.Translations[original]; !named {
		return nil
	}
	if p.OriginalLanguage != nil && *p.OriginalLanguage != original {
		return nil
	}
	return invalid("invalid merge patch", "translations."+original,
		"is the original language, whose text is name and description: patch those, or change original_language")
}

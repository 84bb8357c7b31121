package api

import (
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
//	@Security		BearerAuth
//	@Param			organization	body		OrganizationWrite	true	"The organization"
//	@Param			lang			query		string				false	"Language of name and description in the response"	Enums(ru, en)
//	@Success		201				{object}	Organization
//	@Header			201				{string}	Location	"URL of the new organization"
//	@Header			201				{string}	ETag		"Strong entity tag of the new version, for If-Match"
//	@Failure		400				{object}	Problem		"Malformed JSON, unknown fields or invalid values; errors name the fields"
//	@Failure		401				{object}	Problem		"No key, or an unknown or revoked key"
//	@Failure		403				{object}	Problem		"The key's role is below editor"
//	@Failure		409				{object}	Problem		"The slug is taken"
//	@Failure		413				{object}	Problem		"The body is over 1 MiB"
//	@Failure		415				{object}	Problem		"The body is not application/json"
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
		if err := decodeStrict(body, &w); err != nil {
			return err
		}
		org, err := w.toDomain()
		if err != nil {
			return err
		}
		caller := callerOf(c)
		created, err := dir.CreateOrganization(c.Request().Context(), caller, org)
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderLocation, "/api/v1/organizations/"+created.ID)
		lang = langs.negotiate(c, lang)
		return writeVersioned(c, http.StatusCreated, created.Version, toOrganization(&created, lang, dir, caller))
	}
}

// handleOrganizationUpdate changes an organization by JSON merge patch.
//
//	@Summary		Update an organization
//	@Description	The body is a JSON merge patch (RFC 7396) of OrganizationWrite: fields present replace the stored ones, null removes them. With If-Match (an ETag of this organization) the update applies only to that version, else 412 with the current ETag; without If-Match it applies to the current version. An update that changes nothing writes nothing.
//	@ID				updateOrganization
//	@Tags			organizations
//	@Accept			json,application/merge-patch+json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id			path		string	true	"UUID or slug"
//	@Param			If-Match	header		string	false	"ETag of the version the change is based on"
//	@Param			lang		query		string	false	"Language of name and description in the response"	Enums(ru, en)
//	@Param			patch		body		object	true	"Merge patch of OrganizationWrite fields"
//	@Success		200			{object}	Organization
//	@Header			200			{string}	ETag	"Strong entity tag of the new version"
//	@Failure		400			{object}	Problem	"Malformed JSON, unknown fields or invalid values; errors name the fields"
//	@Failure		401			{object}	Problem	"No key, or an unknown or revoked key"
//	@Failure		403			{object}	Problem	"The key's role is below editor"
//	@Failure		404			{object}	Problem	"No such live organization"
//	@Failure		409			{object}	Problem	"The slug is taken"
//	@Failure		412			{object}	Problem	"If-Match names another version; ETag has the current one"
//	@Failure		413			{object}	Problem	"The body is over 1 MiB"
//	@Failure		415			{object}	Problem	"The body is not JSON"
//	@Router			/api/v1/organizations/{id} [patch]
func handleOrganizationUpdate(dir *directory.Service, langs languages) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang, err := langParam(c)
		if err != nil {
			return err
		}
		version, err := ifMatch(c)
		if err != nil {
			return err
		}
		patch, err := readBody(c, echo.MIMEApplicationJSON, "application/merge-patch+json")
		if err != nil {
			return err
		}
		caller := callerOf(c)
		updated, err := dir.UpdateOrganization(c.Request().Context(), caller, c.Param("id"), version,
			func(o *directory.Organization) error {
				var w OrganizationWrite
				if err := applyPatch(toOrganizationWrite(o), patch, &w); err != nil {
					return err
				}
				next, err := w.toDomain()
				if err != nil {
					return err
				}
				*o = next
				return nil
			})
		if err != nil {
			return err
		}
		lang = langs.negotiate(c, lang)
		return writeVersioned(c, http.StatusOK, updated.Version, toOrganization(&updated, lang, dir, caller))
	}
}

// handleOrganizationArchive archives an organization.
//
//	@Summary		Archive an organization
//	@Description	Soft deletion: the organization disappears from lists, search, counts and lookups for everyone but admins, who can list archived organizations and restore them. Its history stays. If-Match works as for updates.
//	@ID				archiveOrganization
//	@Tags			organizations
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id			path	string	true	"UUID or slug"
//	@Param			If-Match	header	string	false	"ETag of the version the archiving is based on"
//	@Success		204			"Archived"
//	@Failure		401			{object}	Problem	"No key, or an unknown or revoked key"
//	@Failure		403			{object}	Problem	"The key's role is below editor"
//	@Failure		404			{object}	Problem	"No such live organization"
//	@Failure		412			{object}	Problem	"If-Match names another version; ETag has the current one"
//	@Router			/api/v1/organizations/{id} [delete]
func handleOrganizationArchive(dir *directory.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		version, err := ifMatch(c)
		if err != nil {
			return err
		}
		if _, err := dir.ArchiveOrganization(c.Request().Context(), callerOf(c), c.Param("id"), version); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}
}

// handleOrganizationRestore restores an archived organization.
//
//	@Summary	Restore an archived organization
//	@ID			restoreOrganization
//	@Tags		organizations
//	@Produce	json,application/problem+json
//	@Security	BearerAuth
//	@Param		id			path		string	true	"UUID"
//	@Param		If-Match	header		string	false	"ETag of the archived version"
//	@Param		lang		query		string	false	"Language of name and description in the response"	Enums(ru, en)
//	@Success	200			{object}	Organization
//	@Header		200			{string}	ETag	"Strong entity tag of the new version"
//	@Failure	400			{object}	Problem	"Invalid lang"
//	@Failure	401			{object}	Problem	"No key, or an unknown or revoked key"
//	@Failure	403			{object}	Problem	"The key's role is below admin"
//	@Failure	404			{object}	Problem	"No such organization"
//	@Failure	409			{object}	Problem	"Not archived, or a live organization has its slug now"
//	@Failure	412			{object}	Problem	"If-Match names another version; ETag has the current one"
//	@Router		/api/v1/organizations/{id}/restore [post]
func handleOrganizationRestore(dir *directory.Service, langs languages) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang, err := langParam(c)
		if err != nil {
			return err
		}
		version, err := ifMatch(c)
		if err != nil {
			return err
		}
		caller := callerOf(c)
		org, err := dir.RestoreOrganization(c.Request().Context(), caller, c.Param("id"), version)
		if err != nil {
			return err
		}
		lang = langs.negotiate(c, lang)
		return writeVersioned(c, http.StatusOK, org.Version, toOrganization(&org, lang, dir, caller))
	}
}

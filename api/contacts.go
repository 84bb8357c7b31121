package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/coalition-directory/coalition/internal/directory"
)

// handleContactList lists an organization's contacts.
//
//	@Summary		List contacts
//	@Description	The contacts of a live organization the caller may see, primary first: anonymous callers see public contacts only; partners and above see partners-only contacts too.
//	@ID				listContacts
//	@Tags			contacts
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@x-key-optional	true
//	@Param			id	path		string	true	"Organization UUID or slug"	example(nadezhda-nizhny-novgorod)
//	@Success		200	{object}	ContactList
//	@Header			200	{string}	ETag	"Entity tag for If-None-Match"
//	@Success		304	"Not modified (If-None-Match)"
//	@Success		301	"The organization had this slug before: Location is the same route under its current slug"
//	@Header			301	{string}	Location	"The same route and query under the organization's current slug"
//	@Failure		400	{object}	Problem		"A query parameter that this route does not take; errors name each"
//	@Failure		401	{object}	Problem		"An unknown or revoked key"
//	@Failure		404	{object}	Problem		"No such organization"
//	@Failure		429	{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429	{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		413	{object}	Problem		"The request body is over 1 MiB"
//	@Failure		500	{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Router			/api/v1/organizations/{id}/contacts [get]
func handleContactList(dir *directory.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		contacts, err := dir.Contacts(c.Request().Context(), callerOf(c), c.Param("id"))
		if err != nil {
			return movedOrganization(c, dir, err)
		}
		out := ContactList{Items: make([]Contact, len(contacts)), TotalItems: len(contacts)}
		for i := range contacts {
			out.Items[i] = toContact(&contacts[i])
		}
		return c.JSON(http.StatusOK, out)
	}
}

// handleContactGet returns one contact.
//
//	@Summary		Get a contact
//	@Description	One contact of a live organization: anonymous callers see public contacts only, partners and above partners-only contacts too.
//	@ID				getContact
//	@Tags			contacts
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@x-key-optional	true
//	@Param			id			path		string	true	"Organization UUID or slug"	example(nadezhda-nizhny-novgorod)
//	@Param			contact_id	path		string	true	"Contact UUID"				example(d6dbc7a1-abb4-4fcd-9d48-2bdf064c8d98)
//	@Success		200			{object}	Contact
//	@Header			200			{string}	ETag	"Strong entity tag, for If-Match and If-None-Match"
//	@Success		304			"Not modified (If-None-Match)"
//	@Success		301			"The organization had this slug before: Location is the same route under its current slug"
//	@Header			301			{string}	Location	"The same route and query under the organization's current slug"
//	@Failure		400			{object}	Problem		"A query parameter that this route does not take; errors name each"
//	@Failure		401			{object}	Problem		"An unknown or revoked key"
//	@Failure		404			{object}	Problem		"No such contact, or one the caller may not see"
//	@Failure		429			{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429			{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		413			{object}	Problem		"The request body is over 1 MiB"
//	@Failure		500			{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Router			/api/v1/organizations/{id}/contacts/{contact_id} [get]
func handleContactGet(dir *directory.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		contact, err := dir.Contact(c.Request().Context(), callerOf(c), c.Param("id"), c.Param("contact_id"))
		if err != nil {
			return movedOrganization(c, dir, err)
		}
		c.Set(versionKey, contact.Version)
		return writeJSON(c, http.StatusOK, toContact(&contact))
	}
}

// handleContactCreate adds a contact.
//
//	@Summary		Create a contact
//	@Description	Visibility defaults to partners: personal data is public only when someone chose so. Only one contact can be primary.
//	@ID				createContact
//	@Tags			contacts
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@Param			id		path		string			true	"Organization UUID or slug"	example(nadezhda-nizhny-novgorod)
//	@Param			contact	body		ContactWrite	true	"The contact"
//	@Success		201		{object}	Contact
//	@Header			201		{string}	Location	"URL of the new contact"
//	@Header			201		{string}	ETag		"Strong entity tag, for If-Match"
//	@Failure		400		{object}	Problem		"Malformed JSON, unknown fields or invalid values; errors name the fields"
//	@Failure		401		{object}	Problem		"No key, or an unknown or revoked key"
//	@Failure		403		{object}	Problem		"The key's role is below editor"
//	@Failure		404		{object}	Problem		"No such organization"
//	@Failure		409		{object}	Problem		"Another contact is primary"
//	@Failure		413		{object}	Problem		"The body is over 1 MiB"
//	@Failure		415		{object}	Problem		"The body is not application/json"
//	@Failure		429		{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429		{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		500		{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Failure		507		{object}	Problem		"The database's storage is full: an operator must free space"
//	@Router			/api/v1/organizations/{id}/contacts [post]
func handleContactCreate(dir *directory.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		body, err := readBody(c, echo.MIMEApplicationJSON)
		if err != nil {
			return err
		}
		var w ContactWrite
		found, err := decodeWrite(body, &w)
		if err != nil {
			return err
		}
		if len(found) > 0 {
			return dir.CheckContact(c.Request().Context(), callerOf(c), c.Param("id"), w.toDomain(), found)
		}
		created, err := dir.CreateContact(c.Request().Context(), callerOf(c), c.Param("id"), w.toDomain())
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderLocation, "/api/v1/organizations/"+created.OrganizationID+"/contacts/"+created.ID)
		return writeVersioned(c, http.StatusCreated, created.Version, toContact(&created))
	}
}

// handleContactUpdate changes a contact by JSON merge patch.
//
//	@Summary		Update a contact
//	@Description	The body is a JSON merge patch (RFC 7396) of ContactWrite. If-Match works as for organizations.
//	@ID				updateContact
//	@Tags			contacts
//	@Accept			json,application/merge-patch+json
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@Param			id				path		string			true	"Organization UUID or slug"																																								example(nadezhda-nizhny-novgorod)
//	@Param			contact_id		path		string			true	"Contact UUID"																																											example(d6dbc7a1-abb4-4fcd-9d48-2bdf064c8d98)
//	@Param			If-Match		header		string			false	"Entity tags of the versions the change may apply to: * or a list; any strong tag this API sent for a version names it, whatever language or caller it was sent to, a weak tag none"	example("v3-9xQ2bT0cRkLm4sPa")
//	@Param			If-None-Match	header		string			false	"Entity tags of versions the change must not apply to: * (any) or a list, compared weakly"																								example("v3-9xQ2bT0cRkLm4sPa")
//	@Param			patch			body		ContactWrite	true	"A JSON merge patch of ContactWrite: fields present replace, null removes"
//	@Success		200				{object}	Contact
//	@Header			200				{string}	ETag		"Strong entity tag of the new version"
//	@Failure		400				{object}	Problem		"Malformed JSON, unknown fields or invalid values; errors name the fields"
//	@Failure		401				{object}	Problem		"No key, or an unknown or revoked key"
//	@Failure		403				{object}	Problem		"The key's role is below editor"
//	@Failure		404				{object}	Problem		"No such contact"
//	@Failure		409				{object}	Problem		"Another contact is primary"
//	@Failure		412				{object}	Problem		"If-Match lists no strong tag of the current version, or If-None-Match lists it, or either is not an entity-tag list; ETag is the current one, as a GET gets it"
//	@Header			412				{string}	ETag		"The current version's entity tag"
//	@Failure		413				{object}	Problem		"The body is over 1 MiB"
//	@Failure		415				{object}	Problem		"The body is not JSON"
//	@Failure		429				{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429				{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		500				{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Failure		507				{object}	Problem		"The database's storage is full: an operator must free space"
//	@Router			/api/v1/organizations/{id}/contacts/{contact_id} [patch]
func handleContactUpdate(dir *directory.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		current := currentContact(c, dir)
		pre, err := precondition(c)
		if err != nil {
			return withCurrentTag(c, err, current)
		}
		patch, err := readBody(c, echo.MIMEApplicationJSON, "application/merge-patch+json")
		if err != nil {
			return err
		}
		updated, err := dir.UpdateContact(c.Request().Context(), callerOf(c), c.Param("id"), c.Param("contact_id"), pre,
			func(ct *directory.Contact) error {
				var w ContactWrite
				found, err := applyPatch(toContactWrite(ct), patch, &w)
				if err != nil {
					return err
				}
				if len(found) > 0 {
					return dir.CheckContact(c.Request().Context(), callerOf(c), c.Param("id"), w.toDomain(), found)
				}
				*ct = w.toDomain()
				return nil
			})
		if err != nil {
			return withCurrentTag(c, err, current)
		}
		return writeVersioned(c, http.StatusOK, updated.Version, toContact(&updated))
	}
}

// handleContactDelete deletes a contact.
//
//	@Summary		Delete a contact
//	@Description	The audit trail keeps what the contact was. If-Match works as for organizations.
//	@ID				deleteContact
//	@Tags			contacts
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@Param			id				path	string	true	"Organization UUID or slug"																																								example(nadezhda-nizhny-novgorod)
//	@Param			contact_id		path	string	true	"Contact UUID"																																											example(d6dbc7a1-abb4-4fcd-9d48-2bdf064c8d98)
//	@Param			If-Match		header	string	false	"Entity tags of the versions the change may apply to: * or a list; any strong tag this API sent for a version names it, whatever language or caller it was sent to, a weak tag none"	example("v3-9xQ2bT0cRkLm4sPa")
//	@Param			If-None-Match	header	string	false	"Entity tags of versions the change must not apply to: * (any) or a list, compared weakly"																								example("v3-9xQ2bT0cRkLm4sPa")
//	@Success		204				"Deleted"
//	@Failure		400				{object}	Problem		"A query parameter that this route does not take; errors name each"
//	@Failure		401				{object}	Problem		"No key, or an unknown or revoked key"
//	@Failure		403				{object}	Problem		"The key's role is below editor"
//	@Failure		404				{object}	Problem		"No such contact"
//	@Failure		412				{object}	Problem		"If-Match lists no strong tag of the current version, or If-None-Match lists it, or either is not an entity-tag list; ETag is the current one, as a GET gets it"
//	@Header			412				{string}	ETag		"The current version's entity tag"
//	@Failure		413				{object}	Problem		"The request body is over 1 MiB"
//	@Failure		429				{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429				{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		500				{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Failure		507				{object}	Problem		"The database's storage is full: an operator must free space"
//	@Router			/api/v1/organizations/{id}/contacts/{contact_id} [delete]
func handleContactDelete(dir *directory.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		current := currentContact(c, dir)
		pre, err := precondition(c)
		if err != nil {
			return withCurrentTag(c, err, current)
		}
		if err := dir.DeleteContact(c.Request().Context(), callerOf(c), c.Param("id"), c.Param("contact_id"), pre); err != nil {
			return withCurrentTag(c, err, current)
		}
		return c.NoContent(http.StatusNoContent)
	}
}

// currentContact renders the contact a write is aimed at as a GET shows it,
// for the ETag of a 412.
func currentContact(c echo.Context, dir *directory.Service) func() (int, any, error) {
	return func() (int, any, error) {
		contact, err := dir.Contact(c.Request().Context(), callerOf(c), c.Param("id"), c.Param("contact_id"))
		if err != nil {
			return 0, nil, err
		}
		return contact.Version, toContact(&contact), nil
	}
}

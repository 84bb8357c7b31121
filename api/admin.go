package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/coalition-directory/coalition/internal/directory"
)

// handleFocusAreaCreate adds a focus area.
//
//	@Summary		Create a focus area
//	@Description	Adds an entry to the focus-area vocabulary, with its English and Russian names. Slugs are lower-case Latin letters, digits and hyphens, and never change.
//	@ID				createFocusArea
//	@Tags			reference
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@Param			focus_area	body		FocusAreaWrite	true	"The focus area"
//	@Param			lang		query		string			false	"Language of the name in the response (else Accept-Language, else the server's default)"	Enums(ru, en)	example(en)
//	@Success		201			{object}	FocusArea
//	@Header			201			{string}	Content-Language	"The language of the answer"
//	@Header			201			{string}	Location			"URL of the focus-area list"
//	@Failure		400			{object}	Problem				"Invalid fields; errors name them"
//	@Failure		401			{object}	Problem				"No key, or an unknown or revoked key"
//	@Failure		403			{object}	Problem				"The key's role is below admin"
//	@Failure		409			{object}	Problem				"The slug is taken"
//	@Failure		413			{object}	Problem				"The body is over 1 MiB"
//	@Failure		415			{object}	Problem				"The body is not application/json"
//	@Failure		429			{object}	Problem				"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429			{integer}	Retry-After			"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		500			{object}	Problem				"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Failure		507			{object}	Problem				"The database's storage is full: an operator must free space"
//	@Router			/api/v1/focus-areas [post]
func handleFocusAreaCreate(dir *directory.Service, langs languages) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang, err := langParam(c)
		if err != nil {
			return err
		}
		body, err := readBody(c, echo.MIMEApplicationJSON)
		if err != nil {
			return err
		}
		var w FocusAreaWrite
		found, err := decodeWrite(body, &w)
		if err != nil {
			return err
		}
		if len(found) > 0 {
			return dir.CheckFocusArea(callerOf(c), w.toDomain(), true, found)
		}
		fa, err := dir.CreateFocusArea(c.Request().Context(), callerOf(c), w.toDomain())
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderLocation, "/api/v1/focus-areas")
		return c.JSON(http.StatusCreated, toFocusArea(directory.FocusAreaCount{FocusArea: fa}, langs.negotiate(c, lang)))
	}
}

// handleFocusAreaUpdate changes a focus area's group or names.
//
//	@Summary		Update a focus area
//	@Description	The body is a JSON merge patch (RFC 7396) of FocusAreaWrite; the slug cannot change.
//	@ID				updateFocusArea
//	@Tags			reference
//	@Accept			json,application/merge-patch+json
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@Param			slug	path		string			true	"Focus-area slug"	example(shelter)
//	@Param			patch	body		FocusAreaWrite	true	"A JSON merge patch of FocusAreaWrite: fields present replace, null removes"
//	@Param			lang	query		string			false	"Language of the name in the response (else Accept-Language, else the server's default)"	Enums(ru, en)	example(en)
//	@Success		200		{object}	FocusArea
//	@Header			200		{string}	Content-Language	"The language of the answer"
//	@Failure		400		{object}	Problem				"Invalid fields; errors name them"
//	@Failure		401		{object}	Problem				"No key, or an unknown or revoked key"
//	@Failure		403		{object}	Problem				"The key's role is below admin"
//	@Failure		404		{object}	Problem				"No such focus area"
//	@Failure		413		{object}	Problem				"The body is over 1 MiB"
//	@Failure		415		{object}	Problem				"The body is not JSON"
//	@Failure		429		{object}	Problem				"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429		{integer}	Retry-After			"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		500		{object}	Problem				"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Failure		507		{object}	Problem				"The database's storage is full: an operator must free space"
//	@Router			/api/v1/focus-areas/{slug} [patch]
func handleFocusAreaUpdate(dir *directory.Service, langs languages) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang, err := langParam(c)
		if err != nil {
			return err
		}
		patch, err := readBody(c, echo.MIMEApplicationJSON, "application/merge-patch+json")
		if err != nil {
			return err
		}
		fa, err := dir.UpdateFocusArea(c.Request().Context(), callerOf(c), c.Param("slug"), func(fa *directory.FocusArea) error {
			var w FocusAreaWrite
			found, err := applyPatch(toFocusAreaWrite(*fa), patch, &w)
			if err != nil {
				return err
			}
			if w.Slug != fa.Slug {
				found = append(found, directory.FieldError{Field: "slug", Message: "cannot change"})
			}
			if len(found) > 0 {
				return dir.CheckFocusArea(callerOf(c), w.toDomain(), false, found)
			}
			*fa = w.toDomain()
			return nil
		})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, toFocusArea(directory.FocusAreaCount{FocusArea: fa}, langs.negotiate(c, lang)))
	}
}

// handleFocusAreaDelete removes an unused focus area.
//
//	@Summary		Delete a focus area
//	@Description	Removes an entry of the vocabulary that no organization uses, live or archived.
//	@ID				deleteFocusArea
//	@Tags			reference
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@Param			slug	path	string	true	"Focus-area slug"	example(shelter)
//	@Success		204		"Deleted"
//	@Failure		400		{object}	Problem		"A query parameter that this route does not take; errors name each"
//	@Failure		401		{object}	Problem		"No key, or an unknown or revoked key"
//	@Failure		403		{object}	Problem		"The key's role is below admin"
//	@Failure		404		{object}	Problem		"No such focus area"
//	@Failure		409		{object}	Problem		"Organizations (live or archived) use it"
//	@Failure		413		{object}	Problem		"The request body is over 1 MiB"
//	@Failure		429		{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429		{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		500		{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Failure		507		{object}	Problem		"The database's storage is full: an operator must free space"
//	@Router			/api/v1/focus-areas/{slug} [delete]
func handleFocusAreaDelete(dir *directory.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := dir.DeleteFocusArea(c.Request().Context(), callerOf(c), c.Param("slug")); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}
}

func (w *FocusAreaWrite) toDomain() directory.FocusArea {
	return directory.FocusArea{Slug: w.Slug, Group: directory.FocusAreaGroup(w.Group), LabelEN: w.Names.EN, LabelRU: w.Names.RU}
}

func toFocusAreaWrite(fa directory.FocusArea) FocusAreaWrite {
	return FocusAreaWrite{Slug: fa.Slug, Group: string(fa.Group), Names: Names{EN: fa.LabelEN, RU: fa.LabelRU}}
}

func toFocusArea(a directory.FocusAreaCount, lang string) FocusArea {
	return FocusArea{Slug: a.Slug, Group: string(a.Group), Name: a.Label(lang),
		Names: Names{EN: a.LabelEN, RU: a.LabelRU}, OrganizationCount: a.Count}
}

// handleKeyList lists the API keys.
//
//	@Summary		List API keys
//	@Description	Every API key with its role and when it was created, last used and revoked; never a secret.
//	@ID				listKeys
//	@Tags			keys
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@Success		200	{object}	KeyList
//	@Failure		400	{object}	Problem		"A query parameter that this route does not take; errors name each"
//	@Failure		401	{object}	Problem		"No key, or an unknown or revoked key"
//	@Failure		403	{object}	Problem		"The key's role is below admin"
//	@Failure		429	{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429	{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		413	{object}	Problem		"The request body is over 1 MiB"
//	@Failure		500	{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Router			/api/v1/keys [get]
func handleKeyList(dir *directory.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		keys, err := dir.Keys(c.Request().Context(), callerOf(c))
		if err != nil {
			return err
		}
		out := KeyList{Items: make([]Key, len(keys)), TotalItems: len(keys)}
		for i, k := range keys {
			out.Items[i] = toKey(k)
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, out)
	}
}

// handleKeyCreate makes an API key.
//
//	@Summary		Create an API key
//	@Description	The response holds the secret; it is shown this once and only its hash is stored.
//	@ID				createKey
//	@Tags			keys
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@Param			key	body		KeyCreate	true	"Name and role"
//	@Success		201	{object}	KeyCreated
//	@Failure		400	{object}	Problem		"Invalid fields; errors name them"
//	@Failure		401	{object}	Problem		"No key, or an unknown or revoked key"
//	@Failure		403	{object}	Problem		"The key's role is below admin"
//	@Failure		413	{object}	Problem		"The body is over 1 MiB"
//	@Failure		415	{object}	Problem		"The body is not application/json"
//	@Failure		429	{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429	{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		500	{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Failure		507	{object}	Problem		"The database's storage is full: an operator must free space"
//	@Router			/api/v1/keys [post]
func handleKeyCreate(dir *directory.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		body, err := readBody(c, echo.MIMEApplicationJSON)
		if err != nil {
			return err
		}
		var w KeyCreate
		if err := decodeStrict(body, &w); err != nil {
			return err
		}
		key, secret, err := dir.CreateKey(c.Request().Context(), callerOf(c), w.Name, directory.Role(w.Role))
		if err != nil {
			return err
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusCreated, KeyCreated{Key: toKey(key), Secret: secret})
	}
}

// handleKeyRevoke revokes an API key.
//
//	@Summary		Revoke an API key
//	@Description	The key stops working from the next request on. Revoking a revoked key changes nothing.
//	@ID				revokeKey
//	@Tags			keys
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@Param			id	path		string	true	"Key UUID"	example(0193c0de-1a2b-7c3d-8e4f-5a6b7c8d9e0f)
//	@Success		200	{object}	Key
//	@Failure		400	{object}	Problem		"A query parameter that this route does not take; errors name each"
//	@Failure		401	{object}	Problem		"No key, or an unknown or revoked key"
//	@Failure		403	{object}	Problem		"The key's role is below admin"
//	@Failure		404	{object}	Problem		"No such key"
//	@Failure		413	{object}	Problem		"The request body is over 1 MiB"
//	@Failure		429	{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429	{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		500	{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Failure		507	{object}	Problem		"The database's storage is full: an operator must free space"
//	@Router			/api/v1/keys/{id} [delete]
func handleKeyRevoke(dir *directory.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		key, err := dir.RevokeKey(c.Request().Context(), callerOf(c), c.Param("id"))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, toKey(key))
	}
}

// handleHistory returns an organization's change log.
//
//	@Summary		Organization history
//	@Description	Every write to the organization and its contacts, newest first, with who made it and each field's old and new value. Archived organizations have a history too.
//	@ID				getOrganizationHistory
//	@Tags			audit
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@Param			id			path		string	true	"UUID or slug"		example(nadezhda-nizhny-novgorod)
//	@Param			page		query		int		false	"Page, from 1"		minimum(1)	maximum(1048576)	default(1)	example(1)
//	@Param			per_page	query		int		false	"Items per page"	minimum(1)	maximum(100)		default(20)	example(20)
//	@Success		200			{object}	AuditList
//	@Header			200			{string}	Link	"RFC 8288 links: first, prev, next, last"
//	@Success		301			"The organization had this slug before: Location is the same route under its current slug"
//	@Header			301			{string}	Location	"The same route and query under the organization's current slug"
//	@Failure		400			{object}	Problem		"A parameter is invalid; errors name it"
//	@Failure		401			{object}	Problem		"No key, or an unknown or revoked key"
//	@Failure		403			{object}	Problem		"The key's role is below editor"
//	@Failure		404			{object}	Problem		"No such organization"
//	@Failure		429			{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429			{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		413			{object}	Problem		"The request body is over 1 MiB"
//	@Failure		500			{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Router			/api/v1/organizations/{id}/history [get]
func handleHistory(dir *directory.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		q, err := directory.ParseAuditQuery(queryGetter(c))
		if err != nil {
			return err
		}
		entries, total, err := dir.History(c.Request().Context(), callerOf(c), c.Param("id"), q.Page, q.PerPage)
		if err != nil {
			return movedOrganization(c, dir, err)
		}
		return writeAuditList(c, q, entries, total)
	}
}

// handleAudit returns the audit log.
//
//	@Summary		Audit log
//	@Description	Every write of the directory, newest first, with who made it and each field's old and new value; filter by entity, key or time.
//	@ID				listAuditEntries
//	@Tags			audit
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@Param			entity_type	query		string	false	"Only entries about this kind of entity"						Enums(organization, contact, focus_area, key, webhook)	example(organization)
//	@Param			entity_id	query		string	false	"Only entries about this entity (UUID, or a focus-area slug)"	example(3e98c4f6-40e1-4c96-9f1c-9935719f9212)
//	@Param			key_id		query		string	false	"Only writes made with this key"								example(0193c0de-1a2b-7c3d-8e4f-5a6b7c8d9e0f)
//	@Param			since		query		string	false	"Only entries at or after this RFC 3339 time"					format(date-time)	example(2026-11-01T00:00:00Z)
//	@Param			page		query		int		false	"Page, from 1"													minimum(1)			maximum(1048576)	default(1)	example(1)
//	@Param			per_page	query		int		false	"Items per page"												minimum(1)			maximum(100)		default(20)	example(20)
//	@Success		200			{object}	AuditList
//	@Header			200			{string}	Link		"RFC 8288 links: first, prev, next, last"
//	@Failure		400			{object}	Problem		"A parameter is invalid; errors name it"
//	@Failure		401			{object}	Problem		"No key, or an unknown or revoked key"
//	@Failure		403			{object}	Problem		"The key's role is below admin"
//	@Failure		429			{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429			{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		413			{object}	Problem		"The request body is over 1 MiB"
//	@Failure		500			{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Router			/api/v1/audit [get]
func handleAudit(dir *directory.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		q, err := directory.ParseAuditQuery(queryGetter(c))
		if err != nil {
			return err
		}
		entries, total, err := dir.Audit(c.Request().Context(), callerOf(c), q)
		if err != nil {
			return err
		}
		return writeAuditList(c, q, entries, total)
	}
}

func writeAuditList(c echo.Context, q directory.AuditQuery, entries []directory.AuditEntry, total int) error {
	out := AuditList{Items: make([]AuditEntry, len(entries)), Page: q.Page, PerPage: q.PerPage,
		TotalItems: total, TotalPages: (total + q.PerPage - 1) / q.PerPage}
	for i, e := range entries {
		out.Items[i] = toAuditEntry(e)
	}
	setLinks(c, q.Page, out.TotalPages)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}

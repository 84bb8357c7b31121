package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/coalition-directory/coalition/internal/directory"
)

// handleOrganizationList lists organizations with filters, search and paging.
//
//	@Summary		List organizations
//	@Description	Filters take comma-separated values and match any of them; different filters must all match. `region` matches the seat or a service region. `q` searches names, acronyms, places (city; country, seat and service regions by name, in Russian and English), descriptions and public contacts as a Russian or English speaker types: any case, ё = е, Latin diacritics ignored, inflected forms (Snowball stems), word prefixes, a typo in words of 5 letters or more (two from 9), stop words optional. With `q` the default order is relevance: more of the query's stop words, fewer typos, matches in the name, then acronym, then places, then description, exact words before stems and prefixes, then name. `highlight=true` adds to each item `highlights`: for each returned text field that matched, the ranges of its matching words in UTF-16 code units. Contacts are not listed here: get one organization for them.
//	@ID				listOrganizations
//	@Tags			organizations
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@x-key-optional	true
//	@Param			q				query		string	false	"Search text (at most 200 characters, 8 words)"																	maxlength(200)	example(приют)
//	@Param			country			query		string	false	"ISO 3166-1 alpha-2 codes, comma-separated"																		example(RU,KZ)
//	@Param			region			query		string	false	"ISO 3166-2 codes, comma-separated"																				example(RU-NIZ)
//	@Param			focus_area		query		string	false	"Focus-area slugs, comma-separated"																				example(shelter,hotline)
//	@Param			status			query		string	false	"Membership statuses, comma-separated: member, associate, former"												example(member,associate)
//	@Param			language		query		string	false	"Working languages (ISO 639-1), comma-separated"																example(ru,en)
//	@Param			modified_after	query		string	false	"Only organizations updated after this RFC 3339 time"															format(date-time)					example(2026-11-01T00:00:00Z)
//	@Param			sort			query		string	false	"Order"																											Enums(name, -updated_at, relevance)	example(name)
//	@Param			page			query		int		false	"Page, from 1"																									minimum(1)							maximum(1048576)	default(1)	example(1)
//	@Param			per_page		query		int		false	"Items per page"																								minimum(1)							maximum(100)		default(20)	example(20)
//	@Param			lang			query		string	false	"Language of the answer: names, descriptions and labels (else Accept-Language, else the server's default, ru)"	Enums(ru, en)						example(en)
//	@Param			archived		query		bool	false	"List archived organizations instead (admin)"																	example(false)
//	@Param			highlight		query		bool	false	"With q, add highlights: where each returned text field matched"												example(true)
//	@Success		200				{object}	OrganizationList
//	@Header			200				{string}	Link				"RFC 8288 links: first, prev, next, last"
//	@Header			200				{string}	ETag				"Entity tag for If-None-Match"
//	@Header			200				{string}	Content-Language	"The answer's language: lang, else Accept-Language, else the server's default"
//	@Success		304				"Not modified (If-None-Match)"
//	@Failure		400				{object}	Problem		"A parameter is invalid; errors name it"
//	@Failure		401				{object}	Problem		"An unknown or revoked key, or archived=true without a key"
//	@Failure		403				{object}	Problem		"archived=true with a key below admin"
//	@Failure		429				{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429				{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		413				{object}	Problem		"The request body is over 1 MiB"
//	@Failure		500				{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Router			/api/v1/organizations [get]
func handleOrganizationList(dir *directory.Service, langs languages) echo.HandlerFunc {
	return func(c echo.Context) error {
		q, err := directory.ParseListQuery(queryGetter(c))
		if err != nil {
			return err
		}
		q.Lang = langs.negotiate(c, q.Lang)
		caller := callerOf(c)
		page, err := dir.Organizations(c.Request().Context(), q, caller)
		if err != nil {
			return err
		}
		out := OrganizationList{
			Items:      make([]Organization, len(page.Items)),
			Page:       q.Page,
			PerPage:    q.PerPage,
			TotalItems: page.Total,
			TotalPages: (page.Total + q.PerPage - 1) / q.PerPage,
		}
		for i := range page.Items {
			out.Items[i] = toOrganization(&page.Items[i], q.Lang, dir, caller)
			if q.Highlight {
				out.Items[i].Highlights = highlightsOf(&out.Items[i], page.Search)
			}
		}
		setLinks(c, q.Page, out.TotalPages)
		return c.JSON(http.StatusOK, out)
	}
}

// handleOrganizationGet returns one organization by id or slug.
//
//	@Summary		Get an organization
//	@Description	One organization with the contacts the caller may see: anonymous callers see public contacts only.
//	@ID				getOrganization
//	@Tags			organizations
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@x-key-optional	true
//	@Param			id		path		string	true	"UUID or slug"																									example(nadezhda-nizhny-novgorod)
//	@Param			lang	query		string	false	"Language of the answer: names, descriptions and labels (else Accept-Language, else the server's default, ru)"	Enums(ru, en)	example(en)
//	@Success		200		{object}	Organization
//	@Header			200		{string}	ETag	"Strong entity tag (\"v<version>-<digest>\"), for If-None-Match and If-Match; an anonymous caller's names the version of the last change it could see, which matches If-Match while no partners-only change came after it"
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
//	@Router			/api/v1/organizations/{id} [get]
func handleOrganizationGet(dir *directory.Service, langs languages) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang, err := langParam(c)
		if err != nil {
			return err
		}
		caller := callerOf(c)
		org, err := dir.Organization(c.Request().Context(), c.Param("id"), caller)
		if err != nil {
			return movedOrganization(c, dir, err)
		}
		lang = langs.negotiate(c, lang)
		c.Set(versionKey, org.Version)
		return writeJSON(c, http.StatusOK, organizationView(&org, lang, dir, caller))
	}
}

// organizationView is one organization as a GET shows it to caller in lang,
// with the contacts the caller may see (org.Contacts): writes answer with
// the same view, so a write's ETag is the one the next GET gets.
func organizationView(org *directory.Organization, lang string, dir *directory.Service, caller directory.Caller) Organization {
	out := toOrganization(org, lang, dir, caller)
	if out.Contacts == nil {
		out.Contacts = []Contact{}
	}
	return out
}

// movedOrganization answers a GET that named an organization by a slug it
// had before with 301 Moved Permanently to the same route and query under
// its current slug, so that partners' links keep working; any other error,
// a slug no live organization had included, passes on.
func movedOrganization(c echo.Context, dir *directory.Service, err error) error {
	if directory.ErrorCode(err) != directory.CodeNotFound {
		return err
	}
	old := c.Param("id")
	prefix := "/api/v1/organizations/" + old
	path := c.Request().URL.Path
	if !strings.HasPrefix(path, prefix) {
		return err
	}
	current, cerr := dir.CurrentSlug(c.Request().Context(), old)
	if cerr != nil {
		return err
	}
	u := url.URL{Path: "/api/v1/organizations/" + current + strings.TrimPrefix(path, prefix), RawQuery: c.Request().URL.RawQuery}
	return c.Redirect(http.StatusMovedPermanently, u.String())
}

// queryGetter reads a query parameter; a repeated parameter counts as one
// comma-separated list, so country=RU&country=KZ equals country=RU,KZ, and
// a parameter that takes one value, given twice, is invalid rather than
// read for its first value alone. Handlers read every parameter through it.
func queryGetter(c echo.Context) func(string) string {
	values := c.QueryParams()
	return func(name string) string { return strings.Join(values[name], ",") }
}

// langParam reads and checks the lang query parameter.
func langParam(c echo.Context) (string, error) {
	lang, err := directory.ParseLang(queryGetter(c)("lang"))
	if err != nil {
		return "", &directory.Error{Code: directory.CodeInvalid, Message: "invalid query parameters",
			Fields: []directory.FieldError{{Field: "lang", Message: err.Error()}}}
	}
	return lang, nil
}

// setLinks writes the RFC 8288 Link header of a paged list: the same
// request with another page.
func setLinks(c echo.Context, page, totalPages int) {
	if totalPages == 0 {
		return
	}
	link := func(p int, rel string) string {
		q := c.Request().URL.Query()
		q.Set("page", strconv.Itoa(p))
		u := url.URL{Path: c.Request().URL.Path, RawQuery: q.Encode()}
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	links := []string{link(1, "first")}
	if page > 1 {
		links = append(links, link(min(page-1, totalPages), "prev"))
	}
	if page < totalPages {
		links = append(links, link(page+1, "next"))
	}
	links = append(links, link(totalPages, "last"))
	c.Response().Header().Set("Link", strings.Join(links, ", "))
}

// highlightsOf returns where the text fields of o, as it is returned,
// match search: for each field that matched, its words' ranges in UTF-16
// code units, as JavaScript indexes strings.
func highlightsOf(o *Organization, search directory.SearchQuery) map[string][][2]int {
	out := map[string][][2]int{}
	for _, f := range []struct{ name, text string }{
		{"name", o.Name}, {"description", o.Description}, {"acronym", o.Acronym}, {"city", o.City},
		{"address", o.Address}, {"region_name", o.RegionName}, {"country_name", o.CountryName},
	} {
		for _, span := range search.Highlights(f.text) {
			out[f.name] = append(out[f.name], [2]int(span))
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/coalition-directory/coalition/internal/directory"
)

// handleFocusAreaList returns the focus-area vocabulary.
//
//	@Summary		List focus areas
//	@Description	The controlled vocabulary of what members do, in display order, with the number of organizations in each.
//	@ID				listFocusAreas
//	@Tags			reference
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@x-key-optional	true
//	@Param			lang	query		string	false	"Language of the answer: names, descriptions and labels (else Accept-Language, else the server's default, ru)"	Enums(ru, en)	example(en)
//	@Success		200		{object}	FocusAreaList
//	@Header			200		{string}	ETag				"Entity tag for If-None-Match"
//	@Header			200		{string}	Content-Language	"The answer's language: lang, else Accept-Language, else the server's default"
//	@Success		304		"Not modified (If-None-Match)"
//	@Failure		400		{object}	Problem		"Invalid lang"
//	@Failure		401		{object}	Problem		"An unknown or revoked key"
//	@Failure		429		{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429		{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		413		{object}	Problem		"The request body is over 1 MiB"
//	@Failure		500		{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Router			/api/v1/focus-areas [get]
func handleFocusAreaList(dir *directory.Service, langs languages) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang, err := langParam(c)
		if err != nil {
			return err
		}
		areas, err := dir.FocusAreas(c.Request().Context())
		if err != nil {
			return err
		}
		lang = langs.negotiate(c, lang)
		out := FocusAreaList{Items: make([]FocusArea, len(areas)), TotalItems: len(areas)}
		for i, a := range areas {
			out.Items[i] = toFocusArea(a, lang)
		}
		return c.JSON(http.StatusOK, out)
	}
}

// handleCountryList returns every country.
//
//	@Summary		List countries
//	@Description	Every ISO 3166-1 country, by code, with the number of organizations seated there.
//	@ID				listCountries
//	@Tags			reference
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@x-key-optional	true
//	@Param			lang	query		string	false	"Language of the answer: names, descriptions and labels (else Accept-Language, else the server's default, ru)"	Enums(ru, en)	example(en)
//	@Success		200		{object}	CountryList
//	@Header			200		{string}	ETag				"Entity tag for If-None-Match"
//	@Header			200		{string}	Content-Language	"The answer's language: lang, else Accept-Language, else the server's default"
//	@Success		304		"Not modified (If-None-Match)"
//	@Failure		400		{object}	Problem		"Invalid lang"
//	@Failure		401		{object}	Problem		"An unknown or revoked key"
//	@Failure		429		{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429		{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		413		{object}	Problem		"The request body is over 1 MiB"
//	@Failure		500		{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Router			/api/v1/countries [get]
func handleCountryList(dir *directory.Service, langs languages) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang, err := langParam(c)
		if err != nil {
			return err
		}
		countries, err := dir.Countries(c.Request().Context())
		if err != nil {
			return err
		}
		lang = langs.negotiate(c, lang)
		out := CountryList{Items: make([]Country, len(countries)), TotalItems: len(countries)}
		for i, cc := range countries {
			out.Items[i] = toCountry(cc, lang)
		}
		return c.JSON(http.StatusOK, out)
	}
}

// handleCountryGet returns one country.
//
//	@Summary		Get a country
//	@Description	One ISO 3166-1 country with its names and the number of organizations seated there.
//	@ID				getCountry
//	@Tags			reference
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@x-key-optional	true
//	@Param			code	path		string	true	"ISO 3166-1 alpha-2 code"																						example(RU)
//	@Param			lang	query		string	false	"Language of the answer: names, descriptions and labels (else Accept-Language, else the server's default, ru)"	Enums(ru, en)	example(en)
//	@Success		200		{object}	Country
//	@Header			200		{string}	ETag				"Entity tag for If-None-Match"
//	@Header			200		{string}	Content-Language	"The answer's language: lang, else Accept-Language, else the server's default"
//	@Success		304		"Not modified (If-None-Match)"
//	@Failure		400		{object}	Problem		"Invalid lang"
//	@Failure		401		{object}	Problem		"An unknown or revoked key"
//	@Failure		404		{object}	Problem		"No such country"
//	@Failure		429		{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429		{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		413		{object}	Problem		"The request body is over 1 MiB"
//	@Failure		500		{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Router			/api/v1/countries/{code} [get]
func handleCountryGet(dir *directory.Service, langs languages) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang, err := langParam(c)
		if err != nil {
			return err
		}
		cc, err := dir.Country(c.Request().Context(), c.Param("code"))
		if err != nil {
			return err
		}
		lang = langs.negotiate(c, lang)
		return c.JSON(http.StatusOK, toCountry(cc, lang))
	}
}

// handleRegionList returns the regions of a country.
//
//	@Summary		List the regions of a country
//	@Description	ISO 3166-2 regions by code, each with the number of organizations seated or serving there.
//	@ID				listRegions
//	@Tags			reference
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@x-key-optional	true
//	@Param			code	path		string	true	"ISO 3166-1 alpha-2 code"																						example(RU)
//	@Param			lang	query		string	false	"Language of the answer: names, descriptions and labels (else Accept-Language, else the server's default, ru)"	Enums(ru, en)	example(en)
//	@Success		200		{object}	RegionList
//	@Header			200		{string}	ETag				"Entity tag for If-None-Match"
//	@Header			200		{string}	Content-Language	"The answer's language: lang, else Accept-Language, else the server's default"
//	@Success		304		"Not modified (If-None-Match)"
//	@Failure		400		{object}	Problem		"Invalid lang"
//	@Failure		401		{object}	Problem		"An unknown or revoked key"
//	@Failure		404		{object}	Problem		"No such country"
//	@Failure		429		{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429		{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		413		{object}	Problem		"The request body is over 1 MiB"
//	@Failure		500		{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Router			/api/v1/countries/{code}/regions [get]
func handleRegionList(dir *directory.Service, langs languages) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang, err := langParam(c)
		if err != nil {
			return err
		}
		regions, err := dir.Regions(c.Request().Context(), c.Param("code"))
		if err != nil {
			return err
		}
		lang = langs.negotiate(c, lang)
		out := RegionList{Items: make([]Region, len(regions)), TotalItems: len(regions)}
		for i, r := range regions {
			out.Items[i] = toRegion(r, lang)
		}
		return c.JSON(http.StatusOK, out)
	}
}

// handleRegionGet returns one region.
//
//	@Summary		Get a region
//	@Description	One ISO 3166-2 region with its names and the number of organizations seated or serving there.
//	@ID				getRegion
//	@Tags			reference
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@x-key-optional	true
//	@Param			code	path		string	true	"ISO 3166-2 code"																								example(RU-NIZ)
//	@Param			lang	query		string	false	"Language of the answer: names, descriptions and labels (else Accept-Language, else the server's default, ru)"	Enums(ru, en)	example(en)
//	@Success		200		{object}	Region
//	@Header			200		{string}	ETag				"Entity tag for If-None-Match"
//	@Header			200		{string}	Content-Language	"The answer's language: lang, else Accept-Language, else the server's default"
//	@Success		304		"Not modified (If-None-Match)"
//	@Failure		400		{object}	Problem		"Invalid lang"
//	@Failure		401		{object}	Problem		"An unknown or revoked key"
//	@Failure		404		{object}	Problem		"No such region"
//	@Failure		429		{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429		{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		413		{object}	Problem		"The request body is over 1 MiB"
//	@Failure		500		{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Router			/api/v1/regions/{code} [get]
func handleRegionGet(dir *directory.Service, langs languages) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang, err := langParam(c)
		if err != nil {
			return err
		}
		r, err := dir.Region(c.Request().Context(), c.Param("code"))
		if err != nil {
			return err
		}
		lang = langs.negotiate(c, lang)
		return c.JSON(http.StatusOK, toRegion(r, lang))
	}
}

// handleStats returns the directory's totals.
//
//	@Summary		Directory statistics
//	@Description	The number of organizations in all and by country (seat), region (seat or service region), focus area and membership status; each breakdown lists only entries with organizations, largest first.
//	@ID				getStats
//	@Tags			reference
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@x-key-optional	true
//	@Param			lang	query		string	false	"Language of the answer: names, descriptions and labels (else Accept-Language, else the server's default, ru)"	Enums(ru, en)	example(en)
//	@Success		200		{object}	Stats
//	@Header			200		{string}	ETag				"Entity tag for If-None-Match"
//	@Header			200		{string}	Content-Language	"The answer's language: lang, else Accept-Language, else the server's default"
//	@Success		304		"Not modified (If-None-Match)"
//	@Failure		400		{object}	Problem		"Invalid lang"
//	@Failure		401		{object}	Problem		"An unknown or revoked key"
//	@Failure		429		{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429		{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		413		{object}	Problem		"The request body is over 1 MiB"
//	@Failure		500		{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Router			/api/v1/stats [get]
func handleStats(dir *directory.Service, langs languages) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang, err := langParam(c)
		if err != nil {
			return err
		}
		st, err := dir.Stats(c.Request().Context())
		if err != nil {
			return err
		}
		lang = langs.negotiate(c, lang)
		out := Stats{
			Total:       st.Total,
			ByCountry:   make([]StatsEntry, 0, len(st.ByCountry)),
			ByRegion:    make([]StatsEntry, 0, len(st.ByRegion)),
			ByFocusArea: make([]StatsEntry, 0, len(st.ByFocusArea)),
			ByStatus:    make([]StatsEntry, 0, len(st.ByStatus)),
		}
		for _, e := range st.ByCountry {
			out.ByCountry = append(out.ByCountry, StatsEntry{Code: e.Code, Name: e.Name(lang), Count: e.Count})
		}
		for _, e := range st.ByRegion {
			out.ByRegion = append(out.ByRegion, StatsEntry{Code: e.Code, Name: e.Name(lang), Count: e.Count})
		}
		for _, e := range st.ByFocusArea {
			out.ByFocusArea = append(out.ByFocusArea, StatsEntry{Code: e.Slug, Name: e.Label(lang), Count: e.Count})
		}
		for _, e := range st.ByStatus {
			out.ByStatus = append(out.ByStatus, StatsEntry{Code: string(e.Status), Name: e.Status.Label(lang), Count: e.Count})
		}
		return c.JSON(http.StatusOK, out)
	}
}

func toCountry(c directory.CountryCount, lang string) Country {
	return Country{Code: c.Code, Name: c.Name(lang), Names: Names{EN: c.NameEN, RU: c.NameRU}, OrganizationCount: c.Count}
}

func toRegion(r directory.RegionCount, lang string) Region {
	return Region{Code: r.Code, CountryCode: r.CountryCode, Type: r.Type, Name: r.Name(lang),
		Names: Names{EN: r.NameEN, RU: r.NameRU}, OrganizationCount: r.Count}
}

package api

import (
	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"

	"github.com/coalition-directory/coalition/internal/directory"
)

// languages picks the one language of a response among those the
// directory keeps texts in.
type languages struct {
	matcher  language.Matcher
	fallback string
}

// newLanguages returns the negotiation of a server whose default language,
// for requests that ask for none the directory has, is fallback ("ru" or
// "en"; anything else is Russian, the coalition's working language).
func newLanguages(fallback string) languages {
	if fallback != directory.LangEN {
		fallback = directory.LangRU
	}
	return languages{matcher: language.NewMatcher([]language.Tag{language.Russian, language.English}), fallback: fallback}
}

// negotiate returns the language a response is written in: explicit (the
// lang parameter) when given, else the best match of Accept-Language, else
// the server's default. Every text of the answer follows it, and
// Content-Language names it; only an organization's own name and
// description fall back to its original language where it has none in it.
func (l languages) negotiate(c echo.Context, explicit string) string {
	lang := l.pick(c, explicit)
	c.Response().Header().Set("Content-Language", lang)
	return lang
}

// pick is negotiate for a response without texts of its own (a 204 whose
// failure may still carry an ETag): it sets no Content-Language.
func (l languages) pick(c echo.Context, explicit string) string {
	if explicit != "" {
		return explicit
	}
	return l.accepted(c.Request().Header.Get("Accept-Language"))
}

// accepted is the best match of an Accept-Language header, or the default.
func (l languages) accepted(header string) string {
	if header == "" {
		return l.fallback
	}
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return l.fallback
	}
	_, index, conf := l.matcher.Match(tags...)
	if conf == language.No {
		return l.fallback
	}
	return []string{directory.LangRU, directory.LangEN}[index]
}

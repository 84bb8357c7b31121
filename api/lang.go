package api

import (
	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"

	"github.com/coalition-directory/coalition/internal/directory"
)

// languages picks the language of a response among those the directory
// keeps texts in.
type languages struct {
	matcher language.Matcher
}

func newLanguages() languages {
	return languages{matcher: language.NewMatcher([]language.Tag{language.Russian, language.English})}
}

// negotiate returns the language a response is written in: explicit (the
// lang parameter) when given, else the best match of Accept-Language, else
// "" for each record's original language.
func (l languages) negotiate(c echo.Context, explicit string) string {
	if explicit != "" {
		return explicit
	}
	header := c.Request().Header.Get("Accept-Language")
	if header == "" {
		return ""
	}
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return ""
	}
	_, index, conf := l.matcher.Match(tags...)
	if conf == language.No {
		return ""
	}
	return []string{directory.LangRU, directory.LangEN}[index]
}

// setContentLanguage says which language the texts of a response are in,
// when one was chosen.
func setContentLanguage(c echo.Context, lang string) {
	if lang != "" {
		c.Response().Header().Set("Content-Language", lang)
	}
}

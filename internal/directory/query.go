package directory

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Sort orders an organization list.
type Sort string

// List orders. SortRelevance ranks name matches first and needs a search text.
const (
	SortName          Sort = "name"
	SortUpdatedAtDesc Sort = "-updated_at"
	SortRelevance     Sort = "relevance"
)

// Paging limits: lists are never unbounded, so one request costs little.
const (
	DefaultPerPage = 20
	MaxPerPage     = 100
	maxQueryLength = 200
	maxQueryTerms  = 8
	maxListValues  = 50
)

// ListQuery selects and orders organizations. Within one filter the values are
// alternatives (any of); different filters must all hold.
type ListQuery struct {
	Text          string // search text as typed; empty for none
	Countries     []string
	Regions       []string // the seat or a service region
	FocusAreas    []string
	Statuses      []MembershipStatus
	Languages     []string
	ModifiedAfter time.Time // zero for no bound
	Sort          Sort
	Lang          string // the language names are sorted in
	Page          int    // from 1
	PerPage       int
	Archived      bool // list archived organizations instead of live ones (admins)
	Highlight     bool // say where each result matched Text
}

// Offset is the number of organizations before the page.
func (q ListQuery) Offset() int { return (q.Page - 1) * q.PerPage }

var (
	countryCodePattern  = regexp.MustCompile(`^[A-Z]{2}$`)
	regionCodePattern   = regexp.MustCompile(`^[A-Z]{2}-[A-Z0-9]{1,3}$`)
	languageCodePattern = regexp.MustCompile(`^[a-z]{2,3}$`)
	slugPattern         = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
)

// ParseListQuery reads list parameters by their API names through get (an
// absent parameter is ""), checks their syntax and returns every problem at
// once, each naming its parameter. Codes are upper-cased before they are
// checked, so "ru" works as well as "RU"; whether a well-formed code exists is
// the Service's business, because it holds the reference data.
func ParseListQuery(get func(name string) string) (ListQuery, error) {
	var fe fieldErrors
	q := ListQuery{Page: 1, PerPage: DefaultPerPage, Sort: SortName}

	q.Text = normalizeText(get("q"))
	switch {
	case utf8.RuneCountInString(q.Text) > maxQueryLength:
		fe.add("q", "must be at most %d characters", maxQueryLength)
	case q.Text != "" && len(SearchTerms(q.Text)) == 0:
		fe.add("q", "must contain at least one letter or digit")
	case len(SearchTerms(q.Text)) > maxQueryTerms:
		fe.add("q", "must have at most %d words", maxQueryTerms)
	}

	q.Countries = parseList(&fe, "country", get("country"), strings.ToUpper, countryCodePattern, "an ISO 3166-1 alpha-2 code such as RU")
	q.Regions = parseList(&fe, "region", get("region"), strings.ToUpper, regionCodePattern, "an ISO 3166-2 code such as RU-NIZ")
	q.FocusAreas = parseList(&fe, "focus_area", get("focus_area"), strings.ToLower, slugPattern, "a focus-area slug such as shelter")
	q.Languages = parseList(&fe, "language", get("language"), strings.ToLower, languageCodePattern, "an ISO 639-1 code such as ru")
	for _, s := range parseList(&fe, "status", get("status"), strings.ToLower, slugPattern, "one of member, associate, former") {
		st := MembershipStatus(s)
		if !slices.Contains(MembershipStatuses, st) {
			fe.add("status", "unknown status %q: must be one of member, associate, former", s)
			continue
		}
		q.Statuses = append(q.Statuses, st)
	}

	if v := get("modified_after"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			fe.add("modified_after", "must be an RFC 3339 timestamp such as 2026-01-31T00:00:00Z")
		}
		q.ModifiedAfter = t.UTC()
	}

	if v := get("sort"); v != "" {
		switch s := Sort(v); s {
		case SortName, SortUpdatedAtDesc:
			q.Sort = s
		case SortRelevance:
			if q.Text == "" {
				fe.add("sort", "relevance needs a search text in q")
			}
			q.Sort = s
		default:
			fe.add("sort", "unknown sort %q: must be one of name, -updated_at, relevance", v)
		}
	} else if q.Text != "" {
		q.Sort = SortRelevance
	}

	switch v := get("archived"); v {
	case "", "false":
	case "true":
		q.Archived = true
	default:
		fe.add("archived", "must be true or false")
	}

	switch v := get("highlight"); v {
	case "", "false":
	case "true":
		q.Highlight = q.Text != ""
	default:
		fe.add("highlight", "must be true or false")
	}

	q.Page = parsePositive(&fe, "page", get("page"), 1, 1<<20)
	q.PerPage = parsePositive(&fe, "per_page", get("per_page"), DefaultPerPage, MaxPerPage)

	lang, err := ParseLang(get("lang"))
	if err != nil {
		fe.add("lang", "%s", err)
	}
	q.Lang = lang
	return q, fe.err("invalid query parameters")
}

// authorize checks that caller may see everything q selects. Parameters
// that widen what a list shows beyond the live directory (archived) need
// the admin role; every use case that takes a ListQuery calls this, so no
// route can widen what a caller sees by a parameter. It returns
// CodeUnauthorized or CodeForbidden.
func (q ListQuery) authorize(caller Caller) error {
	if q.Archived {
		return caller.require(RoleAdmin)
	}
	return nil
}

// ParseLang checks an explicit language choice: "ru", "en" or empty.
func ParseLang(v string) (string, error) {
	switch v = strings.ToLower(v); v {
	case "", LangRU, LangEN:
		return v, nil
	}
	return "", fmt.Errorf("unknown language %q: must be ru or en", v)
}

func parseList(fe *fieldErrors, field, raw string, normalize func(string) string, pattern *regexp.Regexp, want string) []string {
	if raw == "" {
		return nil
	}
	var out []string
	for _, v := range strings.Split(raw, ",") {
		v = normalize(strings.TrimSpace(v))
		if !pattern.MatchString(v) {
			fe.add(field, "%q is not %s", v, want)
			continue
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	if len(out) > maxListValues {
		fe.add(field, "at most %d values", maxListValues)
	}
	return out
}

func parsePositive(fe *fieldErrors, field, raw string, def, limit int) int {
	if raw == "" {
		return def
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > limit {
		fe.add(field, "must be a whole number from 1 to %d", limit)
		return def
	}
	return n
}

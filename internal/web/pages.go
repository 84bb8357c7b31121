package web

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/coalition-directory/coalition/internal/directory"
)

// option is one choice of a filter's <select>.
type option struct {
	Value    string
	Label    string
	Selected bool
}

// optionGroup is a labelled group of options (the regions of one country).
type optionGroup struct {
	Label   string
	Options []option
}

// orgSummary is one organization in a list.
type orgSummary struct {
	URL         string
	Name        string
	NameLang    string // the language of Name when it differs from the page's
	Acronym     string
	AcronymLang string    // the language of Acronym, by its script, when not the page's
	Place       placeText // city, region, country
	FocusAreas  []string
	Summary     string
	SummaryLang string // the language of Summary when it differs from the page's
}

// countryLink is a country with its count, linking to its page.
type countryLink struct {
	URL   string
	Name  string
	Count int
}

// listView is the directory's front page: the search form, the results and
// the counts by country.
type listView struct {
	page
	Query     string
	Countries []option
	// RegionOptions is the region filter's choices as HTML: hundreds of
	// them, drawn once per counts and language (countsView).
	RegionOptions string
	FocusAreas    []option
	Invalid       string // what is wrong with the query, in words, or ""
	Results       []orgSummary
	Total         int
	PageNum       int
	Pages         int
	Prev, Next    string
	Last          string // the last page of results, on a page past it
	Reset         string
	ByCountry     []countryLink
	Map           mapView
	Embed         string // the <iframe> snippet of this list
	// Live tells the page's script where results as you type come from:
	// "json" (the JSON API) for anonymous visitors, "" (none) for a
	// signed-in partner, whose results the key-only API would not show.
	Live string
}

// perPage is the length of a page of results.
const perPage = 20

// summaryRunes bounds the description shown in a list.
const summaryRunes = 220

func (h *Handler) handleList(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	view, status, err := h.listView(r, lang)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if status == http.StatusNotFound {
		h.render(w, r, status, "list past its end", pastEndPage(view))
		return
	}
	h.render(w, r, status, "list", listPage(view))
}

func (h *Handler) listView(r *http.Request, lang string) (*listView, int, error) {
	// The list, the counts and the vocabulary: one data version asked.
	ctx := directory.WithSharedVersion(r.Context())
	in := r.URL.Query()
	get := func(name string) string {
		switch name {
		case "q", "country", "region", "focus_area", "page":
			return in.Get(name)
		case "per_page":
			return strconv.Itoa(perPage)
		case "lang":
			return lang
		}
		return ""
	}
	q, err := directory.ParseListQuery(get)
	status := http.StatusOK
	var invalid []string
	var page directory.OrganizationPage
	if err == nil {
		page, err = h.dir.Organizations(ctx, q, callerOf(r))
	}
	var derr *directory.Error
	switch {
	case errors.As(err, &derr) && derr.Code == directory.CodeInvalid:
		status = http.StatusBadRequest
		for _, f := range derr.Fields {
			if label := h.msgs.text(lang, "field."+f.Field); !slices.Contains(invalid, label) {
				invalid = append(invalid, label)
			}
		}
	case err != nil:
		return nil, 0, err
	}

	title := h.msgs.text(lang, "list.title")
	if q.Text != "" && status == http.StatusOK {
		title = h.msgs.text(lang, "list.title_query")
		title = strings.Replace(title, "%s", q.Text, 1)
	}
	params := url.Values{"q": {in.Get("q")}, "country": {in.Get("country")}, "region": {in.Get("region")},
		"focus_area": {in.Get("focus_area")}}
	canonical := maps.Clone(params)
	if n, _ := strconv.Atoi(in.Get("page")); n > 1 {
		canonical.Set("page", strconv.Itoa(n))
	}
	rest := withQuery("/", canonical)
	if status != http.StatusOK {
		// A refused query is not repeated in the page's links (the
		// other language's, the embed snippet): the form shows it to mend.
		rest, params = "/", url.Values{}
	}
	v := &listView{
		page:  h.newPageAt(r, lang, title, h.msgs.text(lang, "list.description"), rest),
		Query: in.Get("q"),
		Total: page.Total,
		Reset: langPrefix(lang) + "/",
	}
	if _, signedIn := sessionOf(r); !signedIn {
		v.Live = "json"
	}
	if len(invalid) > 0 {
		v.Invalid = h.msgs.text(lang, "filter.invalid")
		v.Invalid = strings.Replace(v.Invalid, "%s", strings.Join(invalid, ", "), 1)
	}
	if status != http.StatusOK {
		v.noIndex()
	}
	v.Embed = embedSnippet(h.origin(r), lang, h.msgs.text(lang, "embed.title"), params)
	if err := h.fillFilters(ctx, lang, v, in); err != nil {
		return nil, 0, err
	}
	areas := v.focusLabels()
	for i := range page.Items {
		v.Results = append(v.Results, h.summary(&page.Items[i], lang, areas))
	}
	v.PageNum = max(q.Page, 1)
	v.Pages = (page.Total + perPage - 1) / perPage
	at := func(n int) string {
		p := url.Values{"q": {in.Get("q")}, "country": {in.Get("country")}, "region": {in.Get("region")},
			"focus_area": {in.Get("focus_area")}}
		if n > 1 {
			p.Set("page", strconv.Itoa(n))
		}
		return withQuery(langPrefix(lang)+"/", p) + "#results"
	}
	if status == http.StatusOK && v.PageNum > max(v.Pages, 1) {
		// A page past the last is none (an empty list still has its
		// first): 404, with a link to the last one.
		v.Last = at(max(v.Pages, 1))
		v.Title = h.msgs.text(lang, "results.past_end")
		v.noIndex()
		return v, http.StatusNotFound, nil
	}
	if v.PageNum > 1 {
		v.Prev = at(v.PageNum - 1)
	}
	if v.PageNum < v.Pages {
		v.Next = at(v.PageNum + 1)
	}
	return v, status, nil
}

// focusLabels maps focus-area slugs to the labels of the filter's options.
func (v *listView) focusLabels() map[string]string {
	m := make(map[string]string, len(v.FocusAreas))
	for _, o := range v.FocusAreas {
		m[o.Value] = o.Label
	}
	return m
}

// fillFilters lists the choices of the filters: countries and regions that
// have organizations (and whatever is selected), and every focus area; and
// draws the map of counts by region from the same totals. The counts are
// the service's, read on every request (directory.Cache keeps them until
// the next write), so a page shows a write at once.
func (h *Handler) fillFilters(ctx context.Context, lang string, v *listView, in url.Values) error {
	stats, err := h.dir.Stats(ctx)
	if err != nil {
		return err
	}
	areas, err := h.dir.Vocabulary(ctx)
	if err != nil {
		return err
	}
	counts := h.counts.get(h, lang, stats, areas)
	counts.withSelection(h.dir.Places(), lang, strings.ToUpper(in.Get("country")), strings.ToUpper(in.Get("region")), strings.ToLower(in.Get("focus_area")), v)
	v.Map.ViewBox = h.viewBox
	v.Map.Legend = mapLegend()
	return nil
}

// summary is an organization as a list shows it.
func (h *Handler) summary(o *directory.Organization, lang string, areas map[string]string) orgSummary {
	text, used := o.Text(lang)
	s := orgSummary{
		URL:         langPrefix(lang) + "/org/" + o.Slug,
		Name:        text.Name,
		NameLang:    partLang(used, lang),
		Acronym:     o.Acronym,
		AcronymLang: partLang(scriptLang(o.Acronym), lang),
		Place:       h.place(o, lang),
		Summary:     truncate(text.Description, summaryRunes),
		SummaryLang: partLang(descriptionLang(o, used), lang),
	}
	for _, f := range o.FocusAreas {
		s.FocusAreas = append(s.FocusAreas, cmp.Or(areas[f], f))
	}
	return s
}

// place names where an organization is: city, region, country.
func (h *Handler) place(o *directory.Organization, lang string) placeText {
	var parts []string
	region, country := o.PlaceNames(h.dir.Places(), lang)
	for _, name := range []string{region, country} {
		if name != "" {
			parts = append(parts, name)
		}
	}
	p := placeText{City: o.City, CityLang: partLang(scriptLang(o.City), lang), Rest: strings.Join(parts, ", ")}
	if p.City != "" && p.Rest != "" {
		p.Rest = ", " + p.Rest
	}
	return p
}

// truncate shortens s to at most n runes, at the last word boundary when
// that keeps more than half of them, with an ellipsis. The page's script
// shortens results from the JSON API alike (static/app.js). s is valid
// UTF-8 (the directory takes no other), whose runes it counts by their
// first bytes rather than decoding them.
func truncate(s string, n int) string {
	end, runes := len(s), 0 // end: the byte offset of rune n, if s has one
	space, before := -1, 0  // the last space before end, and the runes before it
	for i := 0; i < len(s); i++ {
		if s[i]&0xC0 == 0x80 { // a continuation byte
			continue
		}
		if runes == n {
			end = i
			break
		}
		if s[i] == ' ' {
			space, before = i, runes
		}
		runes++
	}
	if end == len(s) {
		return s
	}
	out := s[:end]
	if space > 0 && before > n/2 {
		out = out[:space]
	}
	return strings.TrimRight(out, " ,.;:—-") + "…"
}

package web

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"

	"github.com/coalition-directory/coalition/internal/directory"
)

// embedView is the compact list other sites show in an <iframe>.
type embedView struct {
	page
	Results []orgSummary
	Total   int
	More    string // the same list on the directory itself
	Invalid bool
}

// embedPerPage is how many organizations the widget lists.
const embedPerPage = 50

// handleEmbed renders /embed?region=…&focus_area=…&country=…&q=…&lang=…: the
// organizations matching the filters, for an <iframe> on a member's or
// partner's site. It is always anonymous (a cookie from the directory is
// not sent to it from another site, SameSite=Strict), and may be framed by
// the configured origins only.
func (h *Handler) handleEmbed(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	in := r.URL.Query()
	params := url.Values{"q": {in.Get("q")}, "country": {in.Get("country")}, "region": {in.Get("region")}, "focus_area": {in.Get("focus_area")}}
	q, err := directory.ParseListQuery(func(name string) string {
		switch name {
		case "q", "country", "region", "focus_area":
			return in.Get(name)
		case "per_page":
			return strconv.Itoa(embedPerPage)
		case "lang":
			return lang
		}
		return ""
	})
	ctx := directory.WithSharedVersion(r.Context()) // the list and the labels: one data version asked
	var list directory.OrganizationPage
	if err == nil {
		list, err = h.dir.Organizations(ctx, q, directory.Caller{})
	}
	status := http.StatusOK
	invalid := directory.ErrorCode(err) == directory.CodeInvalid
	if invalid {
		status = http.StatusBadRequest
	} else if err != nil {
		h.fail(w, r, err)
		return
	}
	if invalid {
		// A refused query is not repeated in the page's links.
		params = url.Values{}
	}
	p := h.newPageAt(r, lang, h.msgs.text(lang, "embed.title"), h.msgs.text(lang, "list.description"), withQuery("/embed", params))
	base := h.origin(r)
	p.Canonical = base + withQuery("/embed", withLang(params, lang))
	p.Switch = withQuery("/embed", withLang(params, otherLang(lang)))
	if invalid {
		p.noIndex()
	}
	v := &embedView{page: p, Total: list.Total, Invalid: invalid,
		More: base + withQuery(langPrefix(lang)+"/", params) + "#results"}
	labels := map[string]string{}
	if areas, err := h.dir.Vocabulary(ctx); err == nil {
		for _, a := range areas {
			labels[a.Slug] = a.Label(lang)
		}
	}
	for i := range list.Items {
		s := h.summary(&list.Items[i], lang, labels)
		s.URL = base + s.URL
		v.Results = append(v.Results, s)
	}
	buf := h.buffer()
	defer h.buffers.Put(buf)
	if err := embedPage(v).Render(r.Context(), buf); err != nil {
		h.fail(w, r, fmt.Errorf("render embed: %w", err))
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeHTML(w, status, buf.Bytes())
}

func otherLang(lang string) string {
	if lang == directory.LangEN {
		return directory.LangRU
	}
	return directory.LangEN
}

// withLang returns q with lang set (Russian, the default, is left out).
func withLang(q url.Values, lang string) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	if lang == directory.LangEN {
		out.Set("lang", lang)
	}
	return out
}

// embedSnippet is the HTML a site pastes to show the list matching params.
func embedSnippet(base, lang, title string, params url.Values) string {
	src := base + withQuery("/embed", withLang(params, lang))
	return `<iframe src="` + html.EscapeString(src) + `" title="` + html.EscapeString(title) +
		`" width="100%" height="480" loading="lazy" style="border:1px solid #c9ced6"></iframe>`
}

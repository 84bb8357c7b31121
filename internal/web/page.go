package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/a-h/templ"

	"github.com/coalition-directory/coalition/internal/directory"
)

// page is what the layout of every page needs: the language, the texts of
// the head (title, description, canonical and alternate links) and the
// visitor's sign-in state. Each page's view embeds it.
type page struct {
	Lang        string
	Title       string
	Description string
	// Path is the page's own path without the language prefix, with its
	// query: the same page in the other language is the prefix plus Path.
	Path      string
	Canonical string            // absolute URL of the page in this language
	AltRU     string            // absolute URL of the page in Russian
	AltEN     string            // absolute URL of the page in English
	Switch    string            // the page in the other language (relative)
	Home      string            // the directory's front page in this language
	Partner   string            // the signed-in partner's key name, or ""
	CSRF      string            // the token forms that post must carry
	Assets    map[string]string // versioned URLs of the assets by name
	// NoIndex asks search engines not to index the page (an error page):
	// it has no canonical, og:url or alternate links then.
	NoIndex bool
	msgs    catalogue
	frame   *frame // what every page of Lang shares, drawn at start
}

// T returns the catalogue's text for key in the page's language.
func (p *page) T(key string) string { return p.msgs.text(p.Lang, key) }

// Text returns the catalogue's text for key in the page's language as
// HTML, escaped once at start: templates write a message that stands alone
// in an element with it, and use T for an attribute's value or a message
// within other text.
func (p *page) Text(key string) templ.Component {
	if f, ok := p.frame.texts[key]; ok {
		return f
	}
	return &fragment{html: templ.EscapeString(p.T(key))}
}

// Tf returns the text for key with args put in its verbs.
func (p *page) Tf(key string, args ...any) string {
	return fmt.Sprintf(p.msgs.text(p.Lang, key), args...)
}

// N returns the plural form of key for n.
func (p *page) N(key string, n int) string { return p.msgs.count(p.Lang, key, n) }

// Link returns path (which starts with "/") in the page's language.
func (p *page) Link(path string) string { return langPrefix(p.Lang) + path }

// Asset returns the versioned URL of an embedded asset, or "" for a name
// that is none: TestTemplatesNameAssets fails when a template asks for one.
func (p *page) Asset(name string) string { return p.Assets[name] }

// langOf returns the language of a request: English under /en/ (and
// /embed?lang=en), else Russian, the coalition's working language.
func langOf(r *http.Request) string {
	if r.URL.Path == "/en" || strings.HasPrefix(r.URL.Path, "/en/") {
		return directory.LangEN
	}
	if r.URL.Path == "/embed" && strings.EqualFold(r.URL.Query().Get("lang"), directory.LangEN) {
		return directory.LangEN
	}
	return directory.LangRU
}

func langPrefix(lang string) string {
	if lang == directory.LangEN {
		return "/en"
	}
	return ""
}

// newPage fills the layout's part of a view. rest is the request's path
// without its language prefix, plus a query when the page has one that
// changes what it shows (canonical links keep it).
func (h *Handler) newPage(r *http.Request, lang, title, description string) page {
	rest := strings.TrimPrefix(r.URL.Path, langPrefix(lang))
	if rest == "" {
		rest = "/"
	}
	return h.newPageAt(r, lang, title, description, rest)
}

func (h *Handler) newPageAt(r *http.Request, lang, title, description, rest string) page {
	origin := h.origin(r)
	other := directory.LangEN
	if lang == directory.LangEN {
		other = directory.LangRU
	}
	p := page{
		Lang:        lang,
		Title:       title,
		Description: description,
		Path:        rest,
		AltRU:       origin + rest,
		AltEN:       origin + "/en" + rest,
		Switch:      langPrefix(other) + rest,
		Home:        langPrefix(lang) + "/",
		Assets:      h.assetURLs,
		msgs:        h.msgs,
		frame:       h.frames[lang],
	}
	p.Canonical = p.AltRU
	if lang == directory.LangEN {
		p.Canonical = p.AltEN
	}
	if s, ok := sessionOf(r); ok {
		p.Partner = s.name
	}
	p.CSRF = csrfOf(r)
	return p
}

// noIndex makes p an error page's: not to be indexed, with no canonical,
// og:url or alternate links, which would repeat the request's query.
func (p *page) noIndex() {
	p.NoIndex = true
	p.Canonical, p.AltRU, p.AltEN = "", "", ""
}

// origin is the origin of the pages' absolute links (canonical, og:url,
// alternates, the embed snippet and its links): the configured public URL
// (Options.PublicURL), else the scheme and host the request came to.
func (h *Handler) origin(r *http.Request) string {
	if h.publicURL != "" {
		return h.publicURL
	}
	return requestOrigin(r)
}

// requestOrigin is the scheme and host the request came to: its Host
// header, which the client chooses.
func requestOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// withQuery returns path with the non-empty values of q, in a stable order.
func withQuery(path string, q url.Values) string {
	clean := url.Values{}
	for k, vs := range q {
		for _, v := range vs {
			if v != "" {
				clean.Add(k, v)
			}
		}
	}
	if len(clean) == 0 {
		return path
	}
	return path + "?" + clean.Encode()
}

// fragment is HTML drawn once and written as it is, with no work per
// request: a message escaped at start, or a part of the layout that is the
// same on every page of a language.
type fragment struct{ html string }

// Render writes the fragment.
func (f *fragment) Render(_ context.Context, w io.Writer) error {
	_, err := io.WriteString(w, f.html)
	return err
}

// frame is what every page of one language shares, drawn once at start:
// the catalogue's messages as HTML, and the parts of the layout that hold
// nothing of the request (Home, the assets' URLs and messages only).
type frame struct {
	texts map[string]*fragment
	// head ends the <head>: the site's name and the assets. skip is the
	// link to the content, brand the site's name linking home, signIn the
	// header's sign-in link for visitors who are not signed in, and footer
	// the page's foot.
	head, skip, brand, signIn, footer *fragment
}

// newFrame draws the frame of lang's pages.
func (h *Handler) newFrame(lang string) *frame {
	f := &frame{texts: make(map[string]*fragment, len(h.msgs))}
	for key := range h.msgs {
		f.texts[key] = &fragment{html: templ.EscapeString(h.msgs.text(lang, key))}
	}
	p := &page{Lang: lang, Home: langPrefix(lang) + "/", Assets: h.assetURLs, msgs: h.msgs, frame: f}
	draw := func(c templ.Component) *fragment { return &fragment{html: renderHTML(c)} }
	f.head, f.skip, f.brand = draw(layoutHead(p)), draw(layoutSkip(p)), draw(layoutBrand(p))
	f.signIn, f.footer = draw(layoutSignIn(p)), draw(layoutFooter(p))
	return f
}

// text is a string that templates write with @text(s) where it stands
// alone in an element: escaped straight into the page. templ's { s } would
// format it with fmt.Sprint first, a copy per expression of every page;
// within other text, where @ would lose the spaces around it, they use
// { s }.
type text string

// Render writes the text, escaped.
func (s text) Render(_ context.Context, w io.Writer) error {
	_, err := io.WriteString(w, templ.EscapeString(string(s)))
	return err
}

// scriptLang is the language of a text whose record names none (a city,
// an address, a contact's name or role, a phone's note), told by its
// script: "ru" for Cyrillic letters only, "en" for Latin letters only, ""
// for both or neither. The pages mark text in a language other than their
// own with it (WCAG 2.2 SC 3.1.2, Language of Parts).
func scriptLang(s string) string {
	var cyrillic, latin bool
	for _, r := range s {
		switch {
		case r < 0x80:
			latin = latin || ('a' <= r|0x20 && r|0x20 <= 'z')
		case unicode.Is(unicode.Cyrillic, r):
			cyrillic = true
		case unicode.Is(unicode.Latin, r):
			latin = true
		}
	}
	switch {
	case cyrillic && !latin:
		return directory.LangRU
	case latin && !cyrillic:
		return directory.LangEN
	}
	return ""
}

// partLang is the lang attribute of a text in textLang on a page in
// pageLang: textLang when they differ, else "" (the page's own language
// needs no mark).
func partLang(textLang, pageLang string) string {
	if textLang == pageLang {
		return ""
	}
	return textLang
}

// descriptionLang is the language of the description o.Text(lang) gives,
// which used says the name is in: the original language's description
// stands in for a translation that has a name but no description.
func descriptionLang(o *directory.Organization, used string) string {
	if o.Translations[used].Description == "" {
		return o.OriginalLanguage
	}
	return used
}

// placeText is where an organization is: its city as the record writes it
// (in CityLang when that is not the page's language), then Rest, the
// region's and country's names in the page's language with their commas.
type placeText struct {
	City, CityLang, Rest string
}

// String is the place as one line of text.
func (p placeText) String() string { return p.City + p.Rest }

// ParsePublicURL checks a public base URL of the pages (Options.PublicURL):
// an absolute http or https URL of an origin, with no path but "/", no
// query, fragment or user (RFC 3986 section 4.3). It returns its origin,
// scheme://host[:port] in lower case, or an error that says what is wrong.
func ParsePublicURL(s string) (string, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "", fmt.Errorf("%q is not a URL: %w", s, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("%q is not an absolute http:// or https:// URL", s)
	case u.Host == "" || u.Hostname() == "":
		return "", fmt.Errorf("%q has no host", s)
	case u.User != nil:
		return "", fmt.Errorf("%q has a user", s)
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.ForceQuery, u.Fragment != "":
		return "", fmt.Errorf("%q has a path, query or fragment: the pages are served at the root of an origin", s)
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}

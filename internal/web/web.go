// Package web serves the directory as people use it: server-rendered HTML
// pages in Russian and English (search and filters, organization and
// country pages, a region map, partner sign-in, an embeddable list). Pages
// call directory.Service like the JSON API does, work without JavaScript,
// and load nothing from another origin; scripts only enhance them.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/a-h/templ"

	"github.com/coalition-directory/coalition/internal/directory"
)

//go:generate go tool templ generate

//go:embed static
var staticFiles embed.FS

// Options are the pages' settings.
type Options struct {
	// FrameAncestors are the origins allowed to show /embed in a frame
	// (CSP frame-ancestors sources, see CheckFrameAncestors); empty means
	// any ("*"). Other pages may never be framed.
	FrameAncestors []string
	// PublicURL is the origin people reach the pages at
	// ("https://directory.example.org", see ParsePublicURL): canonical,
	// og:url and alternate links and the embed snippet's URLs start with
	// it. Empty means the origin each request names in its Host header.
	PublicURL string
}

// Handler serves the pages. Build it with New.
type Handler struct {
	log    *slog.Logger
	dir    *directory.Service
	msgs   catalogue
	assets map[string]asset
	// publicURL is the origin of absolute links, or "" for the request's.
	publicURL string
	// assetURLs are the assets' URLs by name, versioned by content hash.
	assetURLs map[string]string
	// frames are what every page of a language shares, by language.
	frames map[string]*frame
	// pageCSP and embedCSP are the Content-Security-Policy of the pages
	// and of /embed, which differ in who may frame them.
	pageCSP, embedCSP string
	// regionMap is the map's outlines, drawn once at start.
	regionMap *regionMap
	viewBox   string // the map's SVG viewBox
	mux       *http.ServeMux
	counts    countsViews
	// buffers are pages' output buffers, reused: a front page is some
	// 100 KB, which a new buffer would grow to by copying it several times.
	buffers sync.Pool
}

// asset is an embedded static file with its content hash, which versions
// its URL so it can be cached for good.
type asset struct {
	body        []byte
	contentType string
	version     string
}

// newAsset returns body as an asset, versioned by its SHA-256.
func newAsset(body []byte, contentType string) asset {
	sum := sha256.Sum256(body)
	return asset{body: body, contentType: contentType, version: hex.EncodeToString(sum[:6])}
}

// New reads every asset and draws the region map (whose outlines become
// the asset regions.svg), so a broken one fails the start rather than a
// request; it refuses FrameAncestors that CheckFrameAncestors refuses and
// a PublicURL that ParsePublicURL refuses.
func New(log *slog.Logger, dir *directory.Service, opts Options) (*Handler, error) {
	if err := CheckFrameAncestors(opts.FrameAncestors); err != nil {
		return nil, fmt.Errorf("frame ancestors: %w", err)
	}
	h := &Handler{log: log, dir: dir, msgs: messages(), assets: map[string]asset{}, frames: map[string]*frame{}}
	if opts.PublicURL != "" {
		var err error
		if h.publicURL, err = ParsePublicURL(opts.PublicURL); err != nil {
			return nil, fmt.Errorf("public URL: %w", err)
		}
	}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		h.assets[path.Base(p)] = newAsset(body, contentType(path.Ext(p)))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read assets: %w", err)
	}
	if h.regionMap, err = loadRegionMap(regionsTopoJSON); err != nil {
		return nil, err
	}
	h.assets[outlinesName] = newAsset(h.regionMap.outlines(), contentType(".svg"))
	h.viewBox = h.regionMap.viewBox()
	h.assetURLs = make(map[string]string, len(h.assets))
	for name, a := range h.assets {
		h.assetURLs[name] = "/assets/" + name + "?v=" + a.version
	}
	for _, lang := range []string{directory.LangRU, directory.LangEN} {
		h.frames[lang] = h.newFrame(lang)
	}
	embedFA := "*"
	if len(opts.FrameAncestors) > 0 {
		embedFA = strings.Join(opts.FrameAncestors, " ")
	}
	h.pageCSP, h.embedCSP = contentSecurityPolicy("'none'"), contentSecurityPolicy(embedFA)
	h.mux = h.routes()
	return h, nil
}

// contentType is the media type of an embedded asset by its extension.
func contentType(ext string) string {
	switch ext {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	}
	return "application/octet-stream"
}

// routes lists every page: Russian at the root, English under /en/.
func (h *Handler) routes() *http.ServeMux {
	mux := http.NewServeMux()
	for _, prefix := range []string{"", "/en"} {
		mux.HandleFunc("GET "+prefix+"/{$}", h.handleList)
		mux.HandleFunc("GET "+prefix+"/org/{slug}", h.handleOrganization)
		mux.HandleFunc("GET "+prefix+"/country/{code}", h.handleCountry)
	}
	mux.HandleFunc("GET /en", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/en/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /signin", h.handleSignInForm)
	mux.HandleFunc("GET /en/signin", h.handleSignInForm)
	mux.HandleFunc("GET /org/{slug}/contacts.vcf", h.handleVCard)
	mux.HandleFunc("GET /en/org/{slug}/contacts.vcf", h.handleVCard)
	// Posts come only from this origin's own forms: the browser's
	// Sec-Fetch-Site or Origin says so, and a CSRF token besides.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(h.handleCrossOrigin))
	mux.Handle("POST /signin", cop.Handler(http.HandlerFunc(h.handleSignIn)))
	mux.Handle("POST /signout", cop.Handler(http.HandlerFunc(h.handleSignOut)))
	mux.HandleFunc("GET /embed", h.handleEmbed)
	mux.HandleFunc("GET /assets/{name}", h.handleAsset)
	mux.HandleFunc("/", h.handleNotFound)
	return mux
}

// ServeHTTP serves a page with the headers every page has: a strict
// Content-Security-Policy (only this origin's scripts, styles and images;
// no framing except /embed), no MIME sniffing, no referrer beyond the origin.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.setHeaders(w, r)
	if r.URL.Path != "/embed" && !strings.HasPrefix(r.URL.Path, "/assets/") {
		r = h.withSession(w, r)
		w.Header().Add("Vary", "Cookie")
		if _, ok := sessionOf(r); ok {
			// A partner's pages show what the public may not see.
			w.Header().Set("Cache-Control", "private, no-store")
		}
	}
	h.mux.ServeHTTP(w, r)
}

// ServeError answers a page request that failed before any page ran (too
// many requests, a form over the size limit, an internal error) with the
// error page and status, in the language of the request's path, with the
// headers every page has and Cache-Control no-store. It says nothing of the
// cause; headers the status needs (Retry-After) are the caller's. A 429
// says there were too many requests and, from Retry-After, when to retry.
func (h *Handler) ServeError(w http.ResponseWriter, r *http.Request, status int) {
	h.setHeaders(w, r)
	w.Header().Set("Cache-Control", "no-store")
	lang := langOf(r)
	if status == http.StatusTooManyRequests {
		view := h.newPage(r, lang, h.msgs.text(lang, "toomany.title"), "")
		view.noIndex()
		text := h.msgs.text(lang, "toomany.later")
		// Retry-After in seconds (RFC 9110 section 10.2.3), as the rate
		// limit sets it; an HTTP date, or none, says "a little later".
		if secs, err := strconv.Atoi(w.Header().Get("Retry-After")); err == nil && secs > 0 {
			text = h.msgs.count(lang, "toomany.after", secs)
		}
		h.render(w, r, status, "too many requests", tooManyPage(&view, text))
		return
	}
	view := h.newPage(r, lang, h.msgs.text(lang, "error.title"), "")
	view.noIndex()
	h.render(w, r, status, "error", messagePage(&view, "error.title", "error.text"))
}

// setHeaders sets the headers every page has.
func (h *Handler) setHeaders(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	if r.URL.Path == "/embed" {
		hd.Set("Content-Security-Policy", h.embedCSP)
	} else {
		hd.Set("Content-Security-Policy", h.pageCSP)
		hd.Set("X-Frame-Options", "DENY")
	}
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
}

// contentSecurityPolicy is the pages' policy (CSP Level 3): scripts,
// styles, images and fetches from this origin only, forms posting to it,
// and frameAncestors (sources, or 'none') allowed to frame the page.
func contentSecurityPolicy(frameAncestors string) string {
	return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
		"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors " + frameAncestors
}

// render writes a page into a buffer first, so a failing component gives a
// clean error page rather than half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, c templ.Component) {
	buf := h.buffer()
	defer h.buffers.Put(buf)
	if err := c.Render(r.Context(), buf); err != nil {
		h.fail(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	writeHTML(w, status, buf.Bytes())
}

// writeHTML sends a whole page with its length, which spares the
// connection chunked encoding (compression, when asked for, drops the
// length).
func writeHTML(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// buffer returns an empty output buffer from the pool, or a new one.
func (h *Handler) buffer() *bytes.Buffer {
	if b, ok := h.buffers.Get().(*bytes.Buffer); ok {
		b.Reset()
		return b
	}
	return bytes.NewBuffer(make([]byte, 0, 64<<10))
}

// fail logs an unexpected error with its cause and shows the error page,
// which says nothing of the cause. When the client has gone away (the
// request's context is cancelled, which is why the page failed) nothing
// failed on this side: it logs that at debug level and shows nothing.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		h.log.DebugContext(r.Context(), "page abandoned by its client", "path", r.URL.Path, "error", err)
		return
	}
	h.log.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "error", err)
	lang := langOf(r)
	view := h.newPage(r, lang, h.msgs.text(lang, "error.title"), "")
	view.noIndex()
	var buf bytes.Buffer
	if err := messagePage(&view, "error.title", "error.text").Render(r.Context(), &buf); err != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	writeHTML(w, http.StatusInternalServerError, buf.Bytes())
}

func (h *Handler) handleAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := h.assets[r.PathValue("name")]
	if !ok {
		h.handleNotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", a.contentType)
	if r.URL.Query().Get("v") == a.version {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "public, max-age=300")
	}
	w.Write(a.body)
}

func (h *Handler) handleNotFound(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	view := h.newPage(r, lang, h.msgs.text(lang, "notfound.title"), "")
	view.noIndex()
	h.render(w, r, http.StatusNotFound, "notfound", notFoundPage(&view))
}

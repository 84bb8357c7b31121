package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/coalition-directory/coalition/internal/directory"
)

// Cookie names. Behind TLS they take the __Host- prefix, which browsers
// accept only from a secure origin, for the whole host, never a domain.
const (
	sessionCookie = "session"
	csrfCookie    = "csrf"
)

// session is a signed-in partner's session as a request carries it.
type session struct {
	token  string
	name   string
	caller directory.Caller
}

type contextKey int

const (
	sessionKey contextKey = iota
	csrfKey
)

func sessionOf(r *http.Request) (session, bool) {
	s, ok := r.Context().Value(sessionKey).(session)
	return s, ok
}

// csrfOf returns the token that forms of this page must post back, or ""
// when the page has no form that posts.
func csrfOf(r *http.Request) string {
	t, _ := r.Context().Value(csrfKey).(string)
	return t
}

// callerOf is who the pages act for: the signed-in partner, or anonymous.
func callerOf(r *http.Request) directory.Caller {
	if s, ok := sessionOf(r); ok {
		return s.caller
	}
	return directory.Caller{}
}

// secure reports whether the request came over TLS (directly or through a
// proxy that says so), so cookies are marked Secure.
func secure(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

func cookieName(r *http.Request, name string) string {
	if secure(r) {
		return "__Host-" + name
	}
	return name
}

// setCookie sets a cookie that script cannot read and other sites' requests
// do not carry. maxAge 0 makes a cookie for the browser's session; negative
// deletes it.
func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name:     cookieName(r, name),
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   secure(r),
		SameSite: http.SameSiteStrictMode,
	})
}

// withSession resolves the session cookie, if any, into the request's
// context. A cookie whose session ended (signed out, expired, its key
// revoked) is deleted, and the visitor is anonymous.
func (h *Handler) withSession(w http.ResponseWriter, r *http.Request) *http.Request {
	c, err := r.Cookie(cookieName(r, sessionCookie))
	if err != nil || c.Value == "" {
		return r
	}
	caller, err := h.dir.SessionCaller(r.Context(), c.Value)
	if err != nil {
		if directory.ErrorCode(err) != directory.CodeUnauthorized {
			h.log.ErrorContext(r.Context(), "look up session", "error", err)
		}
		setCookie(w, r, sessionCookie, "", -1)
		return r
	}
	ctx := context.WithValue(r.Context(), sessionKey, session{token: c.Value, name: caller.Name, caller: caller})
	r = r.WithContext(ctx)
	return h.withCSRF(w, r)
}

// withCSRF gives the request the visitor's CSRF token (a random value in a
// cookie of its own, made when missing). Forms that post carry it in a
// hidden field and checkCSRF compares the two: another site can neither
// read the cookie nor, being cross-site, send it (SameSite=Strict).
func (h *Handler) withCSRF(w http.ResponseWriter, r *http.Request) *http.Request {
	token := ""
	if c, err := r.Cookie(cookieName(r, csrfCookie)); err == nil && len(c.Value) == 43 {
		token = c.Value
	} else {
		random := make([]byte, 32)
		rand.Read(random)
		token = base64.RawURLEncoding.EncodeToString(random)
		setCookie(w, r, csrfCookie, token, 0)
	}
	return r.WithContext(context.WithValue(r.Context(), csrfKey, token))
}

// checkCSRF reports whether a posted form carries the visitor's CSRF token.
func checkCSRF(r *http.Request) bool {
	c, err := r.Cookie(cookieName(r, csrfCookie))
	if err != nil || c.Value == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) == 1
}

// signinView is the sign-in form.
type signinView struct {
	page
	Failed bool
}

// describedBy lists the ids of the texts that describe the key's field.
func (v *signinView) describedBy() string {
	if v.Failed {
		return "key-help signin-error"
	}
	return "key-help"
}

// maxFormBytes bounds the body of the pages' forms.
const maxFormBytes = 4 << 10

func (h *Handler) handleSignInForm(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	if _, ok := sessionOf(r); ok {
		http.Redirect(w, r, langPrefix(lang)+"/", http.StatusSeeOther)
		return
	}
	r = h.withCSRF(w, r)
	v := &signinView{page: h.newPage(r, lang, h.msgs.text(lang, "signin.title"), h.msgs.text(lang, "signin.description"))}
	h.render(w, r, http.StatusOK, "signin", signInPage(v))
}

// handleSignIn takes a partner's key from the form, once: the key goes no
// further than the check, is never put in a URL, a page or a log, and the
// browser gets only a session cookie that script cannot read.
func (h *Handler) handleSignIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	lang := formLang(r)
	if !checkCSRF(r) {
		h.forbidden(w, r, lang)
		return
	}
	token, _, err := h.dir.SignIn(r.Context(), strings.TrimSpace(r.PostFormValue("key")))
	if directory.ErrorCode(err) == directory.CodeUnauthorized {
		r = h.withCSRF(w, r)
		v := &signinView{page: h.newPageAt(r, lang, h.msgs.text(lang, "signin.title"), h.msgs.text(lang, "signin.description"), "/signin"), Failed: true}
		v.noIndex()
		h.render(w, r, http.StatusUnauthorized, "signin", signInPage(v))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	setCookie(w, r, sessionCookie, token, int(directory.SessionLifetime.Seconds()))
	http.Redirect(w, r, langPrefix(lang)+"/", http.StatusSeeOther)
}

// handleSignOut ends the session at once, for every process, and deletes
// the cookie.
func (h *Handler) handleSignOut(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	lang := formLang(r)
	if !checkCSRF(r) {
		h.forbidden(w, r, lang)
		return
	}
	if s, ok := sessionOf(r); ok {
		if err := h.dir.SignOut(r.Context(), s.token); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, langPrefix(lang)+"/", http.StatusSeeOther)
}

// formLang is the language of a posted form's page: its hidden field
// "lang" (the forms post to paths without a language prefix), else the
// path's. The caller bounds the body.
func formLang(r *http.Request) string {
	if r.PostFormValue("lang") == directory.LangEN {
		return directory.LangEN
	}
	return langOf(r)
}

// handleCrossOrigin answers a form post that http.CrossOriginProtection
// refused (another origin's, by Sec-Fetch-Site or Origin) with the site's
// 403 page in the form's language, rather than the protection's plain
// English text.
func (h *Handler) handleCrossOrigin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	h.forbidden(w, r, formLang(r))
}

// forbidden answers a form post without a valid CSRF token.
func (h *Handler) forbidden(w http.ResponseWriter, r *http.Request, lang string) {
	view := h.newPage(r, lang, h.msgs.text(lang, "forbidden.title"), "")
	view.noIndex()
	h.render(w, r, http.StatusForbidden, "forbidden", messagePage(&view, "forbidden.title", "forbidden.text"))
}

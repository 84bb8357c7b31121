package web

import (
	"net/http"

	"github.com/coalition-directory/coalition/internal/directory"
)

// session is a signed-in partner's session as a request carries it.
type session struct {
	name   string
	caller directory.Caller
}

func sessionOf(r *http.Request) (session, bool) { return session{}, false }

func csrfOf(r *http.Request) string { return "" }

// callerOf is who the pages act for: the signed-in partner, or anonymous.
func callerOf(r *http.Request) directory.Caller {
	if s, ok := sessionOf(r); ok {
		return s.caller
	}
	return directory.Caller{}
}

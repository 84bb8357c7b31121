package web

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ancestorSource matches a scheme-source or a host-source of CSP Level 3
// (section 2.3.1), "*" included: a scheme ("https:"), or an optional scheme
// and "://", a host ("*", "*.example.org", "example.org"), an optional port
// (digits or "*") and an optional absolute path. The path leaves out ";" and
// ",", which the grammar allows but which end a directive or a policy: CSP
// asks for them percent-encoded.
var ancestorSource = regexp.MustCompile(`^(?:` +
	`[A-Za-z][A-Za-z0-9+.\-]*:` + // scheme-source
	`|` +
	`(?:[A-Za-z][A-Za-z0-9+.\-]*://)?` + // scheme-part "://"
	`(?:\*|(?:\*\.)?[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.?)` + // host-part
	`(?::(?:[0-9]+|\*))?` + // port-part
	`(?:/(?:(?:[A-Za-z0-9\-._~!$&'()*+=:@]|%[0-9A-Fa-f]{2})+(?:/(?:[A-Za-z0-9\-._~!$&'()*+=:@]|%[0-9A-Fa-f]{2})*)*)?)?` + // path-part
	`)$`)

// CheckFrameAncestors reports whether sources may make up the
// frame-ancestors directive of a Content-Security-Policy (CSP Level 3,
// section 6.4.2): each a scheme-source ("https:"), a host-source
// ("https://*.example.org:8443/path", or "*") or 'self', or 'none' alone.
// Anything else, such as "https://a.example; script-src *", would change
// the policy, so the error names every value that is none of those.
func CheckFrameAncestors(sources []string) error {
	var errs []error
	for _, s := range sources {
		switch {
		case strings.EqualFold(s, "'none'"):
			if len(sources) > 1 {
				errs = append(errs, fmt.Errorf("%q: 'none' allows no other source", s))
			}
		case strings.EqualFold(s, "'self'"), ancestorSource.MatchString(s):
		default:
			errs = append(errs, fmt.Errorf("%q is not a CSP source: want a scheme (https:), a host (https://*.example.org:8443), 'self', 'none' or *", s))
		}
	}
	return errors.Join(errs...)
}

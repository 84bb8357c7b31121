package api

import (
	"net/url"
	"strings"

	"github.com/coalition-directory/coalition/internal/directory"
)

// redacted replaces a secret in a logged URL.
const redacted = "REDACTED"

// secretParam reports whether a query parameter's values are credentials
// whoever sends them: keys belong in the Authorization header or the
// sign-in form's body, but people paste them into URLs under these names.
func secretParam(name string) bool {
	switch strings.ToLower(name) {
	case "key", "api_key", "apikey", "api-key", "access_token", "token", "secret", "password", "authorization":
		return true
	}
	return false
}

// redactURI returns a request URI (RFC 9112 request-target, as logged) with
// every value that may be an API key replaced by REDACTED, so that a key
// pasted into a URL does not end up in the log: the value of a query
// parameter named like a credential (key, api_key, token, ...), and any
// query value or path segment that holds the key prefix
// (directory.KeySecretPrefix, "cdk_"), percent-encoded or not, or a query
// parameter whose name holds it (whole). Other names, the order and the
// other values stay as they were sent.
func redactURI(uri string) string {
	path, query, hasQuery := strings.Cut(uri, "?")
	if holdsKey(path) {
		segments := strings.Split(path, "/")
		for i, s := range segments {
			if holdsKey(s) {
				segments[i] = redacted
			}
		}
		path = strings.Join(segments, "/")
	}
	if !hasQuery {
		return path
	}
	params := strings.Split(query, "&")
	for i, p := range params {
		name, value, hasValue := strings.Cut(p, "=")
		n, err := url.QueryUnescape(name)
		if err != nil {
			n = name
		}
		switch {
		case holdsKey(name):
			params[i] = redacted // a key pasted where a name goes: ?cdk_…
		case hasValue && (secretParam(n) || holdsKey(value)):
			params[i] = name + "=" + redacted
		}
	}
	return path + "?" + strings.Join(params, "&")
}

// holdsKey reports whether s, percent-decoded or as it is, contains the
// key prefix in any case.
func holdsKey(s string) bool {
	if d, err := url.QueryUnescape(s); err == nil {
		s = d // decoding keeps the prefix of a key sent as it is
	}
	return containsFold(s, directory.KeySecretPrefix)
}

// containsFold reports whether s contains substr, ignoring ASCII case.
func containsFold(s, substr string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(substr))
}

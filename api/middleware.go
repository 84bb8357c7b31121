package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/coalition-directory/coalition/internal/directory"
)

// apiPolicy is the Content-Security-Policy of every response but the pages
// and the docs, which set their own: a JSON answer opened in a browser runs
// nothing, loads nothing and cannot be framed.
const apiPolicy = "default-src 'none'; frame-ancestors 'none'"

// securityHeaders gives every response the headers that keep a browser
// from misreading it: no MIME sniffing (so a JSON body is never run as a
// script or page), no Referer sent on from it, and apiPolicy, which pages
// replace with their own.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", apiPolicy)
		return next(c)
	}
}

// readPrimary pins the reads of a request to the primary database when
// the database has read replicas, which may lag behind it: a request
// carrying If-Match acts on the latest version, and a client that sends
// Cache-Control: no-cache (RFC 9111, 5.2.1.4) asks for an answer that
// reflects every committed write, its own included. Other reads of lists,
// searches and exports may come from a replica.
func readPrimary(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Header.Get("If-Match") != "" || noCache(req.Header.Values("Cache-Control")) {
			c.SetRequest(req.WithContext(directory.WithPrimary(req.Context())))
		}
		return next(c)
	}
}

// noCache reports whether Cache-Control values hold the no-cache directive.
func noCache(values []string) bool {
	for _, v := range values {
		for _, d := range strings.Split(v, ",") {
			if name, _, _ := strings.Cut(strings.TrimSpace(d), "="); strings.EqualFold(name, "no-cache") {
				return true
			}
		}
	}
	return false
}

// cacheable serves GET responses with an ETag (a hash of the body), answers
// a matching If-None-Match with 304 Not Modified, and sets Cache-Control:
// anonymous responses may be cached by anyone for a minute; responses to a
// key holder are private and revalidated every time, since they may hold
// partners-only data.
func cacheable(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		res := c.Response()
		h := res.Header()
		h.Add("Vary", "Accept-Language")
		h.Add("Vary", "Authorization")
		if callerOf(c).Role == "" {
			h.Set("Cache-Control", "public, max-age=60")
		} else {
			h.Set("Cache-Control", "private, no-cache")
		}
		buf := &bufferedWriter{ResponseWriter: res.Writer, status: http.StatusOK}
		res.Writer = buf
		err := next(c)
		res.Writer = buf.ResponseWriter
		if err != nil || buf.status != http.StatusOK {
			// The error handler writes the problem; a non-200 body passes as is.
			if err == nil {
				buf.flush()
			}
			return err
		}
		etag := `W/"` + digest(buf.body.Bytes()) + `"`
		if v, ok := c.Get(versionKey).(int); ok {
			etag = versionTag(v, digest(buf.body.Bytes()))
		}
		h.Set("ETag", etag)
		if noneMatch(strings.Join(c.Request().Header.Values("If-None-Match"), ","), etag) {
			h.Del(echo.HeaderContentType)
			h.Del(echo.HeaderContentLength)
			res.Writer.WriteHeader(http.StatusNotModified)
			res.Status = http.StatusNotModified
			return nil
		}
		buf.flush()
		return nil
	}
}

// versionKey is where a handler leaves the version of the record it
// responds with, for cacheable to put into a strong ETag.
const versionKey = "version"

// digest is a short hash of a response body for entity tags.
func digest(body []byte) string {
	sum := sha256.Sum256(body)
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// writeJSON responds with v encoded as the versioned reads and writes
// encode it, so that a read and a write of one representation have one
// body and so one ETag.
func writeJSON(c echo.Context, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	return c.JSONBlob(status, body)
}

// writeVersioned responds to a write with a record and its strong ETag: the
// tag a GET of the record by the same caller in the same language gets, as
// v is that GET's representation.
func writeVersioned(c echo.Context, status, version int, v any) error {
	tag, err := representationTag(version, v)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", tag)
	c.Response().Header().Set("Cache-Control", "no-store")
	return writeJSON(c, status, v)
}

// representationTag is the strong ETag of version of a record shown as v.
func representationTag(version int, v any) (string, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode response: %w", err)
	}
	return versionTag(version, digest(body)), nil
}

// currentTagKey is where a write that failed its precondition leaves the
// ETag of the record's current representation, for the 412 to carry.
const currentTagKey = "current-etag"

// withCurrentTag passes on err, the outcome of a conditional write; when it
// is a failed precondition, the problem will carry the ETag a GET by the same
// caller in the same language gets now, which current renders (the version
// and the GET's representation). When the record cannot be read any more
// the 412 has no ETag.
func withCurrentTag(c echo.Context, err error, current func() (int, any, error)) error {
	if directory.ErrorCode(err) != directory.CodePreconditionFailed {
		return err
	}
	version, v, cerr := current()
	if cerr != nil {
		return err
	}
	if tag, terr := representationTag(version, v); terr == nil {
		c.Set(currentTagKey, tag)
	}
	return err
}

// noneMatch is the weak comparison of If-None-Match with the ETag of a
// response (RFC 9110 §13.1.2): true when the header is "*" or lists a tag
// whose opaque part equals etag's. A header that is not a list of entity
// tags matches nothing.
func noneMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	star, tags, ok := parseEntityTags(header)
	if !ok {
		return false
	}
	if star {
		return true
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range tags {
		if t.opaque == want {
			return true
		}
	}
	return false
}

// bufferedWriter holds a response until its ETag is known.
type bufferedWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *bufferedWriter) WriteHeader(status int) { w.status = status }

func (w *bufferedWriter) Write(b []byte) (int, error) { return w.body.Write(b) }

func (w *bufferedWriter) flush() {
	w.ResponseWriter.WriteHeader(w.status)
	if w.body.Len() == 0 {
		return // no body (a redirect): writing none would make net/http sniff a Content-Type
	}
	_, _ = w.ResponseWriter.Write(w.body.Bytes()) // the client has gone if this fails
}

// requestLogger logs one structured line per request, with the request id
// that the response carries in X-Request-Id. The metrics middleware inside
// it has already turned errors into responses, so the status is final.
func requestLogger(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus:    true,
		LogMethod:    true,
		LogURI:       true,
		LogLatency:   true,
		LogRequestID: true,
		LogRemoteIP:  true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			log.LogAttrs(c.Request().Context(), level, "request",
				slog.String("method", v.Method),
				slog.String("uri", redactURI(v.URI)), // no key pasted into a URL
				slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency.Round(time.Microsecond)),
				slog.String("request_id", v.RequestID),
				slog.String("remote_ip", v.RemoteIP),
			)
			return nil
		},
	})
}

// echoLog passes the lines Echo logs itself (few: a route added without a
// handler, a response written twice) into the server's log, so that every
// line the server writes is in its one structured log and none goes to
// standard output, where Echo writes by default. Echo's header is set to
// "${level}", which a line starts with.
type echoLog struct{ log *slog.Logger }

func (w echoLog) Write(p []byte) (int, error) {
	level, msg, _ := strings.Cut(strings.TrimSpace(string(p)), " ")
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l, msg = slog.LevelWarn, strings.TrimSpace(string(p))
	}
	w.log.Log(context.Background(), l, "echo: "+msg)
	return len(p), nil
}

// forwardedProto drops X-Forwarded-Proto from a request whose peer is not
// one of proxies (RateLimits.TrustedProxies): only a proxy in front of the
// server knows that the client came over TLS, and a header any client may
// send must not choose the scheme of the pages' canonical and alternate
// links or of their cookies. With no proxies the header is never believed.
func forwardedProto(proxies []netip.Prefix) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if _, set := req.Header["X-Forwarded-Proto"]; set && !fromProxy(req.RemoteAddr, proxies) {
				req.Header.Del("X-Forwarded-Proto")
			}
			return next(c)
		}
	}
}

// fromProxy reports whether remote, a request's RemoteAddr (host:port), is
// in one of proxies.
func fromProxy(remote string, proxies []netip.Prefix) bool {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return false
	}
	addr := ap.Addr().Unmap()
	for _, p := range proxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

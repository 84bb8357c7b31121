package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

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
		if etagMatches(c.Request().Header.Get("If-None-Match"), etag) {
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

// writeVersioned responds with a record and its strong ETag, for writes.
func writeVersioned(c echo.Context, status, version int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	c.Response().Header().Set("ETag", versionTag(version, digest(body)))
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSONBlob(status, body)
}

// etagMatches is the weak comparison of If-None-Match (RFC 9110 13.1.2).
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	if strings.TrimSpace(header) == "*" {
		return true
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(header, ",") {
		if strings.TrimPrefix(strings.TrimSpace(t), "W/") == want {
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
				slog.String("uri", v.URI),
				slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency.Round(time.Microsecond)),
				slog.String("request_id", v.RequestID),
				slog.String("remote_ip", v.RemoteIP),
			)
			return nil
		},
	})
}

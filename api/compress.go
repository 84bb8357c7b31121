package api

import (
	"fmt"
	"net/http"

	"github.com/klauspost/compress/gzhttp"
	"github.com/labstack/echo/v4"
)

// gzipLevel is the compression level of answers. At level 3 klauspost's
// gzip compresses a search page (about 100 KB of HTML) about four times
// faster than compress/gzip at level 5, Echo's former default here, for
// some 8% more bytes; a page's gzip was most of its server time.
const gzipLevel = 3

// minGzipBytes is the smallest body compressed: below it, gzip's header
// and the work cost more than they save.
const minGzipBytes = 1024

// compress returns the middleware that gzips answers of at least
// minGzipBytes for clients that accept gzip (RFC 9110 section 12.5.3),
// with github.com/klauspost/compress/gzhttp. zstd is not offered: every
// browser and HTTP client takes gzip. An answer whose handler returned an
// error before writing anything is left uncompressed for the error
// handler to write, as Echo's own Gzip middleware does. A HEAD request
// gets the headers of the GET (RFC 9110 section 9.3.2), Content-Encoding
// included, though gzhttp compresses no HEAD of its own accord.
func compress() (echo.MiddlewareFunc, error) {
	wrap, err := gzhttp.NewWrapper(gzhttp.CompressionLevel(gzipLevel), gzhttp.MinSize(minGzipBytes), gzhttp.EnableZstd(false))
	if err != nil {
		return nil, fmt.Errorf("gzip middleware: %w", err)
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			res := c.Response()
			plain := res.Writer
			var err error
			serve := wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				res.Writer = w
				err = next(c)
			}))
			req := c.Request()
			if req.Method == http.MethodHead {
				get := *req
				get.Method = http.MethodGet
				req = &get
			}
			serve.ServeHTTP(plain, req)
			res.Writer = plain
			return err
		}
	}, nil
}

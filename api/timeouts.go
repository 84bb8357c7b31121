package api

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo/v4"
)

// Timeouts bound how long a slow or stalled client can hold what the server
// has: a connection, a goroutine, a database snapshot. A zero field takes
// its default.
type Timeouts struct {
	// ReadHeader is how long a client may take to send a request's headers
	// (default 5 s), which every slow client sends first.
	ReadHeader time.Duration
	// Read is how long a client may take to send a whole request, body
	// included (default 2 min: a 512 MiB import over a slow line).
	Read time.Duration
	// Write is how long a response may take from the end of the request's
	// headers to its last byte (default 5 min), streams excepted.
	Write time.Duration
	// Idle is how long a kept-alive connection may wait for its next
	// request (default 2 min).
	Idle time.Duration
	// StreamProgress is how long the client of a stream (an export) may
	// take to accept each next part of it (default 30 s); a client slower
	// than that is cut off, and the stream's database snapshot released. A
	// client that keeps reading may take as long as the stream needs.
	StreamProgress time.Duration
}

// maxHeaderBytes bounds a request's headers.
const maxHeaderBytes = 64 << 10

func (t Timeouts) withDefaults() Timeouts {
	set := func(d *time.Duration, def time.Duration) {
		if *d <= 0 {
			*d = def
		}
	}
	set(&t.ReadHeader, 5*time.Second)
	set(&t.Read, 2*time.Minute)
	set(&t.Write, 5*time.Minute)
	set(&t.Idle, 2*time.Minute)
	set(&t.StreamProgress, 30*time.Second)
	return t
}

// NewHTTPServer returns the http.Server that serves handler (from
// NewServer with the same opts) with opts' timeouts and a 64 KiB limit on
// request headers, logging the connection errors it sees at warning level.
func NewHTTPServer(handler http.Handler, opts Options, log *slog.Logger) *http.Server {
	t := opts.Timeouts.withDefaults()
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// progressWriter writes a stream to a client that must accept each write
// within timeout: it moves the connection's write deadline before each one,
// so a client that stops reading is cut off after timeout (the write fails,
// and the stream ends), whatever the length of the whole stream.
type progressWriter struct {
	w       io.Writer
	rc      *http.ResponseController
	timeout time.Duration
}

func newProgressWriter(w http.ResponseWriter, timeout time.Duration) *progressWriter {
	return &progressWriter{w: w, rc: http.NewResponseController(w), timeout: timeout}
}

func (p *progressWriter) Write(b []byte) (int, error) {
	if err := p.rc.SetWriteDeadline(time.Now().Add(p.timeout)); err != nil {
		return 0, fmt.Errorf("set the stream's write deadline: %w", err)
	}
	n, err := p.w.Write(b)
	if err != nil {
		return n, clientWriteError{err}
	}
	return n, nil
}

// clientWriteError is a failure to send a stream to its client: the client
// went away (a broken pipe, a reset) or accepted nothing for the stream's
// progress timeout and was cut off. It is the client's doing, not the
// server's.
type clientWriteError struct{ err error }

func (e clientWriteError) Error() string { return "write to the client: " + e.err.Error() }

func (e clientWriteError) Unwrap() error { return e.err }

// spoolBody copies a request body to a temporary file and returns the file,
// read from its start; closing it removes it. A handler that would read the
// body inside a transaction (an import, which holds the write lock) reads
// the file instead, so a client that sends slowly holds only its own
// connection, never the lock other writers wait for.
func spoolBody(body io.Reader) (io.ReadCloser, error) {
	f, err := os.CreateTemp("", "coalition-request-*")
	if err != nil {
		return nil, fmt.Errorf("spool request body: %w", err)
	}
	spool := &spooledBody{f}
	if _, err := io.Copy(f, &bodyReader{r: body}); err != nil {
		spool.Close()
		var read bodyReadError
		if !errors.As(err, &read) {
			return nil, fmt.Errorf("spool request body: %w", err)
		}
		var he *echo.HTTPError
		if errors.As(read.err, &he) {
			return nil, he // over the size limit
		}
		return nil, &echo.HTTPError{Code: http.StatusBadRequest, Message: "the request body broke off before its end"}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		spool.Close()
		return nil, fmt.Errorf("spool request body: %w", err)
	}
	return spool, nil
}

// bodyReader tells the errors of reading the body from those of writing
// the spool.
type bodyReader struct{ r io.Reader }

type bodyReadError struct{ err error }

func (e bodyReadError) Error() string { return "read request body: " + e.err.Error() }

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		err = bodyReadError{err}
	}
	return n, err
}

// spooledBody is a spooled request body; Close removes its file.
type spooledBody struct{ *os.File }

func (s *spooledBody) Close() error {
	return errors.Join(s.File.Close(), os.Remove(s.Name()))
}

package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/coalition-directory/coalition/internal/directory"
)

// Schedule is when failed deliveries are tried again: the n-th retry
// waits First·2ⁿ⁻¹, at most Max, scaled by a random factor from 0.5 to
// 1.5 (jitter, so that an endpoint coming back is not hit by every
// delivery at once); a delivery older than GiveUp is abandoned, and an
// endpoint failing for that long is disabled.
type Schedule struct {
	First  time.Duration
	Max    time.Duration
	GiveUp time.Duration
}

// DefaultSchedule retries from 30 s up to every 6 h for three days: about
// twenty attempts.
func DefaultSchedule() Schedule {
	return Schedule{First: 30 * time.Second, Max: 6 * time.Hour, GiveUp: 72 * time.Hour}
}

// Delay returns the wait before the retry that follows attempt (1 for the
// first attempt), for a jitter value in [0, 1).
func (s Schedule) Delay(attempt int, jitter float64) time.Duration {
	d := float64(s.First) * math.Pow(2, float64(max(attempt, 1)-1))
	d = min(d, float64(s.Max))
	return time.Duration(d * (0.5 + jitter))
}

// Outbox is where the worker takes deliveries from and reports to:
// directory.Service.
type Outbox interface {
	ClaimDeliveries(ctx context.Context, limit int, lease time.Duration) ([]directory.Delivery, error)
	FinishDelivery(ctx context.Context, r directory.DeliveryResult) error
}

// Payload renders the body of a delivery's message.
type Payload func(d *directory.Delivery) ([]byte, error)

// Worker sends the outbox's due deliveries. Any number of workers, in
// one process or several, may run on one database: each delivery is
// claimed by one of them at a time, for the timeout and a margin, and a
// worker that dies leaves its claims to run out and be taken again.
type Worker struct {
	Outbox  Outbox
	Payload Payload
	// Client sends the messages; NewClient makes one that refuses
	// private targets and does not follow redirects.
	Client   *http.Client
	Schedule Schedule
	// Timeout bounds one attempt, from connecting to the response's
	// headers and a little of its body.
	Timeout time.Duration
	// Batch is how many deliveries one round claims and sends at once.
	Batch int
	// Idle is how long the worker waits when nothing was due.
	Idle time.Duration
	Log  *slog.Logger
	Now  func() time.Time
	// Jitter returns a value in [0, 1) for each retry's delay.
	Jitter func() float64

	once sync.Once // fills in the defaults
}

// defaults fills in, once, the fields left zero: Run, RunOnce and Attempt
// each begin with it, and RunOnce's attempts run at once.
func (w *Worker) defaults() { w.once.Do(w.fillDefaults) }

func (w *Worker) fillDefaults() {
	if w.Timeout <= 0 {
		w.Timeout = 10 * time.Second
	}
	if w.Batch <= 0 {
		w.Batch = 16
	}
	if w.Idle <= 0 {
		w.Idle = time.Second
	}
	if w.Schedule == (Schedule{}) {
		w.Schedule = DefaultSchedule()
	}
	if w.Log == nil {
		w.Log = slog.New(slog.DiscardHandler)
	}
	if w.Now == nil {
		w.Now = time.Now
	}
	if w.Jitter == nil {
		w.Jitter = rand.Float64
	}
}

// Run sends deliveries until ctx ends, then returns nil. Failures to reach
// the database are logged and retried after Idle.
func (w *Worker) Run(ctx context.Context) error {
	w.defaults()
	for {
		n, err := w.RunOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			w.Log.Error("webhook deliveries", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		t := time.NewTimer(w.Idle)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// RunOnce claims up to Batch due deliveries, sends them at once, records
// each outcome and reports how many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	w.defaults()
	ds, err := w.Outbox.ClaimDeliveries(ctx, w.Batch, w.lease())
	if err != nil {
		return 0, fmt.Errorf("claim: %w", err)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(ds))
	for i := range ds {
		wg.Go(func() {
			r := w.Attempt(ctx, &ds[i])
			if err := w.Outbox.FinishDelivery(context.WithoutCancel(ctx), r); err != nil {
				errs[i] = fmt.Errorf("record delivery %s: %w", ds[i].ID, err)
			}
		})
	}
	wg.Wait()
	return len(ds), errors.Join(errs...)
}

// lease is how long a claim lasts: longer than an attempt can take, so
// that no other worker sends the same delivery while this one is still
// waiting for the answer.
func (w *Worker) lease() time.Duration { return 2*w.Timeout + 30*time.Second }

// maxErrorText bounds the error text kept in the delivery log, in bytes.
const maxErrorText = 300

// errorText returns err's text for the delivery log: valid UTF-8 (a
// malformed answer's bytes are quoted into the client's errors, and text
// that is not UTF-8 could be neither stored in PostgreSQL nor served as
// JSON) of at most maxErrorText bytes, cut between characters.
func errorText(err error) string {
	s := strings.ToValidUTF8(err.Error(), "\uFFFD")
	if len(s) <= maxErrorText {
		return s
	}
	n := maxErrorText
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Attempt sends one claimed delivery (d.Endpoint set, d.Attempts counting
// this attempt) and returns its outcome: delivered on 2xx; failed, and
// the endpoint disabled, on 410 Gone; otherwise retried after the
// schedule's delay or the response's Retry-After, whichever is later,
// unless the delivery is older than the schedule's GiveUp (failed), and
// the endpoint disabled when it has been failing for that long.
func (w *Worker) Attempt(ctx context.Context, d *directory.Delivery) directory.DeliveryResult {
	w.defaults()
	r := directory.DeliveryResult{DeliveryID: d.ID, EndpointID: d.EndpointID, Attempt: d.Attempts}
	status, retryAfter, err := w.send(ctx, d)
	r.At = w.Now().UTC().Truncate(time.Microsecond)
	r.Response = status
	if err != nil {
		r.Error = errorText(err)
	}
	switch {
	case err == nil && status >= 200 && status < 300:
		r.Status = directory.DeliveryDelivered
		return r
	case status == http.StatusGone:
		r.Status = directory.DeliveryFailed
		r.Disable = "the endpoint answered 410 Gone"
		return r
	}
	delay := max(w.Schedule.Delay(d.Attempts, w.Jitter()), retryAfter)
	r.Status, r.NextAttemptAt = directory.DeliveryPending, r.At.Add(delay)
	if r.NextAttemptAt.Sub(d.CreatedAt) > w.Schedule.GiveUp {
		r.Status, r.NextAttemptAt = directory.DeliveryFailed, time.Time{}
	}
	if since := d.Endpoint.FailingSince; since != nil && r.At.Sub(*since) >= w.Schedule.GiveUp {
		r.Disable = fmt.Sprintf("every delivery failed for %s", w.Schedule.GiveUp)
	}
	return r
}

// send posts the delivery's signed message and returns the response's
// status and Retry-After (0 when absent).
func (w *Worker) send(ctx context.Context, d *directory.Delivery) (int, time.Duration, error) {
	body, err := w.Payload(d)
	if err != nil {
		return 0, 0, fmt.Errorf("render message: %w", err)
	}
	headers, err := Headers(d.Endpoint.Secret, d.ID, w.Now(), body)
	if err != nil {
		return 0, 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, w.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Endpoint.URL, bytes.NewReader(body))
	if err != nil {
		return 0, 0, fmt.Errorf("make request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "coalition-directory-webhooks/1")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := w.Client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10)) // let the connection be reused
	return res.StatusCode, retryAfter(res.Header.Get("Retry-After"), w.Now()), nil
}

// maxRetryAfter bounds how long a Retry-After can put a delivery off.
const maxRetryAfter = 24 * time.Hour

// retryAfter reads a Retry-After header (RFC 9110 section 10.2.3): delay
// seconds or an HTTP date; 0 when absent or malformed.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}

// ErrTarget is the error of a connection to an address webhooks may not
// be sent to.
var ErrTarget = errors.New("webhook target is a private, loopback or link-local address")

// NewClient returns the HTTP client deliveries are sent with: it connects
// only to public addresses and those in allow, checked on the address
// actually dialled (so a name that resolves to a private address, at
// first or later, is refused too), ignores proxy settings, and does not
// follow redirects (a 3xx is a failed attempt).
func NewClient(allow []netip.Prefix) *http.Client {
	dialer := &net.Dialer{
		Timeout: 10 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrTarget, address)
			}
			if !directory.TargetAllowed(ap.Addr(), allow) {
				return fmt.Errorf("%w: %s", ErrTarget, ap.Addr())
			}
			return nil
		},
	}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          32,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
	}
	return &http.Client{
		Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

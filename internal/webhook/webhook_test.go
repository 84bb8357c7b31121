package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/webhook"
)

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}

// receiver is a webhook endpoint that records what it got and answers
// with the status answer gives.
type receiver struct {
	mu       sync.Mutex
	bodies   [][]byte
	headers  []http.Header
	answer   func(w http.ResponseWriter)
	received int
}

func newReceiver(t *testing.T, answer func(w http.ResponseWriter)) (*receiver, *httptest.Server) {
	t.Helper()
	r := &receiver{answer: answer}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, body)
		r.headers = append(r.headers, req.Header.Clone())
		r.received++
		r.mu.Unlock()
		r.answer(w)
	}))
	t.Cleanup(srv.Close)
	return r, srv
}

func delivery(t *testing.T, url string) *directory.Delivery {
	t.Helper()
	secret, err := directory.NewWebhookSecret()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	return &directory.Delivery{ID: "0193b8a2-7c1e-7d4a-9f00-5b2c1e9a0c11", EndpointID: "ep", Attempts: 1, CreatedAt: now,
		Event:    directory.ChangeEvent{Seq: 7, Type: directory.EventOrganizationUpdated, ID: "org", At: now},
		Endpoint: &directory.WebhookEndpoint{ID: "ep", URL: url, Secret: secret}}
}

func payload(d *directory.Delivery) ([]byte, error) {
	return json.Marshal(map[string]any{"type": d.Event.Type, "seq": d.Event.Seq, "id": d.Event.ID})
}

func newWorker(allow []netip.Prefix) *webhook.Worker {
	return &webhook.Worker{Payload: payload, Client: webhook.NewClient(allow), Timeout: 5 * time.Second,
		Jitter: func() float64 { return 0.5 }}
}

// TestSignatureVerifiesWithStandardWebhooks checks the signature with the
// Standard Webhooks reference library, and that a changed body or id fails.
func TestSignatureVerifiesWithStandardWebhooks(t *testing.T) {
	rec, srv := newReceiver(t, func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) })
	d := delivery(t, srv.URL)
	r := newWorker(loopback).Attempt(context.Background(), d)
	if r.Status != directory.DeliveryDelivered || r.Response != http.StatusNoContent {
		t.Fatalf("got %s %d (%s), want delivered 204", r.Status, r.Response, r.Error)
	}
	if len(rec.bodies) != 1 {
		t.Fatalf("got %d messages, want 1", len(rec.bodies))
	}
	wh, err := standardwebhooks.NewWebhook(d.Endpoint.Secret)
	if err != nil {
		t.Fatal(err)
	}
	h, body := rec.headers[0], rec.bodies[0]
	if err := wh.Verify(body, h); err != nil {
		t.Fatalf("the library rejects the signature: %v", err)
	}
	if got := h.Get("webhook-id"); got != d.ID {
		t.Errorf("webhook-id %q, want the delivery's id %q", got, d.ID)
	}
	if got := h.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type %q, want application/json", got)
	}
	tampered := append([]byte(nil), body...)
	tampered[len(tampered)-2] ^= 1
	if err := wh.Verify(tampered, h); !errors.Is(err, standardwebhooks.ErrNoMatchingSignature) {
		t.Errorf("a changed body verified: %v", err)
	}
	other := h.Clone()
	other.Set("webhook-id", "another")
	if err := wh.Verify(body, other); !errors.Is(err, standardwebhooks.ErrNoMatchingSignature) {
		t.Errorf("a changed webhook-id verified: %v", err)
	}
	// The same signature from our Headers and the library's Sign.
	at := time.Unix(1767225600, 0)
	ours, err := webhook.Headers(d.Endpoint.Secret, "msg_1", at, []byte(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := wh.Sign("msg_1", at, []byte(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if ours["webhook-signature"] != theirs || ours["webhook-timestamp"] != "1767225600" {
		t.Errorf("got %v, want signature %s and timestamp 1767225600", ours, theirs)
	}
}

func TestHeadersRejectMalformedSecret(t *testing.T) {
	for _, secret := range []string{"", "whsec_", "whsec_not base64!", "c2VjcmV0"} {
		if _, err := webhook.Headers(secret, "id", time.Now(), nil); !errors.Is(err, webhook.ErrSecret) {
			t.Errorf("secret %q: got %v, want ErrSecret", secret, err)
		}
	}
}

func TestGoneDisablesEndpoint(t *testing.T) {
	_, srv := newReceiver(t, func(w http.ResponseWriter) { w.WriteHeader(http.StatusGone) })
	r := newWorker(loopback).Attempt(context.Background(), delivery(t, srv.URL))
	if r.Status != directory.DeliveryFailed || r.Disable == "" || r.Response != http.StatusGone {
		t.Fatalf("got %+v, want failed with the endpoint disabled", r)
	}
}

func TestFailureRetriesAfterBackoffOrRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		name       string
		retryAfter string
		attempts   int
		want       time.Duration
	}{
		{"first failure", "", 1, 30 * time.Second},
		{"third failure", "", 3, 2 * time.Minute},
		{"retry-after seconds later than back-off", "600", 1, 10 * time.Minute},
		{"retry-after earlier than back-off", "1", 3, 2 * time.Minute},
		{"retry-after date", "@+3600", 1, time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := newReceiver(t, func(w http.ResponseWriter) {
				v := tc.retryAfter
				if strings.HasPrefix(v, "@+") {
					v = time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
				}
				if v != "" {
					w.Header().Set("Retry-After", v)
				}
				w.WriteHeader(http.StatusServiceUnavailable)
			})
			d := delivery(t, srv.URL)
			d.Attempts = tc.attempts
			r := newWorker(loopback).Attempt(context.Background(), d)
			if r.Status != directory.DeliveryPending || r.Response != http.StatusServiceUnavailable || r.Disable != "" {
				t.Fatalf("got %+v, want pending after a 503", r)
			}
			got := r.NextAttemptAt.Sub(r.At)
			// An HTTP date has whole seconds: allow the one it loses.
			if got < tc.want-time.Second || got > tc.want {
				t.Errorf("next attempt after %s, want %s", got, tc.want)
			}
		})
	}
}

func TestGivesUpAfterSchedule(t *testing.T) {
	_, srv := newReceiver(t, func(w http.ResponseWriter) { w.WriteHeader(http.StatusInternalServerError) })
	d := delivery(t, srv.URL)
	d.CreatedAt = time.Now().Add(-72 * time.Hour)
	since := time.Now().Add(-73 * time.Hour)
	d.Endpoint.FailingSince = &since
	d.Attempts = 20
	r := newWorker(loopback).Attempt(context.Background(), d)
	if r.Status != directory.DeliveryFailed || r.Disable == "" {
		t.Fatalf("got %+v, want failed with the endpoint disabled after three days of failures", r)
	}
}

func TestRefusesPrivateTargetsUnlessAllowed(t *testing.T) {
	rec, srv := newReceiver(t, func(w http.ResponseWriter) { w.WriteHeader(http.StatusOK) })
	r := newWorker(nil).Attempt(context.Background(), delivery(t, srv.URL))
	if r.Status != directory.DeliveryPending || !strings.Contains(r.Error, "private, loopback or link-local") {
		t.Errorf("got %+v, want a refused connection to retry", r)
	}
	if rec.received != 0 {
		t.Errorf("the loopback receiver got %d messages, want none", rec.received)
	}
	// A name that resolves to loopback is refused too.
	r = newWorker(nil).Attempt(context.Background(), delivery(t, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)))
	if rec.received != 0 || r.Status == directory.DeliveryDelivered {
		t.Errorf("localhost: got %+v, want refused", r)
	}
}

func TestRedirectIsFailure(t *testing.T) {
	_, srv := newReceiver(t, func(w http.ResponseWriter) {
		w.Header().Set("Location", "http://169.254.169.254/")
		w.WriteHeader(http.StatusFound)
	})
	r := newWorker(loopback).Attempt(context.Background(), delivery(t, srv.URL))
	if r.Status != directory.DeliveryPending || r.Response != http.StatusFound {
		t.Errorf("got %+v, want a 302 retried, not followed", r)
	}
}

// TestScheduleSpansAboutThreeDays checks that retries, without jitter,
// go on for about three days before giving up, and each waits longer.
func TestScheduleSpansAboutThreeDays(t *testing.T) {
	s := webhook.DefaultSchedule()
	var total, prev time.Duration
	attempts := 1
	for total+s.Delay(attempts, 0.5) <= s.GiveUp {
		d := s.Delay(attempts, 0.5)
		if d < prev {
			t.Fatalf("retry %d waits %s, less than the one before (%s)", attempts, d, prev)
		}
		total, prev = total+d, d
		attempts++
	}
	if total < 60*time.Hour || attempts < 10 || attempts > 40 {
		t.Errorf("%d attempts over %s, want some 10 to 40 over about three days", attempts, total)
	}
	if lo, hi := s.Delay(2, 0), s.Delay(2, 0.999); lo != 30*time.Second || hi < 89*time.Second {
		t.Errorf("jitter range %s..%s, want 30s..90s", lo, hi)
	}
}

func TestPublicAddress(t *testing.T) {
	for addr, want := range map[string]bool{
		"8.8.8.8": true, "2001:4860:4860::8888": true, "93.184.216.34": true,
		"127.0.0.1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false, "169.254.169.254": false,
		"100.64.0.1": false, "0.0.0.0": false, "::1": false, "fe80::1": false, "fc00::1": false,
		"::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false, "224.0.0.1": false,
		// NAT64 (RFC 6052) reaches the IPv4 address it embeds.
		"64:ff9b::7f00:1": false, "64:ff9b::a00:1": false, "64:ff9b::808:808": true, "64:ff9b:1::1": false, "::7f00:1": false,
	} {
		if got := directory.PublicAddress(netip.MustParseAddr(addr)); got != want {
			t.Errorf("PublicAddress(%s) = %v, want %v", addr, got, want)
		}
	}
}

// TestErrorTextIsValidUTF8 checks that the error text kept for a failed
// attempt is valid UTF-8 and bounded, however long, non-ASCII or broken
// the receiver's answer: a malformed answer's text goes into the client's
// error, and a cut through a Cyrillic letter, or bytes that are no UTF-8
// at all, could not be stored in PostgreSQL nor served as JSON.
func TestErrorTextIsValidUTF8(t *testing.T) {
	for name, answer := range map[string]string{
		// The client quotes a malformed status code into its error; two
		// lengths of the prefix, so that one of them puts the cut inside
		// a two-byte letter whatever the port's digits.
		"cyrillic status":         "HTTP/1.1 " + strings.Repeat("Ошибка", 60) + "\r\n\r\n",
		"cyrillic status, offset": "HTTP/1.1 x" + strings.Repeat("Ошибка", 60) + "\r\n\r\n",
		// It quotes a malformed header line, escaping bytes that are no UTF-8.
		"malformed header": "HTTP/1.1 500 Internal Server Error\r\nX\xff\xfe" + strings.Repeat("Ошибка", 60) + "\r\n\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				conn, buf, err := http.NewResponseController(w).Hijack()
				if err != nil {
					t.Error(err)
					return
				}
				defer conn.Close()
				_, _ = buf.WriteString(answer)
				_ = buf.Flush()
			}))
			t.Cleanup(srv.Close)
			r := newWorker(loopback).Attempt(context.Background(), delivery(t, srv.URL))
			if r.Status != directory.DeliveryPending || r.Error == "" {
				t.Fatalf("got %+v, want a failed attempt to retry, with its error", r)
			}
			if !utf8.ValidString(r.Error) || len(r.Error) > 300 || len(r.Error) < 250 {
				t.Errorf("error text of %d bytes, valid UTF-8 %v: %q; want valid UTF-8 of 250 to 300 bytes",
					len(r.Error), utf8.ValidString(r.Error), r.Error)
			}
		})
	}
}

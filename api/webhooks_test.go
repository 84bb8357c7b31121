package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/dbtest"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/webhook"
)

// hookReceiver is a partner's webhook endpoint: it verifies every message
// with the Standard Webhooks library, fails the first failures requests
// with 503, answers status after that, and keeps the messages it accepted
// by webhook-id.
type hookReceiver struct {
	t        *testing.T
	url      string
	mu       sync.Mutex
	secret   string
	failures int
	status   int
	accepted map[string]api.WebhookMessage
	repeats  int // messages accepted again under a webhook-id already accepted
	requests int
}

func newHookReceiver(t *testing.T, failures, status int) *hookReceiver {
	t.Helper()
	h := &hookReceiver{t: t, failures: failures, status: status, accepted: map[string]api.WebhookMessage{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		h.requests++
		wh, err := standardwebhooks.NewWebhook(h.secret)
		if err != nil {
			t.Errorf("secret %q: %v", h.secret, err)
		} else if err := wh.Verify(body, r.Header); err != nil {
			t.Errorf("message %s does not verify: %v", r.Header.Get("webhook-id"), err)
		}
		if h.requests <= h.failures {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if h.status/100 == 2 {
			var m api.WebhookMessage
			if err := json.Unmarshal(body, &m); err != nil {
				t.Errorf("message body %s: %v", body, err)
			}
			id := r.Header.Get("webhook-id")
			if _, seen := h.accepted[id]; seen {
				h.repeats++
			}
			h.accepted[id] = m
		}
		w.WriteHeader(h.status)
	}))
	t.Cleanup(srv.Close)
	h.url = srv.URL + "/hooks/coalition"
	return h
}

// register registers the receiver through the API and keeps its secret.
func (h *hookReceiver) register(s *testServer, admin string, types ...string) api.WebhookCreated {
	h.t.Helper()
	body := map[string]any{"url": h.url, "description": "test receiver"}
	if len(types) > 0 {
		body["event_types"] = types
	}
	r := s.send(http.MethodPost, "/api/v1/webhooks", admin, body)
	wantStatus(h.t, r, http.StatusCreated)
	created := decode[api.WebhookCreated](h.t, r)
	h.mu.Lock()
	h.secret = created.Secret
	h.mu.Unlock()
	return created
}

func (h *hookReceiver) messages() map[string]api.WebhookMessage {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]api.WebhookMessage, len(h.accepted))
	for k, v := range h.accepted {
		out[k] = v
	}
	return out
}

// testWorker is the server's delivery worker with retries in milliseconds.
func testWorker(s *testServer) *webhook.Worker {
	return &webhook.Worker{Outbox: s.dir, Payload: api.WebhookPayload(s.dir, ""), Client: webhook.NewClient(loopback),
		Schedule: webhook.Schedule{First: time.Millisecond, Max: 4 * time.Millisecond, GiveUp: time.Hour}, Timeout: 10 * time.Second}
}

// drain runs workers, one per process, until nothing is pending (bounded,
// so that a delivery that never ends fails the test instead of hanging it).
func drain(t *testing.T, s *testServer, workers ...*webhook.Worker) {
	t.Helper()
	ctx := context.Background()
	for round := 0; round < 2000; round++ {
		var wg sync.WaitGroup
		for _, w := range workers {
			wg.Go(func() {
				if _, err := w.RunOnce(ctx); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		eps, err := s.dir.Webhooks(ctx, directory.Operator("test"))
		if err != nil {
			t.Fatal(err)
		}
		pending := 0
		for _, ep := range eps {
			ds, _, err := s.dir.WebhookDeliveries(ctx, directory.Operator("test"), ep.ID, 1, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				if d.Status == directory.DeliveryPending && ep.DisabledAt == nil {
					pending++
				}
			}
		}
		if pending == 0 {
			return
		}
		time.Sleep(2 * time.Millisecond) // let the retries come due
	}
	t.Fatal("deliveries still pending after 2000 rounds")
}

// TestWebhooksDeliverEveryEventOnce registers a receiver that fails its
// first requests, then recovers, and checks that it ends with every event
// exactly once by webhook-id, signed (verified by the Standard Webhooks
// library), while two API processes' workers deliver at once and a third
// "process" dies holding claims.
func TestWebhooksDeliverEveryEventOnce(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	a := newProcess(t, db, []directory.Organization{}, directory.WithWebhookTargets(loopback))
	b := newProcess(t, db, nil, directory.WithWebhookTargets(loopback))
	admin, editor := a.key(directory.RoleAdmin), a.key(directory.RoleEditor)
	flaky := newHookReceiver(t, 5, http.StatusNoContent)
	ep := flaky.register(a, admin)
	if !strings.HasPrefix(ep.Secret, "whsec_") || len(ep.EventTypes) != 0 {
		t.Errorf("registered %+v", ep)
	}
	tombs := newHookReceiver(t, 0, http.StatusOK)
	tombs.register(a, admin, "organization.archived")

	var ids []string
	for i := range 4 {
		r := a.send(http.MethodPost, "/api/v1/organizations", editor, map[string]any{"name": fmt.Sprintf("Фонд %d", i), "country_code": "KZ"})
		wantStatus(t, r, http.StatusCreated)
		ids = append(ids, decode[api.Organization](t, r).ID)
	}
	wantStatus(t, a.send(http.MethodPatch, "/api/v1/organizations/"+ids[0], editor, map[string]any{"city": "Алматы"}), http.StatusOK)
	wantStatus(t, a.send(http.MethodDelete, "/api/v1/organizations/"+ids[1], editor, nil), http.StatusNoContent)
	wantStatus(t, a.send(http.MethodPost, "/api/v1/organizations/"+ids[2]+"/contacts", editor, map[string]any{"name": "Дежурный"}), http.StatusCreated)

	// A process that claims deliveries and dies: its claims run out and
	// the others take them.
	dead, err := a.dir.ClaimDeliveries(context.Background(), 3, time.Millisecond)
	if err != nil || len(dead) != 3 {
		t.Fatalf("claimed %d (%v), want 3", len(dead), err)
	}
	time.Sleep(2 * time.Millisecond)
	drain(t, a, testWorker(a), testWorker(b))

	got := flaky.messages()
	var seqs []int64
	for id, m := range got {
		if id != fmt.Sprintf("%s.%d", ep.ID, m.Data.Seq) || m.Type != m.Data.Type || !m.Timestamp.Equal(m.Data.At) {
			t.Errorf("message %s: %+v", id, m)
		}
		seqs = append(seqs, m.Data.Seq)
	}
	slices.Sort(seqs)
	if !slices.Equal(seqs, []int64{1, 2, 3, 4, 5, 6, 7}) || flaky.repeats != 0 {
		t.Errorf("the receiver accepted events %v (%d repeated), want 1..7 once each", seqs, flaky.repeats)
	}
	if flaky.requests < 7+5 {
		t.Errorf("%d requests, want the 5 failures retried", flaky.requests)
	}
	if got := tombs.messages(); len(got) != 1 {
		t.Errorf("the archive-only receiver got %d messages, want 1", len(got))
	} else {
		for _, m := range got {
			if m.Type != "organization.archived" || m.Data.ID != ids[1] || m.Data.ETag != "" {
				t.Errorf("archive-only receiver got %+v", m)
			}
		}
	}

	// The delivery log and a test event.
	r := a.send(http.MethodGet, "/api/v1/webhooks/"+ep.ID+"/deliveries?per_page=100", admin, nil)
	wantStatus(t, r, http.StatusOK)
	log := decode[api.DeliveryList](t, r)
	retried := 0
	for _, d := range log.Items {
		if d.Status != "delivered" || d.LastResponse != http.StatusNoContent || d.DeliveredAt == nil {
			t.Errorf("delivery %s: %+v", d.ID, d)
		}
		if d.Attempts > 1 {
			retried++
		}
	}
	if log.TotalItems != 7 || retried == 0 {
		t.Errorf("the log has %d deliveries, %d retried; want 7, some retried", log.TotalItems, retried)
	}
	r = a.send(http.MethodPost, "/api/v1/webhooks/"+ep.ID+"/test", admin, nil)
	wantStatus(t, r, http.StatusAccepted)
	test := decode[api.Delivery](t, r)
	drain(t, a, testWorker(a))
	if m, ok := flaky.messages()[test.ID]; !ok || m.Type != "webhook.test" || m.Data.ID != ep.ID {
		t.Errorf("the test event arrived as %+v (%v)", m, ok)
	}

	// Deleting the endpoint stops its messages.
	wantStatus(t, a.send(http.MethodDelete, "/api/v1/webhooks/"+ep.ID, admin, nil), http.StatusNoContent)
	wantStatus(t, a.send(http.MethodDelete, "/api/v1/webhooks/"+ep.ID, admin, nil), http.StatusNotFound)
	wantStatus(t, a.send(http.MethodGet, "/api/v1/webhooks/"+ep.ID+"/deliveries", admin, nil), http.StatusNotFound)
}

// TestWebhookGoneDisablesEndpoint checks that a receiver answering 410 is
// disabled: no more messages are queued for it, and it says why.
func TestWebhookGoneDisablesEndpoint(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	s := newProcess(t, db, []directory.Organization{}, directory.WithWebhookTargets(loopback))
	admin, editor := s.key(directory.RoleAdmin), s.key(directory.RoleEditor)
	gone := newHookReceiver(t, 0, http.StatusGone)
	ep := gone.register(s, admin)
	for _, name := range []string{"Фонд «Заря»", "Фонд «Исток»"} {
		wantStatus(t, s.send(http.MethodPost, "/api/v1/organizations", editor, map[string]any{"name": name, "country_code": "KZ"}), http.StatusCreated)
	}
	one := testWorker(s)
	one.Batch = 1 // the second message waits while the first gets its 410
	drain(t, s, one)
	r := s.send(http.MethodGet, "/api/v1/webhooks", admin, nil)
	wantStatus(t, r, http.StatusOK)
	list := decode[api.WebhookList](t, r)
	if len(list.Items) != 1 || list.Items[0].DisabledAt == nil || !strings.Contains(list.Items[0].DisabledReason, "410") {
		t.Fatalf("after a 410: %+v", list.Items)
	}
	if strings.Contains(string(r.body), "whsec_") {
		t.Error("the list shows a secret")
	}
	wantStatus(t, s.send(http.MethodPost, "/api/v1/organizations", editor, map[string]any{"name": "Фонд «Рассвет»", "country_code": "KZ"}), http.StatusCreated)
	drain(t, s, testWorker(s))
	if gone.requests != 1 {
		t.Errorf("the disabled endpoint got %d requests, want 1", gone.requests)
	}
	r = s.send(http.MethodGet, "/api/v1/webhooks/"+ep.ID+"/deliveries", admin, nil)
	log := decode[api.DeliveryList](t, r)
	if log.TotalItems != 2 || log.Items[1].Status != "failed" || log.Items[1].LastResponse != http.StatusGone ||
		log.Items[0].Status != "failed" || log.Items[0].Attempts != 0 || !strings.Contains(log.Items[0].LastError, "disabled") {
		t.Errorf("the log after a 410 (newest first): %+v", log.Items)
	}
	wantStatus(t, s.send(http.MethodPost, "/api/v1/webhooks/"+ep.ID+"/test", admin, nil), http.StatusConflict)
}

func TestWebhookRegistrationIsChecked(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, []directory.Organization{})
	admin, partner := s.key(directory.RoleAdmin), s.key(directory.RolePartner)
	wantStatus(t, s.send(http.MethodPost, "/api/v1/webhooks", partner, map[string]any{"url": "https://partner.example.org/in"}), http.StatusForbidden)
	wantStatus(t, s.send(http.MethodGet, "/api/v1/webhooks", partner, nil), http.StatusForbidden)
	wantStatus(t, s.get("/api/v1/webhooks"), http.StatusUnauthorized)
	for _, tc := range []struct {
		body   string
		fields []string
	}{
		{`{"url": "http://127.0.0.1:9/in"}`, []string{"url"}},
		{`{"url": "http://169.254.169.254/latest"}`, []string{"url"}},
		// IPv4 in forms other than dotted-quad decimal, which resolvers
		// read as 127.0.0.1; a port out of range; loopback through NAT64
		// and IPv4-mapped IPv6.
		{`{"url": "http://127.1:18099/"}`, []string{"url"}},
		{`{"url": "http://2130706433:18099/"}`, []string{"url"}},
		{`{"url": "http://0x7f.1/"}`, []string{"url"}},
		{`{"url": "http://0177.0.0.1/"}`, []string{"url"}},
		{`{"url": "http://127.0.0.1./"}`, []string{"url"}},
		{`{"url": "https://example.org:99999/"}`, []string{"url"}},
		{`{"url": "https://example.org:0/"}`, []string{"url"}},
		{`{"url": "https://[64:ff9b::7f00:1]/"}`, []string{"url"}},
		{`{"url": "https://[::ffff:7f00:1]/"}`, []string{"url"}},
		{`{"url": "ftp://partner.example.org/", "event_types": ["organization.created", "organization.deleted"]}`, []string{"url", "event_types[1]"}},
		{`{"url": "https://partner.example.org/in", "event_types": "all"}`, []string{"event_types"}},
		{`{"url": "https://partner.example.org/in", "secret": "mine"}`, []string{"secret"}},
	} {
		r := s.send(http.MethodPost, "/api/v1/webhooks", admin, tc.body)
		wantStatus(t, r, http.StatusBadRequest)
		var fields []string
		for _, f := range decode[api.Problem](t, r).Errors {
			fields = append(fields, f.Field)
		}
		if !slices.Equal(fields, tc.fields) {
			t.Errorf("%s: the problem names %v, want %v", tc.body, fields, tc.fields)
		}
	}
	if list := decode[api.WebhookList](t, s.send(http.MethodGet, "/api/v1/webhooks", admin, nil)); len(list.Items) != 0 {
		t.Errorf("refused registrations were stored: %+v", list.Items)
	}
	r := s.send(http.MethodPost, "/api/v1/webhooks", admin, map[string]any{"url": "https://partner.example.org/in", "event_types": []string{"contact.deleted"}})
	wantStatus(t, r, http.StatusCreated)
	if got := decode[api.WebhookCreated](t, r); !slices.Equal(got.EventTypes, []string{"contact.deleted"}) || r.Header.Get("Location") != "/api/v1/webhooks/"+got.ID+"/deliveries" {
		t.Errorf("created %+v at %s", got, r.Header.Get("Location"))
	}
}

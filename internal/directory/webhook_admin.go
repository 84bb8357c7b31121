package directory

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// CreateWebhook registers an endpoint with a new signing secret and returns
// it with the secret, which is not shown again. URL and EventTypes come
// from ep (Description too); the rest is set here. found are problems the
// caller's decoding met (a field of the wrong type), reported with the
// rest. It needs the admin role; a bad URL or an unknown event type is
// CodeInvalid.
func (s *Service) CreateWebhook(ctx context.Context, caller Caller, ep WebhookEndpoint, found []FieldError) (WebhookEndpoint, error) {
	if err := caller.require(RoleAdmin); err != nil {
		return WebhookEndpoint{}, err
	}
	fe := fieldErrors(slices.Clone(found))
	ep.URL = normalizeText(ep.URL)
	ep.Description = normalizeText(ep.Description)
	checkWebhookURL(&fe, ep.URL, s.webhookTargets)
	checkText(&fe, "description", ep.Description, maxShortText, false)
	var types []EventType
	for i, t := range ep.EventTypes {
		if !slices.Contains(EventTypes, t) {
			fe.add(fmt.Sprintf("event_types[%d]", i), "unknown event type %q; known types are %s", t, joinTypes(EventTypes))
		} else if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	if err := fe.err("invalid webhook"); err != nil {
		return WebhookEndpoint{}, err
	}
	secret, err := NewWebhookSecret()
	if err != nil {
		return WebhookEndpoint{}, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	ep = WebhookEndpoint{ID: uuid.Must(uuid.NewV7()).String(), URL: ep.URL, Description: ep.Description,
		EventTypes: types, Secret: secret, CreatedAt: now}
	entry := s.audit(caller, EntityWebhook, ep.ID, ActionCreate, []Change{
		{Field: "url", New: ep.URL}, {Field: "event_types", New: joinTypes(types)}})
	if err := s.store.CreateWebhook(ctx, ep, entry); err != nil {
		return WebhookEndpoint{}, fmt.Errorf("create webhook: %w", err)
	}
	return ep, nil
}

// Webhooks lists the endpoints, oldest first, without their secrets. It
// needs the admin role.
func (s *Service) Webhooks(ctx context.Context, caller Caller) ([]WebhookEndpoint, error) {
	if err := caller.require(RoleAdmin); err != nil {
		return nil, err
	}
	eps, err := s.store.Webhooks(ctx)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	for i := range eps {
		eps[i].Secret = ""
	}
	return eps, nil
}

// DeleteWebhook removes an endpoint with its outbox and delivery log. It
// needs the admin role; an unknown id is CodeNotFound.
func (s *Service) DeleteWebhook(ctx context.Context, caller Caller, id string) error {
	if err := caller.require(RoleAdmin); err != nil {
		return err
	}
	ep, err := s.store.Webhook(ctx, id)
	if err != nil {
		return fmt.Errorf("get webhook %q: %w", id, err)
	}
	entry := s.audit(caller, EntityWebhook, ep.ID, ActionDelete, []Change{{Field: "url", Old: ep.URL}})
	if err := s.store.DeleteWebhook(ctx, ep.ID, entry); err != nil {
		return fmt.Errorf("delete webhook %s: %w", ep.ID, err)
	}
	return nil
}

// TestWebhook queues a test event (type webhook.test, id the endpoint's)
// for the endpoint, sent like any other message, and returns its delivery.
// It needs the admin role; an unknown id is CodeNotFound and a disabled
// endpoint CodeConflict.
func (s *Service) TestWebhook(ctx context.Context, caller Caller, id string) (Delivery, error) {
	if err := caller.require(RoleAdmin); err != nil {
		return Delivery{}, err
	}
	ep, err := s.store.Webhook(ctx, id)
	if err != nil {
		return Delivery{}, fmt.Errorf("get webhook %q: %w", id, err)
	}
	if ep.DisabledAt != nil {
		return Delivery{}, Errorf(CodeConflict, "webhook %s is disabled (%s); register it again", ep.ID, ep.DisabledReason)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	d := Delivery{ID: uuid.Must(uuid.NewV7()).String(), EndpointID: ep.ID, Status: DeliveryPending,
		NextAttemptAt: now, CreatedAt: now, Event: ChangeEvent{Type: EventWebhookTest, ID: ep.ID, At: now, Public: true}}
	if err := s.store.EnqueueDelivery(ctx, d); err != nil {
		return Delivery{}, fmt.Errorf("queue test event for %s: %w", ep.ID, err)
	}
	return d, nil
}

// WebhookDeliveries returns one page of an endpoint's delivery log, newest
// first, and the number of its deliveries. It needs the admin role; an
// unknown id is CodeNotFound.
func (s *Service) WebhookDeliveries(ctx context.Context, caller Caller, id string, page, perPage int) ([]Delivery, int, error) {
	if err := caller.require(RoleAdmin); err != nil {
		return nil, 0, err
	}
	ep, err := s.store.Webhook(ctx, id)
	if err != nil {
		return nil, 0, fmt.Errorf("get webhook %q: %w", id, err)
	}
	ds, total, err := s.store.Deliveries(ctx, ep.ID, page, perPage)
	if err != nil {
		return nil, 0, fmt.Errorf("list deliveries of %s: %w", ep.ID, err)
	}
	return ds, total, nil
}

// ClaimDeliveries takes up to limit due deliveries of enabled endpoints
// for the caller (a delivery worker) alone for lease, with their endpoints
// and the records their events are about as they are now. A delivery
// whose worker died is claimed again once its lease runs out, so none is
// lost; several workers, in any number of processes, never claim one
// delivery at once.
func (s *Service) ClaimDeliveries(ctx context.Context, limit int, lease time.Duration) ([]Delivery, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	ds, err := s.store.ClaimDeliveries(ctx, now, lease, limit)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	events := make([]ChangeEvent, len(ds))
	for i := range ds {
		events[i] = ds[i].Event
	}
	if err := s.loadRecords(ctx, events); err != nil {
		return nil, err
	}
	for i := range ds {
		ds[i].Event = events[i]
	}
	return ds, nil
}

// FinishDelivery records the outcome of an attempt.
func (s *Service) FinishDelivery(ctx context.Context, r DeliveryResult) error {
	if err := s.store.FinishDelivery(ctx, r); err != nil {
		return fmt.Errorf("record delivery %s: %w", r.DeliveryID, err)
	}
	return nil
}

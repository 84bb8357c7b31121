package directory

import (
	"context"
	"fmt"
	"time"
)

// ChangeStore keeps the change log and the webhook outbox. Every write
// above appends the change events of its audit entries (EventOf) in its
// own transaction, numbered in commit order, and queues a delivery of each
// to every enabled endpoint that wants it, so that a reader following the
// log never skips a write that commits late and no event is lost.
type ChangeStore interface {
	// Changes reads the events f selects and the log's bounds in one
	// snapshot: only events with seq at most the Latest it returns.
	Changes(ctx context.Context, f ChangesFilter) (ChangesRead, error)
	// PruneChanges deletes events written before cutoff except the
	// latest, and returns how many it deleted.
	PruneChanges(ctx context.Context, cutoff time.Time) (int, error)

	CreateWebhook(ctx context.Context, ep WebhookEndpoint, entry AuditEntry) error
	// Webhooks returns every endpoint, oldest first, with its secret.
	Webhooks(ctx context.Context) ([]WebhookEndpoint, error)
	Webhook(ctx context.Context, id string) (WebhookEndpoint, error)
	// DeleteWebhook deletes an endpoint with its deliveries.
	DeleteWebhook(ctx context.Context, id string, entry AuditEntry) error
	// EnqueueDelivery queues one message (a test event).
	EnqueueDelivery(ctx context.Context, d Delivery) error
	// Deliveries returns a page of an endpoint's deliveries, newest first,
	// and their number.
	Deliveries(ctx context.Context, endpointID string, page, perPage int) ([]Delivery, int, error)
	// ClaimDeliveries marks up to limit pending deliveries of enabled
	// endpoints that are due at now, and not claimed by another worker
	// whose lease still runs, as claimed until now+lease, counts the
	// attempt, and returns them with their endpoints.
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Delivery, error)
	// FinishDelivery records an attempt's outcome unless the delivery was
	// claimed again since (its attempt count moved on), and updates the
	// endpoint: failing since, or disabled, failing what it still had
	// queued.
	FinishDelivery(ctx context.Context, r DeliveryResult) error
}

// Changes returns the change events after q.After that the caller may see,
// in sequence order, loading for each the record as it is now (nil when it
// is gone). After=latest returns no events and the latest sequence number
// as NextAfter. With q.Wait, a request that finds no event waits up to
// q.Wait for one, polling the log, so every API process sees every write,
// or until q.Stop is closed.
// It needs the partner role; a cursor whose events were pruned (older than
// the retention), or one past the latest event (the database was restored
// from a backup, or is another), is CodeGone: the partner re-exports.
func (s *Service) Changes(ctx context.Context, caller Caller, q ChangesQuery) (ChangePage, error) {
	if err := caller.require(RolePartner); err != nil {
		return ChangePage{}, err
	}
	f := ChangesFilter{After: q.After, Limit: q.Limit + 1, Types: q.Types, Private: caller.SeesPrivate()}
	if q.Latest {
		f.Limit = 0
	}
	deadline := s.now().Add(q.Wait)
	for {
		read, err := s.store.Changes(ctx, f)
		if err == nil && f.After > read.Latest && !ReadsPrimary(ctx) {
			// A read replica may lag behind the cursor a partner was given
			// from the primary: only the primary can say the log never
			// reached it.
			ctx = WithPrimary(ctx)
			read, err = s.store.Changes(ctx, f)
		}
		if err != nil {
			return ChangePage{}, fmt.Errorf("read changes: %w", err)
		}
		if q.Latest {
			return ChangePage{NextAfter: read.Latest}, nil
		}
		if read.Oldest > 0 && f.After < read.Oldest-1 {
			return ChangePage{}, Errorf(CodeGone, "the changes after %d are no longer kept (the oldest kept is %d, the retention is %s); export the directory again and follow the changes from the sequence number the export carries",
				f.After, read.Oldest, s.retention)
		}
		if f.After > read.Latest {
			// A cursor this log never reached: the database was restored
			// from a backup taken before it, or it is another database.
			// Answering "no events" would keep the partner waiting there
			// for good, missing every event numbered up to it.
			return ChangePage{}, Errorf(CodeGone, "the change log has no position %d (its latest is %d): the database was restored from a backup or is another one; export the directory again and follow the changes from the sequence number the export carries",
				f.After, read.Latest)
		}
		if len(read.Events) > 0 || q.Wait == 0 || !s.now().Before(deadline) {
			return s.changePage(ctx, read, q)
		}
		t := time.NewTimer(min(changesPoll, time.Until(deadline)))
		select {
		case <-ctx.Done():
			t.Stop()
			return ChangePage{}, fmt.Errorf("wait for changes: %w", ctx.Err())
		case <-q.Stop:
			t.Stop()
			return s.changePage(ctx, read, q)
		case <-t.C:
		}
	}
}

func (s *Service) changePage(ctx context.Context, read ChangesRead, q ChangesQuery) (ChangePage, error) {
	page := ChangePage{Events: read.Events, NextAfter: max(q.After, read.Latest)}
	if len(page.Events) > q.Limit {
		page.Events, page.HasMore = page.Events[:q.Limit], true
		page.NextAfter = page.Events[q.Limit-1].Seq
	}
	if err := s.loadRecords(ctx, page.Events); err != nil {
		return ChangePage{}, err
	}
	return page, nil
}

// loadRecords fills each event's Organization or Contact with the record
// as it is now, all contacts included, leaving nil those that are gone.
// The records of a page are read at once: a page has up to MaxChangesLimit
// events, each perhaps of another organization.
func (s *Service) loadRecords(ctx context.Context, events []ChangeEvent) error {
	var ids []string
	seen := map[string]bool{}
	for _, ev := range events {
		if ev.OrganizationID != "" && !ev.Type.Tombstone() && !seen[ev.OrganizationID] {
			seen[ev.OrganizationID] = true
			ids = append(ids, ev.OrganizationID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	found, err := s.store.OrganizationsWithContacts(ctx, ids)
	if err != nil {
		return fmt.Errorf("load the organizations of changes %d to %d: %w", events[0].Seq, events[len(events)-1].Seq, err)
	}
	orgs := make(map[string]*Organization, len(found))
	for i := range found {
		orgs[found[i].ID] = &found[i]
	}
	for i := range events {
		ev := &events[i]
		org := orgs[ev.OrganizationID]
		if org == nil || ev.Type.Tombstone() {
			continue
		}
		if ev.OrganizationID == ev.ID {
			ev.Organization = org
			continue
		}
		for j := range org.Contacts {
			if org.Contacts[j].ID == ev.ID {
				ev.Contact = &org.Contacts[j]
			}
		}
	}
	return nil
}

// PruneChanges deletes the change events older than the retention, but
// never the latest one, so that sequence numbers go on from it. It returns
// how many it deleted.
func (s *Service) PruneChanges(ctx context.Context) (int, error) {
	n, err := s.store.PruneChanges(ctx, s.now().Add(-s.retention))
	if err != nil {
		return 0, fmt.Errorf("prune change log: %w", err)
	}
	return n, nil
}

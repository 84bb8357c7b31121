package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/coalition-directory/coalition/internal/directory"
)

// The change log and the webhook outbox (migration 0009). Every write that
// stores an audit entry appends the entry's change event in the same
// transaction (insertAudit), an import appends those of its rows at Flush,
// and each appended event queues one delivery per enabled endpoint that
// wants it. Sequence numbers are the latest plus one, taken while the
// transaction holds the log's lock (SQLite's write lock, which every write
// transaction takes first; on PostgreSQL Dialect.LockChanges), so they
// have no gaps and commit in order: a reader that saw seq n has seen
// every event before it.

type changeRow struct {
	Seq            int64 `gorm:"column:seq;primaryKey;autoIncrement:false"`
	Type           string
	EntityID       string
	OrganizationID string
	At             string
	Public         bool
}

func (changeRow) TableName() string { return "changes" }

func (r *changeRow) toDomain() (directory.ChangeEvent, error) {
	at, err := parseTime(r.At)
	return directory.ChangeEvent{Seq: r.Seq, Type: directory.EventType(r.Type), ID: r.EntityID,
		OrganizationID: r.OrganizationID, At: at, Public: r.Public}, err
}

// appendChanges appends events to the log in the write transaction tx and
// queues their deliveries; it must be the transaction's last write, as it
// holds the log's lock until the commit.
func (db *DB) appendChanges(tx *gorm.DB, events []directory.ChangeEvent) error {
	if len(events) == 0 {
		return nil
	}
	last, err := db.lockChanges(tx)
	if err != nil {
		return err
	}
	if err := insertChanges(tx, last, events); err != nil {
		return err
	}
	return enqueueAfter(tx, last)
}

// insertChanges stores events in the log with the sequence numbers after
// last, in their order; tx must hold the log's lock (lockChanges).
func insertChanges(tx *gorm.DB, last int64, events []directory.ChangeEvent) error {
	if len(events) == 0 {
		return nil
	}
	rows := make([]changeRow, len(events))
	for i, ev := range events {
		rows[i] = changeRow{Seq: last + int64(i) + 1, Type: string(ev.Type), EntityID: ev.ID,
			OrganizationID: ev.OrganizationID, At: formatTime(ev.At), Public: ev.Public}
	}
	if err := tx.CreateInBatches(&rows, 500).Error; err != nil {
		return fmt.Errorf("append changes: %w", err)
	}
	return nil
}

// lockChanges takes the change log's lock for the rest of tx and returns
// the latest sequence number.
func (db *DB) lockChanges(tx *gorm.DB) (int64, error) {
	if db.d.LockChanges != nil {
		if err := db.d.LockChanges(tx); err != nil {
			return 0, fmt.Errorf("lock change log: %w", err)
		}
	}
	var last int64
	if err := tx.Raw("SELECT COALESCE(max(seq), 0) FROM changes").Scan(&last).Error; err != nil {
		return 0, fmt.Errorf("read latest change: %w", err)
	}
	return last, nil
}

// enqueueAfter queues a delivery of every event after seq last to every
// enabled endpoint that wants its type; the delivery's id, its messages'
// webhook-id, is the endpoint's id and the event's seq.
func enqueueAfter(tx *gorm.DB, last int64) error {
	err := tx.Exec(`INSERT INTO webhook_deliveries (id, endpoint_id, seq, type, entity_id, organization_id, event_at, public,
			status, attempts, next_attempt_at, created_at)
		SELECT e.id || '.' || CAST(c.seq AS TEXT), e.id, c.seq, c.type, c.entity_id, c.organization_id, c.at, c.public,
			?, 0, c.at, c.at
		FROM changes c JOIN webhook_endpoints e
			ON e.disabled_at IS NULL AND (e.event_types = '' OR e.event_types LIKE '%,' || c.type || ',%')
		WHERE c.seq > ?`, string(directory.DeliveryPending), last).Error
	if err != nil {
		return fmt.Errorf("queue deliveries: %w", err)
	}
	return nil
}

// insertAudit stores an audit entry and appends its change event, in the
// write's transaction tx: every write records its entry here, so none is
// missing from the feed.
func (db *DB) insertAudit(tx *gorm.DB, e directory.AuditEntry) error {
	row, err := toAuditRow(e)
	if err != nil {
		return err
	}
	if err := tx.Create(&row).Error; err != nil {
		return fmt.Errorf("insert audit entry: %w", err)
	}
	if ev, ok := directory.EventOf(e); ok {
		return db.appendChanges(tx, []directory.ChangeEvent{ev})
	}
	return nil
}

// appendImported appends the change events of an import: those of the
// rows it updated (events) and an organization.created for each
// organization it created (keys from firstNew on), at the import's time.
func (db *DB) appendImported(tx *gorm.DB, events []directory.ChangeEvent, firstNew int64, created directory.AuditEntry) error {
	var n int64
	if err := tx.Raw("SELECT count(*) FROM organizations WHERE pk >= ?", firstNew).Scan(&n).Error; err != nil {
		return fmt.Errorf("count imported organizations: %w", err)
	}
	if len(events) == 0 && n == 0 {
		return nil
	}
	last, err := db.lockChanges(tx)
	if err != nil {
		return err
	}
	if err := insertChanges(tx, last, events); err != nil {
		return err
	}
	if n > 0 {
		err := tx.Exec(`INSERT INTO changes (seq, type, entity_id, organization_id, at, public)
			SELECT ? + ROW_NUMBER() OVER (ORDER BY o.pk), ?, o.id, o.id, ?, ?
			FROM organizations o WHERE o.pk >= ?`,
			last+int64(len(events)), string(directory.EventOrganizationCreated), formatTime(created.At), true, firstNew).Error
		if err != nil {
			return fmt.Errorf("append created organizations: %w", err)
		}
	}
	return enqueueAfter(tx, last)
}

// Changes implements directory.ChangeStore: the bounds and the events are
// read in one read transaction, one snapshot.
func (db *DB) Changes(ctx context.Context, f directory.ChangesFilter) (directory.ChangesRead, error) {
	var out directory.ChangesRead
	err := db.readTransaction(db.reading(ctx, db.read), func(tx *gorm.DB) error {
		var bounds struct{ Oldest, Latest int64 }
		if err := tx.Raw("SELECT COALESCE(min(seq), 0) AS oldest, COALESCE(max(seq), 0) AS latest FROM changes").Scan(&bounds).Error; err != nil {
			return fmt.Errorf("read change log bounds: %w", err)
		}
		out.Oldest, out.Latest = bounds.Oldest, bounds.Latest
		if f.Limit <= 0 || f.After >= out.Latest {
			return nil
		}
		where, args := []string{"seq > ?", "seq <= ?"}, []any{f.After, out.Latest}
		if len(f.Types) > 0 {
			types := make([]string, len(f.Types))
			for i, t := range f.Types {
				types[i] = string(t)
			}
			where, args = append(where, "type IN ?"), append(args, types)
		}
		if !f.Private {
			where, args = append(where, "public = ?"), append(args, true)
		}
		var rows []changeRow
		err := tx.Raw("SELECT seq, type, entity_id, organization_id, at, public FROM changes WHERE "+
			strings.Join(where, " AND ")+" ORDER BY seq LIMIT ?", append(args, f.Limit)...).Scan(&rows).Error
		if err != nil {
			return fmt.Errorf("read changes: %w", err)
		}
		out.Events = make([]directory.ChangeEvent, len(rows))
		for i := range rows {
			if out.Events[i], err = rows[i].toDomain(); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// PruneChanges implements directory.ChangeStore; it also deletes the
// finished deliveries queued before cutoff.
func (db *DB) PruneChanges(ctx context.Context, cutoff time.Time) (int, error) {
	var n int64
	err := db.write(ctx, "prune change log", func(tx *gorm.DB) error {
		res := tx.Exec("DELETE FROM changes WHERE at < ? AND seq < (SELECT max(seq) FROM changes)", formatTime(cutoff))
		if res.Error != nil {
			return res.Error
		}
		n = res.RowsAffected
		return tx.Exec("DELETE FROM webhook_deliveries WHERE status <> ? AND created_at < ?",
			string(directory.DeliveryPending), formatTime(cutoff)).Error
	})
	return int(n), err
}

type webhookRow struct {
	ID             string `gorm:"primaryKey"`
	URL            string `gorm:"column:url"`
	Description    string
	EventTypes     string
	Secret         string
	CreatedAt      string
	FailingSince   *string
	DisabledAt     *string
	DisabledReason string
}

func (webhookRow) TableName() string { return "webhook_endpoints" }

func (r *webhookRow) toDomain() (directory.WebhookEndpoint, error) {
	ep := directory.WebhookEndpoint{ID: r.ID, URL: r.URL, Description: r.Description, Secret: r.Secret, DisabledReason: r.DisabledReason}
	for _, t := range strings.Split(strings.Trim(r.EventTypes, ","), ",") {
		if t != "" {
			ep.EventTypes = append(ep.EventTypes, directory.EventType(t))
		}
	}
	var err error
	if ep.CreatedAt, err = parseTime(r.CreatedAt); err != nil {
		return ep, err
	}
	if ep.FailingSince, err = parseTimePtr(r.FailingSince); err != nil {
		return ep, err
	}
	ep.DisabledAt, err = parseTimePtr(r.DisabledAt)
	return ep, err
}

// CreateWebhook implements directory.ChangeStore.
func (db *DB) CreateWebhook(ctx context.Context, ep directory.WebhookEndpoint, entry directory.AuditEntry) error {
	return db.write(ctx, "create webhook", func(tx *gorm.DB) error {
		types := ""
		if len(ep.EventTypes) > 0 {
			s := make([]string, len(ep.EventTypes))
			for i, t := range ep.EventTypes {
				s[i] = string(t)
			}
			types = "," + strings.Join(s, ",") + ","
		}
		row := webhookRow{ID: ep.ID, URL: ep.URL, Description: ep.Description, EventTypes: types, Secret: ep.Secret,
			CreatedAt: formatTime(ep.CreatedAt)}
		if err := tx.Create(&row).Error; err != nil {
			return db.translate(err, "insert webhook")
		}
		return db.insertAudit(tx, entry)
	})
}

// Webhooks implements directory.ChangeStore.
func (db *DB) Webhooks(ctx context.Context) ([]directory.WebhookEndpoint, error) {
	var rows []webhookRow
	if err := db.gorm.WithContext(ctx).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	out := make([]directory.WebhookEndpoint, len(rows))
	for i := range rows {
		var err error
		if out[i], err = rows[i].toDomain(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Webhook implements directory.ChangeStore.
func (db *DB) Webhook(ctx context.Context, id string) (directory.WebhookEndpoint, error) {
	var rows []webhookRow
	if err := db.gorm.WithContext(ctx).Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil {
		return directory.WebhookEndpoint{}, fmt.Errorf("find webhook: %w", err)
	}
	if len(rows) == 0 {
		return directory.WebhookEndpoint{}, directory.Errorf(directory.CodeNotFound, "no webhook %q", id)
	}
	return rows[0].toDomain()
}

// DeleteWebhook implements directory.ChangeStore.
func (db *DB) DeleteWebhook(ctx context.Context, id string, entry directory.AuditEntry) error {
	return db.write(ctx, "delete webhook", func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM webhook_deliveries WHERE endpoint_id = ?", id).Error; err != nil {
			return fmt.Errorf("delete deliveries: %w", err)
		}
		res := tx.Exec("DELETE FROM webhook_endpoints WHERE id = ?", id)
		if res.Error != nil {
			return fmt.Errorf("delete webhook: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return directory.Errorf(directory.CodeNotFound, "no webhook %q", id)
		}
		return db.insertAudit(tx, entry)
	})
}

type deliveryRow struct {
	ID             string `gorm:"primaryKey"`
	EndpointID     string
	Seq            int64
	Type           string
	EntityID       string
	OrganizationID string
	EventAt        string
	Public         bool
	Status         string
	Attempts       int
	NextAttemptAt  string
	ClaimedUntil   *string
	LastAttemptAt  *string
	LastResponse   int
	LastError      string
	DeliveredAt    *string
	CreatedAt      string
}

func (deliveryRow) TableName() string { return "webhook_deliveries" }

func (r *deliveryRow) toDomain() (directory.Delivery, error) {
	d := directory.Delivery{ID: r.ID, EndpointID: r.EndpointID, Status: directory.DeliveryStatus(r.Status), Attempts: r.Attempts,
		LastResponse: r.LastResponse, LastError: r.LastError,
		Event: directory.ChangeEvent{Seq: r.Seq, Type: directory.EventType(r.Type), ID: r.EntityID, OrganizationID: r.OrganizationID, Public: r.Public}}
	var err error
	if d.Event.At, err = parseTime(r.EventAt); err != nil {
		return d, err
	}
	if d.NextAttemptAt, err = parseTime(r.NextAttemptAt); err != nil {
		return d, err
	}
	if d.CreatedAt, err = parseTime(r.CreatedAt); err != nil {
		return d, err
	}
	if d.LastAttemptAt, err = parseTimePtr(r.LastAttemptAt); err != nil {
		return d, err
	}
	d.DeliveredAt, err = parseTimePtr(r.DeliveredAt)
	return d, err
}

// EnqueueDelivery implements directory.ChangeStore.
func (db *DB) EnqueueDelivery(ctx context.Context, d directory.Delivery) error {
	return db.write(ctx, "queue delivery", func(tx *gorm.DB) error {
		row := deliveryRow{ID: d.ID, EndpointID: d.EndpointID, Seq: d.Event.Seq, Type: string(d.Event.Type), EntityID: d.Event.ID,
			OrganizationID: d.Event.OrganizationID, EventAt: formatTime(d.Event.At), Public: d.Event.Public,
			Status: string(d.Status), NextAttemptAt: formatTime(d.NextAttemptAt), CreatedAt: formatTime(d.CreatedAt)}
		if err := tx.Create(&row).Error; err != nil {
			return db.translate(err, "insert delivery")
		}
		return nil
	})
}

// Deliveries implements directory.ChangeStore.
func (db *DB) Deliveries(ctx context.Context, endpointID string, page, perPage int) ([]directory.Delivery, int, error) {
	g := db.gorm.WithContext(ctx)
	var total int64
	if err := g.Model(&deliveryRow{}).Where("endpoint_id = ?", endpointID).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count deliveries: %w", err)
	}
	var rows []deliveryRow
	err := g.Where("endpoint_id = ?", endpointID).Order("created_at DESC, seq DESC, id DESC").
		Limit(perPage).Offset((page - 1) * perPage).Find(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("list deliveries: %w", err)
	}
	out := make([]directory.Delivery, len(rows))
	for i := range rows {
		if out[i], err = rows[i].toDomain(); err != nil {
			return nil, 0, err
		}
	}
	return out, int(total), nil
}

// outbox runs fn in a transaction that writes only the outbox: not begun
// as the directory's writes are (Dialect.BeginWrite), since it changes no
// record, so it neither waits for them nor tells caches that the
// directory changed.
func (db *DB) outbox(ctx context.Context, doing string, fn func(tx *gorm.DB) error) error {
	if err := db.gorm.WithContext(ctx).Transaction(fn); err != nil {
		return fmt.Errorf("%s: %w", doing, db.full(err))
	}
	return nil
}

// ClaimDeliveries implements directory.ChangeStore. On PostgreSQL the due
// rows are locked with FOR UPDATE SKIP LOCKED (Dialect.SkipLocked), so
// workers claiming at once take different rows; on SQLite the write lock
// makes them take turns.
func (db *DB) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]directory.Delivery, error) {
	// A look first, without the write lock: most rounds find nothing due.
	var due []int
	err := db.gorm.WithContext(ctx).Raw(`SELECT 1 FROM webhook_deliveries WHERE status = ? AND next_attempt_at <= ? LIMIT 1`,
		string(directory.DeliveryPending), formatTime(now)).Scan(&due).Error
	if err != nil || len(due) == 0 {
		return nil, err
	}
	var out []directory.Delivery
	err = db.outbox(ctx, "claim deliveries", func(tx *gorm.DB) error {
		at := formatTime(now)
		var ids []string
		err := tx.Raw(`SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
			WHERE d.status = ? AND d.next_attempt_at <= ? AND (d.claimed_until IS NULL OR d.claimed_until <= ?)
			AND e.disabled_at IS NULL
			ORDER BY d.next_attempt_at, d.seq, d.id LIMIT ?`+db.d.SkipLocked,
			string(directory.DeliveryPending), at, at, limit).Scan(&ids).Error
		if err != nil || len(ids) == 0 {
			return err
		}
		err = tx.Exec("UPDATE webhook_deliveries SET claimed_until = ?, attempts = attempts + 1 WHERE id IN ?",
			formatTime(now.Add(lease)), ids).Error
		if err != nil {
			return fmt.Errorf("claim: %w", err)
		}
		var rows []deliveryRow
		if err := tx.Where("id IN ?", ids).Order("next_attempt_at, seq, id").Find(&rows).Error; err != nil {
			return fmt.Errorf("read claimed: %w", err)
		}
		var eps []webhookRow
		if err := tx.Where("id IN (SELECT endpoint_id FROM webhook_deliveries WHERE id IN ?)", ids).Find(&eps).Error; err != nil {
			return fmt.Errorf("read endpoints: %w", err)
		}
		endpoints := map[string]*directory.WebhookEndpoint{}
		for i := range eps {
			ep, err := eps[i].toDomain()
			if err != nil {
				return err
			}
			endpoints[ep.ID] = &ep
		}
		out = make([]directory.Delivery, len(rows))
		for i := range rows {
			if out[i], err = rows[i].toDomain(); err != nil {
				return err
			}
			out[i].Endpoint = endpoints[out[i].EndpointID]
		}
		return nil
	})
	return out, err
}

// FinishDelivery implements directory.ChangeStore.
func (db *DB) FinishDelivery(ctx context.Context, r directory.DeliveryResult) error {
	return db.outbox(ctx, "record delivery", func(tx *gorm.DB) error {
		at := formatTime(r.At)
		var next, delivered *string
		if r.Status == directory.DeliveryPending {
			n := formatTime(r.NextAttemptAt)
			next = &n
		}
		if r.Status == directory.DeliveryDelivered {
			delivered = &at
		}
		res := tx.Exec(`UPDATE webhook_deliveries SET status = ?, next_attempt_at = COALESCE(?, next_attempt_at),
			claimed_until = NULL, last_attempt_at = ?, last_response = ?, last_error = ?, delivered_at = ?
			WHERE id = ? AND attempts = ? AND status = ?`,
			string(r.Status), next, at, r.Response, r.Error, delivered, r.DeliveryID, r.Attempt, string(directory.DeliveryPending))
		if res.Error != nil {
			return fmt.Errorf("update delivery: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return nil // claimed again since: the later attempt reports
		}
		var err error
		if r.Status == directory.DeliveryDelivered {
			err = tx.Exec("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ?", r.EndpointID).Error
		} else {
			err = tx.Exec("UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, ?) WHERE id = ?", at, r.EndpointID).Error
		}
		if err == nil && r.Disable != "" {
			err = tx.Exec("UPDATE webhook_endpoints SET disabled_at = ?, disabled_reason = ? WHERE id = ? AND disabled_at IS NULL",
				at, r.Disable, r.EndpointID).Error
		}
		if err == nil && r.Disable != "" {
			// What was still queued for it will not be sent: the log says so.
			err = tx.Exec("UPDATE webhook_deliveries SET status = ?, claimed_until = NULL, last_error = ? WHERE endpoint_id = ? AND status = ?",
				string(directory.DeliveryFailed), "not sent: the endpoint was disabled ("+r.Disable+")", r.EndpointID,
				string(directory.DeliveryPending)).Error
		}
		if err != nil {
			return fmt.Errorf("update endpoint: %w", err)
		}
		return nil
	})
}

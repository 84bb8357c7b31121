package directory

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/google/uuid"
)

// EntityType names what an audit entry is about.
type EntityType string

// Audited entities.
const (
	EntityOrganization EntityType = "organization"
	EntityContact      EntityType = "contact"
	EntityFocusArea    EntityType = "focus_area"
	EntityKey          EntityType = "key"
	EntityWebhook      EntityType = "webhook"
)

// Action is what a write did.
type Action string

// Audited actions.
const (
	ActionCreate  Action = "create"
	ActionUpdate  Action = "update"
	ActionArchive Action = "archive"
	ActionRestore Action = "restore"
	ActionDelete  Action = "delete"
	ActionImport  Action = "import"
	ActionRevoke  Action = "revoke"
)

// Change is one field's old and new value. Values are what the API shows:
// strings, numbers, booleans, lists and times; nil where there was none.
type Change struct {
	Field string
	Old   any
	New   any
}

// AuditEntry records one write: who made it, when, to what and how. It is
// stored in the same transaction as the write, so the log and the data
// cannot disagree.
type AuditEntry struct {
	ID             string
	At             time.Time
	KeyID          string // empty for operators on the command line
	Actor          string // the key's name, or the operator's
	EntityType     EntityType
	EntityID       string
	OrganizationID string // the organization the entity belongs to, if any
	Action         Action
	Changes        []Change
	// PartnersOnly marks a write that changed only what partners see
	// (a partners-only contact, a hidden address): its change event is
	// not shown to callers who do not see partners-only data. It is not
	// stored with the entry.
	PartnersOnly bool
}

// AuditQuery selects audit entries, newest first.
type AuditQuery struct {
	EntityType     EntityType
	EntityID       string
	OrganizationID string // entries about the organization or its contacts
	KeyID          string
	Since          time.Time
	Page, PerPage  int
}

// audit starts an entry for a write by caller.
func (s *Service) audit(caller Caller, entity EntityType, id string, action Action, changes []Change) AuditEntry {
	return AuditEntry{
		ID:         uuid.Must(uuid.NewV7()).String(),
		At:         s.now().UTC().Truncate(time.Microsecond),
		KeyID:      caller.KeyID,
		Actor:      caller.Name,
		EntityType: entity,
		EntityID:   id,
		Action:     action,
		Changes:    changes,
	}
}

// diff lists the fields whose values differ between two flattened records,
// in the order of fields.
func diff(fields []string, old, new map[string]any) []Change {
	var out []Change
	for _, f := range fields {
		if !reflect.DeepEqual(old[f], new[f]) {
			out = append(out, Change{Field: f, Old: old[f], New: new[f]})
		}
	}
	return out
}

// History returns the audit trail of an organization and its contacts,
// newest first. It needs the editor role; an unknown organization is
// CodeNotFound (archived ones have a history too).
func (s *Service) History(ctx context.Context, caller Caller, idOrSlug string, page, perPage int) ([]AuditEntry, int, error) {
	if err := caller.require(RoleEditor); err != nil {
		return nil, 0, err
	}
	org, err := s.store.OrganizationAny(ctx, idOrSlug)
	if err != nil {
		return nil, 0, fmt.Errorf("get organization %q: %w", idOrSlug, err)
	}
	entries, total, err := s.store.AuditEntries(ctx, AuditQuery{OrganizationID: org.ID, Page: page, PerPage: perPage})
	if err != nil {
		return nil, 0, fmt.Errorf("read history of %s: %w", org.ID, err)
	}
	return entries, total, nil
}

// Audit returns audit entries matching q, newest first. It needs the admin role.
func (s *Service) Audit(ctx context.Context, caller Caller, q AuditQuery) ([]AuditEntry, int, error) {
	if err := caller.require(RoleAdmin); err != nil {
		return nil, 0, err
	}
	entries, total, err := s.store.AuditEntries(ctx, q)
	if err != nil {
		return nil, 0, fmt.Errorf("read audit log: %w", err)
	}
	return entries, total, nil
}

// ParseAuditQuery reads audit-log parameters by their API names through
// get, returning every problem at once, each naming its parameter.
func ParseAuditQuery(get func(name string) string) (AuditQuery, error) {
	var fe fieldErrors
	q := AuditQuery{EntityID: get("entity_id"), KeyID: get("key_id")}
	switch t := EntityType(get("entity_type")); t {
	case "", EntityOrganization, EntityContact, EntityFocusArea, EntityKey, EntityWebhook:
		q.EntityType = t
	default:
		fe.add("entity_type", "must be one of organization, contact, focus_area, key, webhook")
	}
	if v := get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			fe.add("since", "must be an RFC 3339 timestamp such as 2026-01-31T00:00:00Z")
		}
		q.Since = t.UTC()
	}
	q.Page = parsePositive(&fe, "page", get("page"), 1, 1<<20)
	q.PerPage = parsePositive(&fe, "per_page", get("per_page"), DefaultPerPage, MaxPerPage)
	return q, fe.err("invalid query parameters")
}

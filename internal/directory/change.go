package directory

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// EventType names what a change event reports: the entity, a dot and what
// happened to it.
type EventType string

// Change event types. The archived and deleted ones are tombstones: the
// record is gone for partners, and a replica removes it.
const (
	EventOrganizationCreated  EventType = "organization.created"
	EventOrganizationUpdated  EventType = "organization.updated"
	EventOrganizationArchived EventType = "organization.archived"
	EventOrganizationRestored EventType = "organization.restored"
	EventContactCreated       EventType = "contact.created"
	EventContactUpdated       EventType = "contact.updated"
	EventContactDeleted       EventType = "contact.deleted"
	EventFocusAreaCreated     EventType = "focus_area.created"
	EventFocusAreaUpdated     EventType = "focus_area.updated"
	EventFocusAreaDeleted     EventType = "focus_area.deleted"
)

// EventTypes lists every change event type, for validation and docs.
var EventTypes = []EventType{
	EventOrganizationCreated, EventOrganizationUpdated, EventOrganizationArchived, EventOrganizationRestored,
	EventContactCreated, EventContactUpdated, EventContactDeleted,
	EventFocusAreaCreated, EventFocusAreaUpdated, EventFocusAreaDeleted,
}

// Tombstone reports whether the event removes its record from what
// partners see.
func (t EventType) Tombstone() bool {
	return t == EventOrganizationArchived || t == EventContactDeleted || t == EventFocusAreaDeleted
}

// ChangeEvent is one entry of the change feed: a thin event that says
// which record changed and how, for a partner to fetch the record with its
// own key. Seq numbers events in the order their writes committed, on
// every storage backend, without gaps.
type ChangeEvent struct {
	Seq  int64
	Type EventType
	// ID is the organization's or contact's UUID, or the focus area's slug.
	ID string
	// OrganizationID is the organization a contact belongs to (and an
	// organization event's own ID); empty for focus areas.
	OrganizationID string
	At             time.Time
	// Public is false when the write changed only what partners see
	// (partners-only contacts, a hidden address): such events are shown
	// only to callers who see partners-only data.
	Public bool

	// Organization or Contact is the record as it is now, with every
	// contact, when it is still there (Service.Changes fills them), for
	// the api to render the entity tag a GET of it returns.
	Organization *Organization
	Contact      *Contact
}

// EventOf returns the change event that a write's audit entry makes, with
// Seq unset; false for writes that partners do not follow (API keys,
// webhooks). Storage calls it for every audit entry it stores, in the
// write's transaction, so that no write path can miss the feed.
func EventOf(entry AuditEntry) (ChangeEvent, bool) {
	ev := ChangeEvent{ID: entry.EntityID, OrganizationID: entry.OrganizationID, At: entry.At, Public: !entry.PartnersOnly}
	switch entry.EntityType {
	case EntityOrganization:
		ev.OrganizationID = entry.EntityID
		switch entry.Action {
		case ActionCreate:
			ev.Type = EventOrganizationCreated
		case ActionUpdate:
			ev.Type = EventOrganizationUpdated
		case ActionArchive:
			ev.Type = EventOrganizationArchived
		case ActionRestore:
			ev.Type = EventOrganizationRestored
		case ActionImport:
			ev.Type = EventOrganizationUpdated
			if slices.ContainsFunc(entry.Changes, func(c Change) bool { return c.Field == "created" }) {
				ev.Type = EventOrganizationCreated
			}
		default:
			return ChangeEvent{}, false
		}
	case EntityContact:
		switch entry.Action {
		case ActionCreate:
			ev.Type = EventContactCreated
		case ActionUpdate:
			ev.Type = EventContactUpdated
		case ActionDelete:
			ev.Type = EventContactDeleted
		default:
			return ChangeEvent{}, false
		}
	case EntityFocusArea:
		ev.OrganizationID = ""
		switch entry.Action {
		case ActionCreate:
			ev.Type = EventFocusAreaCreated
		case ActionUpdate:
			ev.Type = EventFocusAreaUpdated
		case ActionDelete:
			ev.Type = EventFocusAreaDeleted
		default:
			return ChangeEvent{}, false
		}
	default:
		return ChangeEvent{}, false
	}
	return ev, true
}

// DefaultRetention is how long change events are kept when the server is
// not told otherwise: a partner that has not synchronised for longer
// re-exports.
const DefaultRetention = 90 * 24 * time.Hour

// Limits of the changes query.
const (
	DefaultChangesLimit = 100
	MaxChangesLimit     = 1000
	// MaxChangesWait bounds a long poll, well within the server's write
	// timeout and the idle timeouts of common proxies.
	MaxChangesWait = 60 * time.Second
)

// changesPoll is how often a long poll looks for new events. Polling the
// database, rather than waking on this process's writes, sees the writes
// of every API process alike.
const changesPoll = 250 * time.Millisecond

// ChangesQuery selects change events: those after a sequence number.
type ChangesQuery struct {
	After  int64
	Latest bool // after=latest: start from the newest event, returning none
	Limit  int
	Types  []EventType // any of them; empty for all
	Wait   time.Duration
	// Stop, when closed, ends a wait at once with what there is (none):
	// the server is shutting down.
	Stop <-chan struct{}
}

// ParseChangesQuery reads the changes parameters (after, limit, types,
// wait) through get, returning every problem at once, each naming its
// parameter.
func ParseChangesQuery(get func(name string) string) (ChangesQuery, error) {
	var fe fieldErrors
	q := ChangesQuery{Limit: DefaultChangesLimit}
	switch after := get("after"); after {
	case "":
	case "latest":
		q.Latest = true
	default:
		n, err := strconv.ParseInt(after, 10, 64)
		if err != nil || n < 0 {
			fe.add("after", "must be a sequence number (0 or more) from next_after or an export, or latest")
		}
		q.After = n
	}
	q.Limit = parsePositive(&fe, "limit", get("limit"), DefaultChangesLimit, MaxChangesLimit)
	if types := get("types"); types != "" {
		for _, t := range strings.Split(types, ",") {
			t := EventType(strings.TrimSpace(t))
			if !slices.Contains(EventTypes, t) {
				fe.add("types", "unknown event type %q; known types are %s", t, joinTypes(EventTypes))
				continue
			}
			if !slices.Contains(q.Types, t) {
				q.Types = append(q.Types, t)
			}
		}
	}
	if w := get("wait"); w != "" {
		n, err := strconv.Atoi(w)
		if err != nil || n < 0 || time.Duration(n)*time.Second > MaxChangesWait {
			fe.add("wait", "must be a whole number of seconds from 0 to %d", int(MaxChangesWait/time.Second))
		}
		q.Wait = time.Duration(n) * time.Second
	}
	return q, fe.err("invalid query parameters")
}

func joinTypes(types []EventType) string {
	s := make([]string, len(types))
	for i, t := range types {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// ChangesRead is what the store reads of the change log in one snapshot:
// the events asked for and the log's bounds at that moment.
type ChangesRead struct {
	Events []ChangeEvent
	// Oldest is the first sequence number still kept (0 when the log is
	// empty); Latest the last one written (0 when there is none).
	Oldest, Latest int64
}

// ChangesFilter is what a store reads from the change log: at most Limit
// events with After < seq <= the latest, of Types (any when empty), public
// ones only unless Private.
type ChangesFilter struct {
	After   int64
	Limit   int
	Types   []EventType
	Private bool
}

// ChangePage is one page of the change feed.
type ChangePage struct {
	Events []ChangeEvent
	// NextAfter is the after to ask with next: the last event's Seq, or,
	// when the page holds every matching event, the latest Seq the log had
	// (events the filters left out are behind it too).
	NextAfter int64
	HasMore   bool
}

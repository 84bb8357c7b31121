package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/coalition-directory/coalition/internal/directory"
)

// ChangeSeqHeader carries, on an export, the change feed's sequence number
// the export was taken at: following GET /api/v1/changes?after=<it>
// brings a copy made from the export up to date without a gap.
const ChangeSeqHeader = "Coalition-Change-Seq"

// ChangeEvent is one thin event of the change feed: which record changed
// and how, for the partner to fetch it with its own key.
type ChangeEvent struct {
	// Seq numbers events in the order their writes committed, without
	// gaps; ask for the events after the last one you processed.
	Seq  int64  `json:"seq" example:"1042"`
	Type string `json:"type" enums:"organization.created,organization.updated,organization.archived,organization.restored,contact.created,contact.updated,contact.deleted,focus_area.created,focus_area.updated,focus_area.deleted,webhook.test" example:"organization.updated"`
	// ID is the organization's or contact's UUID, or the focus area's slug.
	ID string `json:"id" example:"0193b8a2-7c1e-7d4a-9f00-5b2c1e9a0c11"`
	// OrganizationID is the organization of a contact, and an
	// organization event's own id.
	OrganizationID string    `json:"organization_id,omitempty" format:"uuid" example:"0193b8a2-7c1e-7d4a-9f00-5b2c1e9a0c11"`
	At             time.Time `json:"at" format:"date-time" example:"2026-11-25T14:30:00Z"`
	// ETag is the entity tag a GET of the record (an organization with its
	// contacts, or a contact) by a partner or editor without lang or
	// Accept-Language returns now; absent when the record is gone
	// (tombstones, and records archived or deleted since). A copy that
	// holds this tag already is up to date.
	ETag string `json:"etag,omitempty" example:"\"v3-Vh1c2xkZW5fdGFn\""`
} //	@name	ChangeEvent

// ChangeList is one page of the change feed.
type ChangeList struct {
	Events []ChangeEvent `json:"events"`
	// NextAfter is the after to ask with next time.
	NextAfter int64 `json:"next_after" example:"1042"`
	// HasMore says that more events are waiting: ask again at once.
	HasMore bool `json:"has_more"`
} //	@name	ChangeList

// eventTags renders the entity tags of change events as a partner's or an
// editor's GET without lang returns them: the same representation, so the
// same tag.
type eventTags struct {
	dir  *directory.Service
	lang string
}

// tag returns the ETag of the event's record as it is now, "" when it is
// gone.
func (t eventTags) tag(ev *directory.ChangeEvent) (string, error) {
	reader := directory.Caller{Role: directory.RolePartner}
	switch {
	case ev.Organization != nil:
		return representationTag(ev.Organization.Version, organizationView(ev.Organization, t.lang, t.dir, reader))
	case ev.Contact != nil:
		return representationTag(ev.Contact.Version, toContact(ev.Contact))
	}
	return "", nil
}

func (t eventTags) event(ev *directory.ChangeEvent) (ChangeEvent, error) {
	tag, err := t.tag(ev)
	if err != nil {
		return ChangeEvent{}, err
	}
	return ChangeEvent{Seq: ev.Seq, Type: string(ev.Type), ID: ev.ID, OrganizationID: ev.OrganizationID, At: ev.At, ETag: tag}, nil
}

// WebhookMessage is the body of a webhook message, as Standard Webhooks
// recommends: the event's type, its time and the event as data.
type WebhookMessage struct {
	Type      string      `json:"type" example:"organization.updated"`
	Timestamp time.Time   `json:"timestamp" format:"date-time" example:"2026-11-25T14:30:00Z"`
	Data      ChangeEvent `json:"data"`
} //	@name	WebhookMessage

// WebhookPayload returns the renderer of webhook messages (for
// webhook.Worker): a WebhookMessage whose data is the event as GET
// /api/v1/changes shows it, its etag as the record is when it is sent.
// defaultLang is the server's default language (Options.DefaultLang).
func WebhookPayload(dir *directory.Service, defaultLang string) func(d *directory.Delivery) ([]byte, error) {
	tags := eventTags{dir: dir, lang: newLanguages(defaultLang).fallback}
	return func(d *directory.Delivery) ([]byte, error) {
		ev, err := tags.event(&d.Event)
		if err != nil {
			return nil, err
		}
		body, err := json.Marshal(WebhookMessage{Type: ev.Type, Timestamp: ev.At, Data: ev})
		if err != nil {
			return nil, fmt.Errorf("encode webhook message: %w", err)
		}
		return body, nil
	}
}

// handleChanges returns the change feed.
//
//	@Summary		Follow changes
//	@Description	The change feed: a thin event for every write of an organization, a contact or a focus area, in the order the writes committed, with tombstones (organization.archived, contact.deleted, focus_area.deleted) for what is gone. To keep a copy: export once (the export's Coalition-Change-Seq header is the sequence number it was taken at), then ask for the events after it, and after each page's next_after; fetch each record an event names with your key (or drop it on a tombstone or a 404), unless the copy already holds the event's etag. after=latest starts from now. wait=N holds a request that finds no event for up to N seconds until one comes. Events are kept for the server's retention (90 days unless configured): a cursor older than that is 410, and the copy is made again from an export. A cursor past the newest event is 410 too: the log has no such position, because the database was restored from a backup or is another one; export again. Unlike modified_after, the feed shows archivings and deletions and never skips a write that commits late.
//	@ID				listChanges
//	@Tags			changes
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@Param			after	query		string	false	"The last sequence number processed (next_after, or an export's Coalition-Change-Seq), or latest; default 0, from the oldest event kept"	example(1042)
//	@Param			limit	query		int		false	"Events per page"																															minimum(1)	maximum(1000)	default(100)	example(100)
//	@Param			types	query		string	false	"Only events of these types, comma-separated"																								example(organization.archived,contact.deleted)
//	@Param			wait	query		int		false	"Seconds to wait for an event when there is none yet (long poll)"																			minimum(0)	maximum(60)	default(0)	example(30)
//	@Success		200		{object}	ChangeList
//	@Failure		400		{object}	Problem		"A parameter is invalid; errors name it"
//	@Failure		401		{object}	Problem		"No key, or an unknown or revoked key"
//	@Failure		403		{object}	Problem		"The feed needs a partner key"
//	@Failure		410		{object}	Problem		"The events after this cursor are no longer kept, or the log has no such position (past its newest event: the database was restored from a backup, or is another one): export again and follow from the export's Coalition-Change-Seq"
//	@Failure		413		{object}	Problem		"The request body is over 1 MiB"
//	@Failure		429		{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429		{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		500		{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Router			/api/v1/changes [get]
func handleChanges(dir *directory.Service, langs languages, stopping <-chan struct{}) echo.HandlerFunc {
	tags := eventTags{dir: dir, lang: langs.fallback}
	return func(c echo.Context) error {
		q, err := directory.ParseChangesQuery(queryGetter(c))
		if err != nil {
			return err
		}
		q.Stop = stopping
		page, err := dir.Changes(c.Request().Context(), callerOf(c), q)
		if err != nil {
			return err
		}
		out := ChangeList{Events: make([]ChangeEvent, len(page.Events)), NextAfter: page.NextAfter, HasMore: page.HasMore}
		for i := range page.Events {
			if out.Events[i], err = tags.event(&page.Events[i]); err != nil {
				return err
			}
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, out)
	}
}

// exportSeq returns the callback of an export that puts the sequence
// number it is taken at into ChangeSeqHeader, before the first byte.
func exportSeq(c echo.Context) func(int64) {
	return func(seq int64) {
		c.Response().Header().Set(ChangeSeqHeader, strconv.FormatInt(seq, 10))
	}
}

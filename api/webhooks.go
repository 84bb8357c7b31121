package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/coalition-directory/coalition/internal/directory"
)

// WebhookCreate is the body of a webhook registration.
type WebhookCreate struct {
	URL         string `json:"url" format:"uri" example:"https://referrals.example.org/hooks/coalition"`
	Description string `json:"description,omitempty" example:"Regional referral map of the Volga partners"`
	// EventTypes are the event types to send; empty or absent for all.
	EventTypes []string `json:"event_types,omitempty" example:"organization.created,organization.updated,organization.archived"`
} //	@name	WebhookCreate

// Webhook is a registered endpoint as admins see it: never its secret.
type Webhook struct {
	ID          string    `json:"id" format:"uuid" example:"0193c0de-2b3c-7d4e-8f5a-6b7c8d9e0f1a"`
	URL         string    `json:"url" format:"uri" example:"https://referrals.example.org/hooks/coalition"`
	Description string    `json:"description,omitempty" example:"Regional referral map of the Volga partners"`
	EventTypes  []string  `json:"event_types" example:"organization.created,organization.updated,organization.archived"`
	CreatedAt   time.Time `json:"created_at" format:"date-time" example:"2026-11-20T09:00:00Z"`
	// FailingSince is the first failed attempt since the last delivered
	// message; absent while messages arrive.
	FailingSince *time.Time `json:"failing_since,omitempty" format:"date-time"`
	// DisabledAt is when sending stopped: the endpoint answered 410 Gone,
	// or every attempt failed for three days. Register it again to resume.
	DisabledAt     *time.Time `json:"disabled_at,omitempty" format:"date-time"`
	DisabledReason string     `json:"disabled_reason,omitempty" example:"the endpoint answered 410 Gone"`
} //	@name	Webhook

// WebhookCreated is a new endpoint with its signing secret, shown this
// once.
type WebhookCreated struct {
	Webhook
	// Secret signs every message (Standard Webhooks 1.0): whsec_ and the
	// base64 of the key.
	Secret string `json:"secret" example:"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"`
} //	@name	WebhookCreated

// WebhookList is every registered endpoint.
type WebhookList struct {
	Items      []Webhook `json:"items"`
	TotalItems int       `json:"total_items" example:"2"`
} //	@name	WebhookList

// Delivery is one message to an endpoint and the outcome of its attempts.
type Delivery struct {
	// ID is the message's webhook-id, the same on every attempt.
	ID     string      `json:"id" example:"0193c0de-2b3c-7d4e-8f5a-6b7c8d9e0f1a.1042"`
	Event  ChangeEvent `json:"event"`
	Status string      `json:"status" enums:"pending,delivered,failed" example:"delivered"`
	// Attempts counts the attempts made so far.
	Attempts      int        `json:"attempts" example:"1"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty" format:"date-time"`
	LastAttemptAt *time.Time `json:"last_attempt_at,omitempty" format:"date-time"`
	// LastResponse is the HTTP status the last attempt got; absent when it
	// got none (LastError says why).
	LastResponse int        `json:"last_response,omitempty" example:"204"`
	LastError    string     `json:"last_error,omitempty" example:"context deadline exceeded"`
	DeliveredAt  *time.Time `json:"delivered_at,omitempty" format:"date-time"`
	CreatedAt    time.Time  `json:"created_at" format:"date-time"`
} //	@name	Delivery

// DeliveryList is one page of an endpoint's delivery log.
type DeliveryList struct {
	Items      []Delivery `json:"items"`
	Page       int        `json:"page"`
	PerPage    int        `json:"per_page"`
	TotalItems int        `json:"total_items"`
	TotalPages int        `json:"total_pages"`
} //	@name	DeliveryList

func toWebhook(ep *directory.WebhookEndpoint) Webhook {
	out := Webhook{ID: ep.ID, URL: ep.URL, Description: ep.Description, EventTypes: []string{}, CreatedAt: ep.CreatedAt,
		FailingSince: ep.FailingSince, DisabledAt: ep.DisabledAt, DisabledReason: ep.DisabledReason}
	for _, t := range ep.EventTypes {
		out.EventTypes = append(out.EventTypes, string(t))
	}
	return out
}

func toDelivery(d *directory.Delivery) Delivery {
	out := Delivery{ID: d.ID, Status: string(d.Status), Attempts: d.Attempts, LastAttemptAt: d.LastAttemptAt,
		LastResponse: d.LastResponse, LastError: d.LastError, DeliveredAt: d.DeliveredAt, CreatedAt: d.CreatedAt,
		Event: ChangeEvent{Seq: d.Event.Seq, Type: string(d.Event.Type), ID: d.Event.ID, OrganizationID: d.Event.OrganizationID, At: d.Event.At}}
	if d.Status == directory.DeliveryPending {
		next := d.NextAttemptAt
		out.NextAttemptAt = &next
	}
	return out
}

// handleWebhookCreate registers a webhook endpoint.
//
//	@Summary		Register a webhook
//	@Description	Registers an endpoint that receives the change feed's events (all, or those of event_types) as POSTed messages, signed per Standard Webhooks 1.0: headers webhook-id (the same on every attempt of a message: drop repeats by it), webhook-timestamp (Unix seconds) and webhook-signature ("v1," and the base64 HMAC-SHA256, keyed with the secret's base64-decoded part after whsec_, of "<webhook-id>.<webhook-timestamp>.<body>"). The body is a WebhookMessage: {"type", "timestamp", "data": a ChangeEvent as GET /api/v1/changes shows it}. Any 2xx is success; a failure is retried with exponential back-off and jitter for three days, no sooner than a Retry-After asks; 410 Gone, or three days of failures, disables the endpoint. URLs naming private, loopback or link-local addresses are refused unless the server allows them. The response holds the secret, shown this once.
//	@ID				createWebhook
//	@Tags			webhooks
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@Param			webhook	body		WebhookCreate	true	"URL, description and event types"
//	@Success		201		{object}	WebhookCreated
//	@Header			201		{string}	Location	"URL of the endpoint's delivery log"
//	@Failure		400		{object}	Problem		"Invalid fields; errors name them"
//	@Failure		401		{object}	Problem		"No key, or an unknown or revoked key"
//	@Failure		403		{object}	Problem		"The key's role is below admin"
//	@Failure		413		{object}	Problem		"The body is over 1 MiB"
//	@Failure		415		{object}	Problem		"The body is not application/json"
//	@Failure		429		{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429		{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		500		{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Failure		507		{object}	Problem		"The database's storage is full: an operator must free space"
//	@Router			/api/v1/webhooks [post]
func handleWebhookCreate(dir *directory.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		body, err := readBody(c, echo.MIMEApplicationJSON)
		if err != nil {
			return err
		}
		var w WebhookCreate
		found, err := decodeWrite(body, &w)
		if err != nil {
			return err
		}
		ep := directory.WebhookEndpoint{URL: w.URL, Description: w.Description}
		for _, t := range w.EventTypes {
			ep.EventTypes = append(ep.EventTypes, directory.EventType(t))
		}
		ep, err = dir.CreateWebhook(c.Request().Context(), callerOf(c), ep, found)
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderLocation, "/api/v1/webhooks/"+ep.ID+"/deliveries")
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusCreated, WebhookCreated{Webhook: toWebhook(&ep), Secret: ep.Secret})
	}
}

// handleWebhookList lists the webhook endpoints.
//
//	@Summary		List webhooks
//	@Description	Every registered endpoint, oldest first, with its state; never the secrets.
//	@ID				listWebhooks
//	@Tags			webhooks
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@Success		200	{object}	WebhookList
//	@Failure		401	{object}	Problem		"No key, or an unknown or revoked key"
//	@Failure		403	{object}	Problem		"The key's role is below admin"
//	@Failure		413	{object}	Problem		"The request body is over 1 MiB"
//	@Failure		429	{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429	{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		500	{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Router			/api/v1/webhooks [get]
func handleWebhookList(dir *directory.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		eps, err := dir.Webhooks(c.Request().Context(), callerOf(c))
		if err != nil {
			return err
		}
		out := WebhookList{Items: make([]Webhook, len(eps)), TotalItems: len(eps)}
		for i := range eps {
			out.Items[i] = toWebhook(&eps[i])
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, out)
	}
}

// handleWebhookDelete removes a webhook endpoint.
//
//	@Summary		Delete a webhook
//	@Description	Stops sending to the endpoint and deletes its queued messages and delivery log.
//	@ID				deleteWebhook
//	@Tags			webhooks
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@Param			id	path	string	true	"Webhook UUID"	example(0193c0de-2b3c-7d4e-8f5a-6b7c8d9e0f1a)
//	@Success		204	"Deleted"
//	@Failure		401	{object}	Problem		"No key, or an unknown or revoked key"
//	@Failure		403	{object}	Problem		"The key's role is below admin"
//	@Failure		404	{object}	Problem		"No such webhook"
//	@Failure		413	{object}	Problem		"The request body is over 1 MiB"
//	@Failure		429	{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429	{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		500	{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Failure		507	{object}	Problem		"The database's storage is full: an operator must free space"
//	@Router			/api/v1/webhooks/{id} [delete]
func handleWebhookDelete(dir *directory.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := dir.DeleteWebhook(c.Request().Context(), callerOf(c), c.Param("id")); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}
}

// handleWebhookTest queues a test event.
//
//	@Summary		Send a test event
//	@Description	Queues a message of type webhook.test (its data's id is the endpoint's) for the endpoint, sent, signed and retried like any other; its outcome shows in the delivery log.
//	@ID				testWebhook
//	@Tags			webhooks
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@Param			id	path		string	true	"Webhook UUID"	example(0193c0de-2b3c-7d4e-8f5a-6b7c8d9e0f1a)
//	@Success		202	{object}	Delivery
//	@Failure		401	{object}	Problem		"No key, or an unknown or revoked key"
//	@Failure		403	{object}	Problem		"The key's role is below admin"
//	@Failure		404	{object}	Problem		"No such webhook"
//	@Failure		409	{object}	Problem		"The webhook is disabled"
//	@Failure		413	{object}	Problem		"The request body is over 1 MiB"
//	@Failure		429	{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429	{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		500	{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Failure		507	{object}	Problem		"The database's storage is full: an operator must free space"
//	@Router			/api/v1/webhooks/{id}/test [post]
func handleWebhookTest(dir *directory.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		d, err := dir.TestWebhook(c.Request().Context(), callerOf(c), c.Param("id"))
		if err != nil {
			return err
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusAccepted, toDelivery(&d))
	}
}

// handleWebhookDeliveries returns an endpoint's delivery log.
//
//	@Summary		Webhook delivery log
//	@Description	The endpoint's messages, newest first, each with its status, attempts and the last attempt's outcome.
//	@ID				listWebhookDeliveries
//	@Tags			webhooks
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@Param			id			path		string	true	"Webhook UUID"		example(0193c0de-2b3c-7d4e-8f5a-6b7c8d9e0f1a)
//	@Param			page		query		int		false	"Page, from 1"		minimum(1)	maximum(1048576)	default(1)	example(1)
//	@Param			per_page	query		int		false	"Items per page"	minimum(1)	maximum(100)		default(20)	example(20)
//	@Success		200			{object}	DeliveryList
//	@Header			200			{string}	Link		"RFC 8288 links: first, prev, next, last"
//	@Failure		400			{object}	Problem		"A parameter is invalid; errors name it"
//	@Failure		401			{object}	Problem		"No key, or an unknown or revoked key"
//	@Failure		403			{object}	Problem		"The key's role is below admin"
//	@Failure		404			{object}	Problem		"No such webhook"
//	@Failure		413			{object}	Problem		"The request body is over 1 MiB"
//	@Failure		429			{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429			{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		500			{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Router			/api/v1/webhooks/{id}/deliveries [get]
func handleWebhookDeliveries(dir *directory.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		q, err := directory.ParseAuditQuery(func(name string) string {
			if name == "page" || name == "per_page" {
				return queryGetter(c)(name)
			}
			return ""
		})
		if err != nil {
			return err
		}
		ds, total, err := dir.WebhookDeliveries(c.Request().Context(), callerOf(c), c.Param("id"), q.Page, q.PerPage)
		if err != nil {
			return err
		}
		out := DeliveryList{Items: make([]Delivery, len(ds)), Page: q.Page, PerPage: q.PerPage, TotalItems: total,
			TotalPages: (total + q.PerPage - 1) / q.PerPage}
		for i := range ds {
			out.Items[i] = toDelivery(&ds[i])
		}
		setLinks(c, q.Page, out.TotalPages)
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, out)
	}
}

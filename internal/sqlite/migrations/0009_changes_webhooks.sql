-- The change feed and the webhook outbox (#14).
--
-- changes is the log partners follow: one row per write of an organization,
-- a contact or a focus area, appended in the write's transaction. seq is
-- given by the store, the latest plus one, while the write holds the
-- database's write lock, so the log has no gaps and readers see it in
-- commit order. Tombstones (organization.archived, contact.deleted,
-- focus_area.deleted) are rows like the others. public is false for writes
-- that changed only partners-only data. Rows older than the retention are
-- pruned, except the latest, from which numbering goes on.
CREATE TABLE changes (
	seq             INTEGER PRIMARY KEY,
	type            TEXT NOT NULL,
	entity_id       TEXT NOT NULL,
	organization_id TEXT NOT NULL DEFAULT '',
	at              TEXT NOT NULL,
	public          BOOLEAN NOT NULL
);
CREATE INDEX changes_at ON changes (at);

-- Endpoints admins registered. event_types is ",type,type," or '' for all;
-- secret signs the messages (Standard Webhooks) and is shown once.
CREATE TABLE webhook_endpoints (
	id              TEXT PRIMARY KEY,
	url             TEXT NOT NULL,
	description     TEXT NOT NULL DEFAULT '',
	event_types     TEXT NOT NULL DEFAULT '',
	secret          TEXT NOT NULL,
	created_at      TEXT NOT NULL,
	failing_since   TEXT,
	disabled_at     TEXT,
	disabled_reason TEXT NOT NULL DEFAULT ''
);

-- The outbox and the delivery log: one row per message to an endpoint,
-- queued in the change's transaction, with a copy of its event so that
-- pruning the log loses no message. id is the message's webhook-id
-- ("<endpoint id>.<seq>", or a UUID for a test event). A worker claims a
-- row by setting claimed_until; a claim that runs out is taken again.
CREATE TABLE webhook_deliveries (
	id              TEXT PRIMARY KEY,
	endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
	seq             INTEGER NOT NULL DEFAULT 0,
	type            TEXT NOT NULL,
	entity_id       TEXT NOT NULL,
	organization_id TEXT NOT NULL DEFAULT '',
	event_at        TEXT NOT NULL,
	public          BOOLEAN NOT NULL,
	status          TEXT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TEXT NOT NULL,
	claimed_until   TEXT,
	last_attempt_at TEXT,
	last_response   INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT NOT NULL DEFAULT '',
	delivered_at    TEXT,
	created_at      TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at);

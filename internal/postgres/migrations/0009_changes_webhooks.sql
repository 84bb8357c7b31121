-- The change feed and the webhook outbox (#14): the tables of SQLite's
-- migration 0009 (see its comments), with bytewise text. seq is given by
-- the store, the latest plus one, under the write lock (data_version's
-- row, which every write transaction takes first), so the log has no gaps
-- and readers see it in commit order.
CREATE TABLE changes (
	seq             BIGINT PRIMARY KEY,
	type            TEXT COLLATE "C" NOT NULL,
	entity_id       TEXT COLLATE "C" NOT NULL,
	organization_id TEXT COLLATE "C" NOT NULL DEFAULT '',
	at              TEXT COLLATE "C" NOT NULL,
	public          BOOLEAN NOT NULL
);
CREATE INDEX changes_at ON changes (at);

CREATE TABLE webhook_endpoints (
	id              TEXT COLLATE "C" PRIMARY KEY,
	url             TEXT COLLATE "C" NOT NULL,
	description     TEXT COLLATE "C" NOT NULL DEFAULT '',
	event_types     TEXT COLLATE "C" NOT NULL DEFAULT '',
	secret          TEXT COLLATE "C" NOT NULL,
	created_at      TEXT COLLATE "C" NOT NULL,
	failing_since   TEXT COLLATE "C",
	disabled_at     TEXT COLLATE "C",
	disabled_reason TEXT COLLATE "C" NOT NULL DEFAULT ''
);

CREATE TABLE webhook_deliveries (
	id              TEXT COLLATE "C" PRIMARY KEY,
	endpoint_id     TEXT COLLATE "C" NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
	seq             BIGINT NOT NULL DEFAULT 0,
	type            TEXT COLLATE "C" NOT NULL,
	entity_id       TEXT COLLATE "C" NOT NULL,
	organization_id TEXT COLLATE "C" NOT NULL DEFAULT '',
	event_at        TEXT COLLATE "C" NOT NULL,
	public          BOOLEAN NOT NULL,
	status          TEXT COLLATE "C" NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TEXT COLLATE "C" NOT NULL,
	claimed_until   TEXT COLLATE "C",
	last_attempt_at TEXT COLLATE "C",
	last_response   INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT COLLATE "C" NOT NULL DEFAULT '',
	delivered_at    TEXT COLLATE "C",
	created_at      TEXT COLLATE "C" NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at);

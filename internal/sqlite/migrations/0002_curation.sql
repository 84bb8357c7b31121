-- API keys and the audit trail.

CREATE TABLE api_keys (
	id           TEXT PRIMARY KEY,
	name         TEXT NOT NULL,
	role         TEXT NOT NULL,
	hash         TEXT NOT NULL UNIQUE,   -- hex SHA-256 of the secret; the secret is never stored
	prefix       TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	last_used_at TEXT,
	revoked_at   TEXT
);

-- One row per write, in the write's own transaction. seq orders entries;
-- changes is JSON [{"field", "old", "new"}].
CREATE TABLE audit_entries (
	seq             INTEGER PRIMARY KEY,
	id              TEXT NOT NULL,
	at              TEXT NOT NULL,
	key_id          TEXT NOT NULL DEFAULT '',
	actor           TEXT NOT NULL DEFAULT '',
	entity_type     TEXT NOT NULL,
	entity_id       TEXT NOT NULL,
	organization_id TEXT NOT NULL DEFAULT '',
	action          TEXT NOT NULL,
	changes         TEXT NOT NULL
);
CREATE UNIQUE INDEX audit_entries_id ON audit_entries (id);
CREATE INDEX audit_entries_organization ON audit_entries (organization_id, seq);
CREATE INDEX audit_entries_entity ON audit_entries (entity_type, entity_id, seq);
CREATE INDEX audit_entries_key ON audit_entries (key_id, seq);
CREATE INDEX audit_entries_at ON audit_entries (at);

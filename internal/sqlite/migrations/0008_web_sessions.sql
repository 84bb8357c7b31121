-- Sign-in sessions of the web pages. hash is the hex SHA-256 of the token
-- in the partner's cookie; the token itself is never stored.

CREATE TABLE web_sessions (
	hash       TEXT PRIMARY KEY,
	key_id     TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
);
CREATE INDEX web_sessions_key ON web_sessions (key_id);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);

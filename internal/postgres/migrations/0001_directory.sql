-- The directory on PostgreSQL: the schema SQLite reaches after its
-- migrations 0001 to 0008 (see internal/sqlite/migrations, whose comments
-- say why each table and index is as it is), in one file. Later changes
-- are new numbered files here, beside SQLite's, under the same numbers.
--
-- Every text column compares bytewise (COLLATE "C"), as SQLite's do, so
-- that both backends order names, slugs and times alike whatever the
-- database's own collation. Times are fixed-width RFC 3339 UTC text, so
-- that text order is time order, as on SQLite; lists are JSON text.

CREATE TABLE focus_areas (
	slug      TEXT COLLATE "C" PRIMARY KEY,
	grp       TEXT COLLATE "C" NOT NULL,
	label_en  TEXT COLLATE "C" NOT NULL,
	label_ru  TEXT COLLATE "C" NOT NULL,
	position  INTEGER NOT NULL
);

CREATE TABLE organizations (
	pk                BIGINT PRIMARY KEY,   -- numbered by the store under the write lock
	id                TEXT COLLATE "C" NOT NULL,
	slug              TEXT COLLATE "C" NOT NULL,
	original_language TEXT COLLATE "C" NOT NULL,
	name_ru           TEXT COLLATE "C" NOT NULL DEFAULT '',
	description_ru    TEXT COLLATE "C" NOT NULL DEFAULT '',
	name_en           TEXT COLLATE "C" NOT NULL DEFAULT '',
	description_en    TEXT COLLATE "C" NOT NULL DEFAULT '',
	sort_original     TEXT COLLATE "C" NOT NULL,  -- folded in Go (directory.SearchText)
	sort_ru           TEXT COLLATE "C" NOT NULL,
	sort_en           TEXT COLLATE "C" NOT NULL,
	acronym           TEXT COLLATE "C" NOT NULL DEFAULT '',
	website           TEXT COLLATE "C" NOT NULL DEFAULT '',
	email             TEXT COLLATE "C" NOT NULL DEFAULT '',
	phones            TEXT COLLATE "C" NOT NULL DEFAULT '[]',  -- JSON
	country_code      TEXT COLLATE "C" NOT NULL,
	region_code       TEXT COLLATE "C" NOT NULL DEFAULT '',
	city              TEXT COLLATE "C" NOT NULL DEFAULT '',
	address           TEXT COLLATE "C" NOT NULL DEFAULT '',
	address_hidden    BOOLEAN NOT NULL DEFAULT false,
	service_regions   TEXT COLLATE "C" NOT NULL DEFAULT '[]',  -- JSON
	languages         TEXT COLLATE "C" NOT NULL DEFAULT '[]',  -- JSON
	focus_areas       TEXT COLLATE "C" NOT NULL DEFAULT '[]',  -- JSON
	membership_status TEXT COLLATE "C" NOT NULL,
	member_since      TEXT COLLATE "C" NOT NULL DEFAULT '',
	member_until      TEXT COLLATE "C" NOT NULL DEFAULT '',
	verified_at       TEXT COLLATE "C",
	created_at        TEXT COLLATE "C" NOT NULL,
	updated_at        TEXT COLLATE "C" NOT NULL,
	archived_at       TEXT COLLATE "C",
	version           INTEGER NOT NULL,
	public_version    INTEGER NOT NULL DEFAULT 0,
	public_updated_at TEXT COLLATE "C" NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX organizations_id ON organizations (id);
-- Slugs are unique among live organizations only.
CREATE UNIQUE INDEX organizations_live_slug ON organizations (slug) WHERE archived_at IS NULL;
CREATE INDEX organizations_live_sort_original ON organizations (sort_original, pk) WHERE archived_at IS NULL;
CREATE INDEX organizations_live_sort_ru ON organizations (sort_ru, pk) WHERE archived_at IS NULL;
CREATE INDEX organizations_live_sort_en ON organizations (sort_en, pk) WHERE archived_at IS NULL;
CREATE INDEX organizations_live_updated ON organizations (updated_at, pk) WHERE archived_at IS NULL;
CREATE INDEX organizations_live_public_updated ON organizations (public_updated_at, pk) WHERE archived_at IS NULL;
CREATE INDEX organizations_live_country ON organizations (country_code, membership_status) WHERE archived_at IS NULL;
CREATE INDEX organizations_live_status ON organizations (membership_status) WHERE archived_at IS NULL;
CREATE INDEX organizations_archived ON organizations (archived_at) WHERE archived_at IS NOT NULL;

-- Filter tables: one row per organization and value, repeating its
-- country, status and whether it is archived (0 or 1).
CREATE TABLE organization_regions (
	region_code       TEXT COLLATE "C" NOT NULL,
	org_pk            BIGINT NOT NULL REFERENCES organizations (pk) ON DELETE CASCADE,
	country_code      TEXT COLLATE "C" NOT NULL,
	membership_status TEXT COLLATE "C" NOT NULL,
	archived          INTEGER NOT NULL
);
CREATE INDEX organization_regions_code ON organization_regions (region_code, archived, country_code, membership_status, org_pk);
CREATE UNIQUE INDEX organization_regions_org ON organization_regions (org_pk, region_code);

CREATE TABLE organization_focus_areas (
	focus_area        TEXT COLLATE "C" NOT NULL,
	org_pk            BIGINT NOT NULL REFERENCES organizations (pk) ON DELETE CASCADE,
	country_code      TEXT COLLATE "C" NOT NULL,
	membership_status TEXT COLLATE "C" NOT NULL,
	archived          INTEGER NOT NULL
);
CREATE INDEX organization_focus_areas_slug ON organization_focus_areas (focus_area, archived, country_code, membership_status, org_pk);
CREATE UNIQUE INDEX organization_focus_areas_org ON organization_focus_areas (org_pk, focus_area);

CREATE TABLE organization_languages (
	language          TEXT COLLATE "C" NOT NULL,
	org_pk            BIGINT NOT NULL REFERENCES organizations (pk) ON DELETE CASCADE,
	country_code      TEXT COLLATE "C" NOT NULL,
	membership_status TEXT COLLATE "C" NOT NULL,
	archived          INTEGER NOT NULL
);
CREATE INDEX organization_languages_code ON organization_languages (language, archived, country_code, membership_status, org_pk);
CREATE UNIQUE INDEX organization_languages_org ON organization_languages (org_pk, language);

CREATE TABLE contacts (
	pk         BIGINT PRIMARY KEY,
	id         TEXT COLLATE "C" NOT NULL,
	org_pk     BIGINT NOT NULL REFERENCES organizations (pk) ON DELETE CASCADE,
	name       TEXT COLLATE "C" NOT NULL,
	role       TEXT COLLATE "C" NOT NULL DEFAULT '',
	email      TEXT COLLATE "C" NOT NULL DEFAULT '',
	phone      TEXT COLLATE "C" NOT NULL DEFAULT '',
	languages  TEXT COLLATE "C" NOT NULL DEFAULT '[]',
	visibility TEXT COLLATE "C" NOT NULL,
	is_primary BOOLEAN NOT NULL DEFAULT false,
	version    INTEGER NOT NULL,
	created_at TEXT COLLATE "C" NOT NULL,
	updated_at TEXT COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX contacts_id ON contacts (id);
CREATE INDEX contacts_org ON contacts (org_pk);

-- The search index: one row per live organization (docid = pk) holding,
-- per field, the terms directory.Indexer prepares, separated by spaces. The
-- document takes those terms as they are, with no parser, folding or
-- stemming (that is done in Go, for both backends): each term is quoted
-- into tsvector syntax with its field's position and weight (1A name, 2B
-- acronym, 3C place, 4D description), which the queries use to match
-- within fields (internal/postgres renderQuery). Weights need positions:
-- array_to_tsvector's lexemes have none, and would match in any field.
CREATE TABLE organization_search (
	docid       BIGINT PRIMARY KEY,
	name        TEXT COLLATE "C" NOT NULL DEFAULT '',
	acronym     TEXT COLLATE "C" NOT NULL DEFAULT '',
	place       TEXT COLLATE "C" NOT NULL DEFAULT '',
	description TEXT COLLATE "C" NOT NULL DEFAULT '',
	document    tsvector GENERATED ALWAYS AS ((
		regexp_replace(replace(replace(name, '\', '\\'), '''', ''''''), '(\S+)', '''\1'':1A', 'g') || ' ' ||
		regexp_replace(replace(replace(acronym, '\', '\\'), '''', ''''''), '(\S+)', '''\1'':2B', 'g') || ' ' ||
		regexp_replace(replace(replace(place, '\', '\\'), '''', ''''''), '(\S+)', '''\1'':3C', 'g') || ' ' ||
		regexp_replace(replace(replace(description, '\', '\\'), '''', ''''''), '(\S+)', '''\1'':4D', 'g')
	)::tsvector) STORED
);
CREATE INDEX organization_search_document ON organization_search USING GIN (document);

-- Every term the index has held, without private marks, with its length
-- in characters and reversed: typos are looked up by range scans.
CREATE TABLE search_vocabulary (
	term     TEXT COLLATE "C" PRIMARY KEY,
	length   INTEGER NOT NULL,
	reversed TEXT COLLATE "C" NOT NULL
);
CREATE INDEX search_vocabulary_prefix ON search_vocabulary (length, term);
CREATE INDEX search_vocabulary_suffix ON search_vocabulary (length, reversed);

CREATE TABLE organization_slugs (
	slug       TEXT COLLATE "C" NOT NULL,
	org_pk     BIGINT NOT NULL REFERENCES organizations (pk) ON DELETE CASCADE,
	retired_at TEXT COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX organization_slugs_slug ON organization_slugs (slug, org_pk);
CREATE INDEX organization_slugs_org ON organization_slugs (org_pk);

CREATE TABLE api_keys (
	id           TEXT COLLATE "C" PRIMARY KEY,
	name         TEXT COLLATE "C" NOT NULL,
	role         TEXT COLLATE "C" NOT NULL,
	hash         TEXT COLLATE "C" NOT NULL UNIQUE,
	prefix       TEXT COLLATE "C" NOT NULL,
	created_at   TEXT COLLATE "C" NOT NULL,
	last_used_at TEXT COLLATE "C",
	revoked_at   TEXT COLLATE "C"
);

CREATE TABLE audit_entries (
	seq             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	id              TEXT COLLATE "C" NOT NULL,
	at              TEXT COLLATE "C" NOT NULL,
	key_id          TEXT COLLATE "C" NOT NULL DEFAULT '',
	actor           TEXT COLLATE "C" NOT NULL DEFAULT '',
	entity_type     TEXT COLLATE "C" NOT NULL,
	entity_id       TEXT COLLATE "C" NOT NULL,
	organization_id TEXT COLLATE "C" NOT NULL DEFAULT '',
	action          TEXT COLLATE "C" NOT NULL,
	changes         TEXT COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX audit_entries_id ON audit_entries (id);
CREATE INDEX audit_entries_organization ON audit_entries (organization_id, seq);
CREATE INDEX audit_entries_entity ON audit_entries (entity_type, entity_id, seq);
CREATE INDEX audit_entries_key ON audit_entries (key_id, seq);
CREATE INDEX audit_entries_at ON audit_entries (at);

CREATE TABLE web_sessions (
	hash       TEXT COLLATE "C" PRIMARY KEY,
	key_id     TEXT COLLATE "C" NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
	created_at TEXT COLLATE "C" NOT NULL,
	expires_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX web_sessions_key ON web_sessions (key_id);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);

-- The data version (DataVersion): every write transaction begins by adding
-- one to it, which also takes the one row's lock until it commits, so that
-- writes queue as they do on SQLite, and every API process sees at its next
-- read that something was written.
CREATE TABLE data_version (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 1);

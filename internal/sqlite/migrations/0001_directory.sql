-- The directory: organizations with their contacts, the tables the list
-- filters use, the focus-area vocabulary and the search index.

CREATE TABLE focus_areas (
	slug      TEXT PRIMARY KEY,
	grp       TEXT NOT NULL,
	label_en  TEXT NOT NULL,
	label_ru  TEXT NOT NULL,
	position  INTEGER NOT NULL
);

CREATE TABLE organizations (
	pk                INTEGER PRIMARY KEY,
	id                TEXT NOT NULL,
	slug              TEXT NOT NULL,
	original_language TEXT NOT NULL,
	name_ru           TEXT NOT NULL DEFAULT '',  -- '' where there is no text in that language
	description_ru    TEXT NOT NULL DEFAULT '',
	name_en           TEXT NOT NULL DEFAULT '',
	description_en    TEXT NOT NULL DEFAULT '',
	sort_original     TEXT NOT NULL,          -- folded name for sorting, per language
	sort_ru           TEXT NOT NULL,
	sort_en           TEXT NOT NULL,
	acronym           TEXT NOT NULL DEFAULT '',
	website           TEXT NOT NULL DEFAULT '',
	email             TEXT NOT NULL DEFAULT '',
	phones            TEXT NOT NULL DEFAULT '[]',  -- JSON
	country_code      TEXT NOT NULL,
	region_code       TEXT NOT NULL DEFAULT '',
	city              TEXT NOT NULL DEFAULT '',
	address           TEXT NOT NULL DEFAULT '',
	address_hidden    INTEGER NOT NULL DEFAULT 0,
	service_regions   TEXT NOT NULL DEFAULT '[]',  -- JSON
	languages         TEXT NOT NULL DEFAULT '[]',  -- JSON
	focus_areas       TEXT NOT NULL DEFAULT '[]',  -- JSON
	membership_status TEXT NOT NULL,
	member_since      TEXT NOT NULL DEFAULT '',
	member_until      TEXT NOT NULL DEFAULT '',
	verified_at       TEXT,
	created_at        TEXT NOT NULL,          -- fixed-width RFC 3339 UTC, so text order is time order
	updated_at        TEXT NOT NULL,
	archived_at       TEXT,
	version           INTEGER NOT NULL
);

-- Unique keys are indexes of their own rather than column constraints, so
-- that loading an empty directory can build them once at the end.
CREATE UNIQUE INDEX organizations_id ON organizations (id);

-- Slugs are unique among live organizations only: an archived record does
-- not block its name.
CREATE UNIQUE INDEX organizations_live_slug ON organizations (slug) WHERE archived_at IS NULL;

-- The list orders. Each index also carries the columns the list filters
-- test, so that a page is found by walking the index in order without
-- reading the (wide) rows it passes over; see list.go.
CREATE INDEX organizations_live_sort_original ON organizations (sort_original, pk, country_code, membership_status, updated_at) WHERE archived_at IS NULL;
CREATE INDEX organizations_live_sort_ru ON organizations (sort_ru, pk, country_code, membership_status, updated_at) WHERE archived_at IS NULL;
CREATE INDEX organizations_live_sort_en ON organizations (sort_en, pk, country_code, membership_status, updated_at) WHERE archived_at IS NULL;
CREATE INDEX organizations_live_updated ON organizations (updated_at, pk, country_code, membership_status) WHERE archived_at IS NULL;
CREATE INDEX organizations_live_country ON organizations (country_code, membership_status) WHERE archived_at IS NULL;
CREATE INDEX organizations_live_status ON organizations (membership_status) WHERE archived_at IS NULL;
-- The archived few. The number of live organizations is the table's row
-- count, which SQLite takes from its b-tree pages without reading rows, less
-- this index's.
CREATE INDEX organizations_archived ON organizations (archived_at) WHERE archived_at IS NOT NULL;

-- Filter tables: one row per organization and value, so "any of" filters
-- are index lookups. organization_regions holds the seat and the service
-- regions. Each row repeats whether its organization is archived, its
-- country and its status, and the value's index holds them: the live
-- organizations of the common combinations (a focus area in a country, say)
-- are one range of it, which counts without reading anything else. Whatever
-- writes an organization rewrites its rows; the unique (org_pk, value) index
-- finds them. They are plain tables with their keys in indexes (rather than
-- WITHOUT ROWID tables) so that loading an empty directory appends rows and
-- builds the indexes once.
CREATE TABLE organization_regions (
	region_code       TEXT NOT NULL,
	org_pk            INTEGER NOT NULL REFERENCES organizations (pk) ON DELETE CASCADE,
	country_code      TEXT NOT NULL,
	membership_status TEXT NOT NULL,
	archived          INTEGER NOT NULL
);
CREATE INDEX organization_regions_code ON organization_regions (region_code, archived, country_code, membership_status, org_pk);
CREATE UNIQUE INDEX organization_regions_org ON organization_regions (org_pk, region_code);

CREATE TABLE organization_focus_areas (
	focus_area        TEXT NOT NULL,
	org_pk            INTEGER NOT NULL REFERENCES organizations (pk) ON DELETE CASCADE,
	country_code      TEXT NOT NULL,
	membership_status TEXT NOT NULL,
	archived          INTEGER NOT NULL
);
CREATE INDEX organization_focus_areas_slug ON organization_focus_areas (focus_area, archived, country_code, membership_status, org_pk);
CREATE UNIQUE INDEX organization_focus_areas_org ON organization_focus_areas (org_pk, focus_area);

CREATE TABLE organization_languages (
	language          TEXT NOT NULL,
	org_pk            INTEGER NOT NULL REFERENCES organizations (pk) ON DELETE CASCADE,
	country_code      TEXT NOT NULL,
	membership_status TEXT NOT NULL,
	archived          INTEGER NOT NULL
);
CREATE INDEX organization_languages_code ON organization_languages (language, archived, country_code, membership_status, org_pk);
CREATE UNIQUE INDEX organization_languages_org ON organization_languages (org_pk, language);

CREATE TABLE contacts (
	pk         INTEGER PRIMARY KEY,
	id         TEXT NOT NULL,
	org_pk     INTEGER NOT NULL REFERENCES organizations (pk) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	role       TEXT NOT NULL DEFAULT '',
	email      TEXT NOT NULL DEFAULT '',
	phone      TEXT NOT NULL DEFAULT '',
	languages  TEXT NOT NULL DEFAULT '[]',
	visibility TEXT NOT NULL,
	is_primary INTEGER NOT NULL DEFAULT 0,
	version    INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX contacts_id ON contacts (id);
CREATE INDEX contacts_org ON contacts (org_pk);

-- The search index over text folded in Go (directory.FoldText). docid is the
-- organization's pk. public_text is what anyone may find an organization by;
-- private_text only partners may (partners-only contacts, hidden addresses).
CREATE VIRTUAL TABLE organization_search USING fts4 (
	names, public_text, private_text,
	tokenize=unicode61 "remove_diacritics=0"
);
-- Merge the index's segments as rows are written, so that a query reads a
-- few segments rather than one per write.
INSERT INTO organization_search (organization_search) VALUES ('automerge=4');

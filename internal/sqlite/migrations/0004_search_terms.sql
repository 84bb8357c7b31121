-- The search index holds the terms directory.Indexer prepares (words and
-- their Snowball stems, partners-only terms marked), one column per field
-- that relevance ranks: name, acronym, place (city, country and regions by
-- name), description (and everything else). Emptied here, it is written
-- again from the stored records by this migration's Go step, which also
-- fills the vocabulary that typos are corrected against.
DROP TABLE organization_search;
CREATE VIRTUAL TABLE organization_search USING fts4 (
	name, acronym, place, description,
	tokenize=simple, matchinfo=fts3
);
INSERT INTO organization_search (organization_search) VALUES ('automerge=4');

-- Every term the index has held, without private marks: length in runes and
-- the term reversed, so that terms sharing a beginning or an ending with a
-- mistyped word are two index range scans away.
CREATE TABLE search_vocabulary (
	term     TEXT PRIMARY KEY,
	length   INTEGER NOT NULL,
	reversed TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX search_vocabulary_prefix ON search_vocabulary (length, term);
CREATE INDEX search_vocabulary_suffix ON search_vocabulary (length, reversed);

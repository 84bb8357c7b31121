-- The search rows carry their organization's name sort keys, so that a
-- page of search matches in name order is read from the search table
-- alone: the GIN index finds the matching rows, and their sort keys are
-- beside the document instead of in the wide organizations rows, which a
-- page of a common word (5% of 100,000 organizations) read one by one,
-- or walked in name order probing each one's document (list.go, lister
-- searchPage). A search row is written with the organization's stored
-- record whenever its name can change (sqlstore's searchRowValues), so
-- the copies cannot drift. SQLite's FTS4 table needs none: it walks or
-- collects from the organizations' own sort indexes.
--
-- The columns have no default once filled: a write that leaves them out
-- fails instead of storing an empty key.
ALTER TABLE organization_search
	ADD COLUMN sort_original TEXT COLLATE "C" NOT NULL DEFAULT '',
	ADD COLUMN sort_ru       TEXT COLLATE "C" NOT NULL DEFAULT '',
	ADD COLUMN sort_en       TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE organization_search s
	SET sort_original = o.sort_original, sort_ru = o.sort_ru, sort_en = o.sort_en
	FROM organizations o WHERE o.pk = s.docid;
ALTER TABLE organization_search
	ALTER COLUMN sort_original DROP DEFAULT,
	ALTER COLUMN sort_ru DROP DEFAULT,
	ALTER COLUMN sort_en DROP DEFAULT;

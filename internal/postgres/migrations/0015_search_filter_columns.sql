-- The search rows carry their organization's country and membership
-- status, as they carry its name sort keys (migration 0012), so that a
-- search with a country or status and no filter table is tested on the
-- search rows alone (sqlstore's filter.searchWhere) instead of looking up
-- each match's organization: q=центр&country=RU at 100,000 organizations
-- probed the organizations of its 4,723 matches twice, once for the total
-- and once for the first relevance level. A search row is written with
-- the organization's stored record on every write that can change them
-- (sqlstore's searchRowValues, DB.reindex), so the copies cannot drift.
--
-- The columns have no default once filled: a write that leaves them out
-- fails instead of storing an empty value.
ALTER TABLE organization_search
	ADD COLUMN country_code      TEXT COLLATE "C" NOT NULL DEFAULT '',
	ADD COLUMN membership_status TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE organization_search s
	SET country_code = o.country_code, membership_status = o.membership_status
	FROM organizations o WHERE o.pk = s.docid;
ALTER TABLE organization_search
	ALTER COLUMN country_code DROP DEFAULT,
	ALTER COLUMN membership_status DROP DEFAULT;

-- The number of live organizations, which every list asks (Dialect.LiveCount):
-- PostgreSQL counts a table's rows by reading them, 100,000 of them in tens
-- of milliseconds, where SQLite counts its b-tree pages. Triggers of each
-- statement (with its rows as transition tables, so that a load of many
-- rows adds them once) keep the count as organizations are created,
-- archived, restored and deleted. Writers queue on data_version's row
-- first, so the one row here is no new point of contention. SQLite has no
-- migration 0010: it needs none.
CREATE TABLE organization_counts (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	live BIGINT NOT NULL
);
INSERT INTO organization_counts (id, live) SELECT 1, count(*) FROM organizations WHERE archived_at IS NULL;

CREATE FUNCTION organization_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE organization_counts SET live = live + (SELECT count(*) FROM new_rows WHERE archived_at IS NULL) WHERE id = 1;
	RETURN NULL;
END
$$;
CREATE FUNCTION organization_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE organization_counts SET live = live
		+ (SELECT count(*) FROM new_rows WHERE archived_at IS NULL)
		- (SELECT count(*) FROM old_rows WHERE archived_at IS NULL) WHERE id = 1;
	RETURN NULL;
END
$$;
CREATE FUNCTION organization_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE organization_counts SET live = live - (SELECT count(*) FROM old_rows WHERE archived_at IS NULL) WHERE id = 1;
	RETURN NULL;
END
$$;
CREATE TRIGGER organization_counts_insert AFTER INSERT ON organizations
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION organization_counts_insert();
CREATE TRIGGER organization_counts_update AFTER UPDATE ON organizations
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION organization_counts_update();
CREATE TRIGGER organization_counts_delete AFTER DELETE ON organizations
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION organization_counts_delete();

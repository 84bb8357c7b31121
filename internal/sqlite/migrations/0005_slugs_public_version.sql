-- Slugs organizations had before, so that links to them keep working: a
-- slug edit, an import that changes a slug, or a restore under a new slug
-- writes the old slug here in the same transaction. A former slug leads to
-- the live organization that had it last, unless a live organization has it
-- now.
CREATE TABLE organization_slugs (
	slug       TEXT NOT NULL,
	org_pk     INTEGER NOT NULL REFERENCES organizations (pk) ON DELETE CASCADE,
	retired_at TEXT NOT NULL   -- fixed-width RFC 3339 UTC
);
CREATE UNIQUE INDEX organization_slugs_slug ON organization_slugs (slug, org_pk);
CREATE INDEX organization_slugs_org ON organization_slugs (org_pk);

-- What anonymous callers see of an organization changes less often than
-- the record: a hidden address or the flag that hides it are the partners'.
-- public_version and public_updated_at are the version and time of the last
-- write that changed the public view; anonymous callers get them as version
-- and updated_at (and in ETags), so that they cannot tell when partners-only
-- data changed.
ALTER TABLE organizations ADD COLUMN public_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD COLUMN public_updated_at TEXT NOT NULL DEFAULT '';
UPDATE organizations SET public_version = version, public_updated_at = updated_at;
CREATE INDEX organizations_live_public_updated ON organizations (public_updated_at, pk, country_code, membership_status) WHERE archived_at IS NULL;

-- The search document marks a field by tagged terms instead of weights.
-- A weight restricts a match only after the index has found it: every row
-- the index finds is read again to check its field, a whole tsvector each,
-- which cost a search for a common word some 50 ms at 100,000
-- organizations. Now each term of the name, the acronym and the place is
-- also indexed with its field's tag (A~ name, B~ acronym, C~ place; terms
-- hold letters, digits and marks only, never ~), so that "in the name" is
-- a term of its own that the GIN index answers alone; the description
-- needs no tag, as "up to the description" is any field. Terms are still
-- taken as they are: no parser, no folding, no stemming.
DROP INDEX organization_search_document;
ALTER TABLE organization_search DROP COLUMN document;
ALTER TABLE organization_search ADD COLUMN document tsvector GENERATED ALWAYS AS ((
	regexp_replace(replace(replace(name, '\', '\\'), '''', ''''''), '(\S+)', '''\1'' ''A~\1''', 'g') || ' ' ||
	regexp_replace(replace(replace(acronym, '\', '\\'), '''', ''''''), '(\S+)', '''\1'' ''B~\1''', 'g') || ' ' ||
	regexp_replace(replace(replace(place, '\', '\\'), '''', ''''''), '(\S+)', '''\1'' ''C~\1''', 'g') || ' ' ||
	regexp_replace(replace(replace(description, '\', '\\'), '''', ''''''), '(\S+)', '''\1''', 'g')
)::tsvector) STORED;
CREATE INDEX organization_search_document ON organization_search USING GIN (document);

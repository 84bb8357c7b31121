-- Each search document also holds its organization's filter terms: one
-- term per row of its filter tables, the region codes (seat and service
-- regions) tagged R~, the focus areas F~ and the languages L~ (sqlstore's
-- filterTerms, which writes them with every search row from the stored
-- record). A search with a region, focus area or language is then one
-- index search, the GIN index intersecting the word's entries with the
-- filter's, and only the rows of organizations matching both are read,
-- rather than every match of the words, each probed in the filter table
-- (sqlstore's filter.searchWhere). A query's own terms cannot match a
-- filter term: they are folded to lower case and have no "~".
--
-- Measured on 100,000 generated organizations (demo.Generate(100000, 1)),
-- pgbench -M prepared of the first statement of q=центр&focus_area=shelter
-- (lister.searchByRelevance): 4.6-6.4 ms with the filter table, 1.7-1.9 ms
-- with the terms; 613 of 4,723 matches of the first relevance level have
-- the focus area. A country or membership status stays a column of the
-- search rows (migration 0015): most organizations share one country, so
-- its entries would cut few of the rows read.
--
-- The terms are kept in a column of their own, out of line like the
-- fields (migration 0016), since a generated column reads only its row.
-- Rows written before are given the terms of their filter tables, the
-- terms' source of truth, here; the document is generated again with
-- them, its index rebuilt, and the table rewritten in its narrow layout.
ALTER TABLE organization_search ADD COLUMN filter_terms TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE organization_search ALTER COLUMN filter_terms SET STORAGE EXTERNAL;
UPDATE organization_search s SET filter_terms = coalesce((SELECT string_agg(t, ' ' ORDER BY t) FROM (
		SELECT 'R~' || region_code AS t FROM organization_regions WHERE org_pk = s.docid
		UNION SELECT 'F~' || focus_area FROM organization_focus_areas WHERE org_pk = s.docid
		UNION SELECT 'L~' || language FROM organization_languages WHERE org_pk = s.docid) terms), '');
ALTER TABLE organization_search ALTER COLUMN filter_terms DROP DEFAULT;
DROP INDEX organization_search_document;
ALTER TABLE organization_search DROP COLUMN document;
ALTER TABLE organization_search ADD COLUMN document tsvector GENERATED ALWAYS AS (array_to_tsvector(
	string_to_array(name, ' ') ||
	string_to_array('A~' || replace(nullif(name, ''), ' ', ' A~'), ' ') ||
	string_to_array(acronym, ' ') ||
	string_to_array('B~' || replace(nullif(acronym, ''), ' ', ' B~'), ' ') ||
	string_to_array(place, ' ') ||
	string_to_array('C~' || replace(nullif(place, ''), ' ', ' C~'), ' ') ||
	string_to_array(description, ' ') ||
	string_to_array(filter_terms, ' ')
)) STORED;
ALTER TABLE organization_search ALTER COLUMN document SET STORAGE EXTERNAL;
CREATE INDEX organization_search_document ON organization_search USING GIN (document);
CLUSTER organization_search USING organization_search_pkey;

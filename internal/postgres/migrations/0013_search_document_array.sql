-- The search document, the same set of terms as migration 0011 made, built
-- by splitting the fields at their spaces (directory.Indexer separates terms
-- with one space and puts none inside a term) instead of rewriting them with
-- regular expressions into tsvector's text syntax and parsing that, which
-- cost every write of a search row, and an import every row it wrote (the
-- README's PostgreSQL import figures before and after this migration come
-- with the command that measured them). The document has no positions since
-- 0011, so array_to_tsvector, which takes each element as one lexeme with
-- no quoting to escape, gives the same lexemes. A field of no terms adds
-- none (string_to_array of '' is empty; of NULL, NULL, which || skips).
-- array_to_tsvector refuses an empty element, which a field with a space
-- at either end or two in a row would give: directory.Indexer never writes
-- one (TestDocumentTermsAreWords, and TestOddTextIndexes on both backends).
DROP INDEX organization_search_document;
ALTER TABLE organization_search DROP COLUMN document;
ALTER TABLE organization_search ADD COLUMN document tsvector GENERATED ALWAYS AS (array_to_tsvector(
	string_to_array(name, ' ') ||
	string_to_array('A~' || replace(nullif(name, ''), ' ', ' A~'), ' ') ||
	string_to_array(acronym, ' ') ||
	string_to_array('B~' || replace(nullif(acronym, ''), ' ', ' B~'), ' ') ||
	string_to_array(place, ' ') ||
	string_to_array('C~' || replace(nullif(place, ''), ' ', ' C~'), ' ') ||
	string_to_array(description, ' ')
)) STORED;
CREATE INDEX organization_search_document ON organization_search USING GIN (document);

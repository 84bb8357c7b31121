-- The search index stores text already reduced to folded words separated by
-- spaces (directory.SearchText), so its tokenizer need only find the spaces:
-- the simple tokenizer does that at a fraction of unicode61's cost, which
-- re-read every character against Unicode tables. Emptied here, the index
-- is written again from the stored records by this migration's Go step
-- (rebuildSearch).
DROP TABLE organization_search;
CREATE VIRTUAL TABLE organization_search USING fts4 (
	names, public_text, private_text,
	tokenize=simple
);
INSERT INTO organization_search (organization_search) VALUES ('automerge=4');

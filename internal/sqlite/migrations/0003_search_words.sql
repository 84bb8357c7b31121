-- The search index stores text already reduced to folded words separated by
-- spaces (directory.SearchText), so its tokenizer need only find the spaces:
-- the simple tokenizer does that at a fraction of unicode61's cost, which
-- re-read every character against Unicode tables. Emptied here, the index
-- is written again from the stored records by this migration's Go step
-- (rebuildSearch). Searches only ask which documents match, never
-- matchinfo's lengths and totals, so the index keeps none (matchinfo=fts3):
-- keeping them cost every write a read and rewrite of the totals.
DROP TABLE organization_search;
CREATE VIRTUAL TABLE organization_search USING fts4 (
	names, public_text, private_text,
	tokenize=simple, matchinfo=fts3
);
INSERT INTO organization_search (organization_search) VALUES ('automerge=4');

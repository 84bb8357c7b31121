-- The search rows keep their fields and document out of line (TOAST), so
-- that the rows a search visits are narrow: some 30 to a page instead of
-- two (3.4 KB each). PostgreSQL reads the row of every entry its GIN index
-- finds, to check that it is visible, even only to count them (PostgreSQL
-- 15.20 reads every page of a bitmap heap scan, all-visible or not), and a
-- search reads its matches twice: the total, then the first relevance level
-- with its page (sqlstore's lister.searchPage), which reads only the rows'
-- sort keys. The fields and the document are read only to rank a few
-- matches in Go (at most 300, sqlstore's pageFew), which now fetches them
-- from the TOAST table.
--
-- A row is moved out of line only when it is over 2 KB whole (PostgreSQL's
-- TOAST_TUPLE_THRESHOLD), as nearly every search row is; toast_tuple_target
-- then moves the fields out until the row is under 128 bytes, or none is
-- left. The fields and the document are stored uncompressed (EXTERNAL), as
-- migration 0014 chose for the same costs; the sort keys, country, status
-- and acronym stay in the row, uncompressed (PLAIN: a compressed sort key
-- cost each search a decompression per match). Their sizes are bounded by
-- the names' (300 characters), well under a page.
--
-- Measured on 100,000 generated organizations (demo.Generate(100000, 1),
-- seeded through directory.Service.Seed, then this migration applied), on
-- the local PostgreSQL 15: EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM
-- organization_search WHERE document @@ '''центр'':*' read 4,612 heap
-- pages before and 2,564 after; the heap is 26 MB instead of 381 MB, the
-- table with its TOAST 442 MB either way; the CLUSTER took 9 s. Writing
-- the rows costs more: INSERT INTO a table of each layout SELECT the fields,
-- keys, country and status FROM organization_search (100,000 rows, no
-- indexes) took 2.6 s of the server's CPU before and 3.5 s after (twice
-- each; the backend's utime+stime in /proc), about 1 s more for an import
-- of 100,000 organizations. A GIN build over the documents costs about the
-- same (CREATE INDEX ... USING GIN (document): 2.6-2.8 s of CPU before,
-- 2.8-2.9 s after).
--
-- Rows written before are rewritten here, by CLUSTER, which copies them
-- into a new file in the new layout, packed; an UPDATE of each would leave
-- the new narrow versions on the old pages, two to a page.
ALTER TABLE organization_search SET (toast_tuple_target = 128);
ALTER TABLE organization_search
	ALTER COLUMN name SET STORAGE EXTERNAL,
	ALTER COLUMN place SET STORAGE EXTERNAL,
	ALTER COLUMN description SET STORAGE EXTERNAL,
	ALTER COLUMN document SET STORAGE EXTERNAL,
	ALTER COLUMN acronym SET STORAGE PLAIN,
	ALTER COLUMN sort_original SET STORAGE PLAIN,
	ALTER COLUMN sort_ru SET STORAGE PLAIN,
	ALTER COLUMN sort_en SET STORAGE PLAIN,
	ALTER COLUMN country_code SET STORAGE PLAIN,
	ALTER COLUMN membership_status SET STORAGE PLAIN;
CLUSTER organization_search USING organization_search_pkey;

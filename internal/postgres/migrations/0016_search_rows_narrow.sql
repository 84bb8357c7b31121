-- The search rows keep their terms and document out of line (TOAST), so
-- that the rows a search visits are narrow: about 230 bytes, some 30 to a
-- page, instead of 3.4 KB, two to a page. PostgreSQL reads the row of every
-- entry its GIN index finds, to check that it is visible, even to count
-- them (PostgreSQL 15.20 reads every page of a bitmap heap scan, all-visible
-- or not), and a search reads its matches twice: the total, then the first
-- relevance level with its page (sqlstore's lister.searchPage), which reads
-- only the rows' sort keys. q=центр at 100,000 organizations (4,723 matches)
-- visited 4,612 pages per pass; on narrow rows it visits 2,032. The fields
-- and the document are read only to rank a few matches in Go (at most 300,
-- sqlstore's pageFew), which now fetches them from the TOAST table.
--
-- A row is moved out of line only when it is over 2 KB whole (PostgreSQL's
-- TOAST_TUPLE_THRESHOLD), as nearly every search row is; toast_tuple_target
-- then moves the fields out until the row is under 128 bytes, or none is
-- left. The fields and the document are stored uncompressed (EXTERNAL), as
-- migration 0014 chose for the same costs; the sort keys, country, status
-- and acronym stay in the row, uncompressed (PLAIN: a compressed sort key
-- costs each search a decompression per match). Their sizes are bounded by
-- the names' (300 characters), well under a page.
--
-- Measured on 100,000 generated organizations (a copy of the search table
-- in each layout on the local PostgreSQL 15, server CPU time per statement
-- over 100 runs, psql; the machine loaded, load average 9-10): the count of
-- q=центр 3.9 ms against 2.2 ms, its first level's count and page 6.0 ms
-- against 3.4 ms; reading the fields of 300 rows by key 2.0 ms against
-- 3.7 ms; writing the 100,000 rows without indexes about 60% longer (1.8-2.4 s
-- against 3.1-3.7 s per 30,000). The heap is 25 MB instead of 381 MB, the
-- table with its TOAST 427 MB instead of 439 MB.
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

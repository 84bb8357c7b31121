-- Search rows are stored whole, without compression: a row (the fields'
-- terms and their document) is often over the 2 KB (TOAST_TUPLE_TARGET)
-- at which PostgreSQL compresses a row's largest values (pglz), so every
-- write of a search row compressed its document and description, and every
-- search that rechecks documents decompressed them. With toast_tuple_target
-- at its maximum, only rows over 8 KB are compressed: writes and rechecks
-- spend no time compressing, for a larger table. Rows written before keep
-- their compression until they are written again.
ALTER TABLE organization_search SET (toast_tuple_target = 8160);

-- The small-object path (issue 11, docs/PERFORMANCE.md "Small objects"): content up to
-- INLINE_MAX_BYTES is kept in its blob row, written in the transaction that commits the object,
-- instead of in a content file. NULL: the content is a file (or, for a composite blob, its
-- segments). A blob may have both (a file placed later by an upload of the same content); readers
-- try the file first. The row's deletion by the garbage collector deletes the content with it.
ALTER TABLE blobs ADD COLUMN content bytea;
-- Content is mostly compressed or random already (weights, archives, images): do not spend CPU
-- trying to compress it; values over ~2 KiB go to the TOAST table as they are.
ALTER TABLE blobs ALTER COLUMN content SET STORAGE EXTERNAL;

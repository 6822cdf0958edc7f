-- Integrity: what the scrubber found when it last re-hashed each blob's content, and the indexes
-- that fsck, the scrubber and the tombstone purge read through.

-- When the scrubber last re-read the content file and compared it with its hash (NULL: never),
-- and since when it has been found damaged (NULL: intact when last verified).
ALTER TABLE blobs ADD COLUMN verified_at timestamptz;
ALTER TABLE blobs ADD COLUMN damaged_at timestamptz;
-- The scrubber's queue: referenced blobs, least recently verified first.
CREATE INDEX blobs_verify_queue ON blobs (verified_at NULLS FIRST) WHERE ref_count > 0;

-- The committed objects using one content: live reference counts (fsck), and the objects named
-- when that content is found missing or damaged.
CREATE INDEX objects_by_content ON objects (storage_class, content_hash)
  WHERE status = 'COMMITTED';
-- Tombstones by age, for their purge after TOMBSTONE_RETENTION_SECONDS.
CREATE INDEX objects_tombstones ON objects (updated_at) WHERE status = 'DELETED';

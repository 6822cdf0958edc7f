-- What an object carries besides its content (issue 10, docs/S3.md): user metadata (S3's
-- x-amz-meta-*), the representation headers S3 stores (Content-Disposition, -Encoding, -Language,
-- Cache-Control, Expires) and flexible checksums, and the S3 entity tag. Objects written before
-- this migration have none: their ETag is their content hash.
ALTER TABLE objects
  ADD COLUMN metadata   jsonb NOT NULL DEFAULT '{}'::jsonb,
  ADD COLUMN attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
  ADD COLUMN etag       text  CHECK (etag ~ '^[0-9a-f]{32}(-[0-9]{1,5})?$');

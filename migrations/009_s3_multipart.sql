-- S3 multipart uploads (issue 10, docs/S3.md "Multipart uploads"): a multipart upload is an
-- upload session marked s3, whose key is the S3 key and which carries the object's user metadata
-- and stored headers (as objects do since 008_object_attributes.sql); its parts carry their MD5
-- (the part's ETag) and the flexible checksum the client sent. Native sessions are unchanged:
-- s3 false, no attributes, parts without MD5.
ALTER TABLE upload_sessions
  ADD COLUMN s3         boolean NOT NULL DEFAULT false,
  ADD COLUMN metadata   jsonb   NOT NULL DEFAULT '{}'::jsonb,
  ADD COLUMN attributes jsonb   NOT NULL DEFAULT '{}'::jsonb,
  ADD CONSTRAINT upload_sessions_s3_key CHECK (NOT s3 OR key IS NOT NULL);
-- ListMultipartUploads: a bucket's open S3 uploads in (key, upload id) order.
CREATE INDEX upload_sessions_s3_open ON upload_sessions (tenant_id, namespace, key, id)
  WHERE state = 'open' AND s3;

ALTER TABLE upload_parts
  ADD COLUMN md5                text CHECK (md5 ~ '^[0-9a-f]{32}$'),
  ADD COLUMN checksum_algorithm text CHECK (checksum_algorithm IN
                                            ('crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256')),
  ADD COLUMN checksum           text,
  ADD COLUMN uploaded_at        timestamptz,
  ADD CONSTRAINT upload_parts_checksum CHECK ((checksum_algorithm IS NULL) = (checksum IS NULL));

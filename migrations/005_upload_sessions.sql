-- Upload sessions (resumable uploads) and composite blobs: see docs/BLOBS_AND_BUNDLES.md,
-- "Segmented content" and "Upload sessions".

-- A composite blob's content is the concatenation of its segments, each a file blob of the same
-- storage class. Each segment row is one reference on its segment blob (counted in ref_count),
-- dropped by the collector in the transaction that deletes the composite's row; no cascade, so
-- that deleting a composite without releasing its segments fails loudly.
CREATE TABLE blob_segments (
  storage_class text   NOT NULL,
  content_hash  text   NOT NULL,
  ordinal       integer NOT NULL CHECK (ordinal >= 0),
  segment_hash  text   NOT NULL CHECK (segment_hash ~ '^[0-9a-f]{64}$'),
  offset_bytes  bigint NOT NULL CHECK (offset_bytes >= 0),
  size_bytes    bigint NOT NULL CHECK (size_bytes > 0),
  PRIMARY KEY (storage_class, content_hash, ordinal),
  FOREIGN KEY (storage_class, content_hash) REFERENCES blobs (storage_class, content_hash)
);
-- The live references of a segment blob (fsck).
CREATE INDEX blob_segments_by_segment ON blob_segments (storage_class, segment_hash);

CREATE TABLE upload_sessions (
  id            uuid   PRIMARY KEY,
  tenant_id     text   NOT NULL,
  namespace     text,
  key           text   COLLATE "C",
  storage_class text   NOT NULL CHECK (storage_class IN ('hot', 'cold')),
  size_bytes    bigint CHECK (size_bytes >= 0),
  sha256        text   CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  content_type  text,
  state         text   NOT NULL CHECK (state IN ('open', 'completed')),
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  result_hash   text   CHECK (result_hash ~ '^[0-9a-f]{64}$'),
  result_size   bigint CHECK (result_size >= 0),
  object_id     uuid,
  CHECK (key IS NULL OR namespace IS NOT NULL),
  CHECK (state = 'open' OR result_hash IS NOT NULL)
);
-- GET /v1/uploads (a tenant's open sessions, newest first) and MAX_OPEN_UPLOADS.
CREATE INDEX upload_sessions_open ON upload_sessions (tenant_id, created_at DESC, id DESC)
  WHERE state = 'open';
-- The collector's scan for expired sessions.
CREATE INDEX upload_sessions_expiry ON upload_sessions (expires_at);

-- A part row is one reference on its blob while the session holds it.
CREATE TABLE upload_parts (
  upload_id    uuid    NOT NULL REFERENCES upload_sessions (id),
  part_number  integer NOT NULL CHECK (part_number BETWEEN 1 AND 10000),
  content_hash text    NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
  size_bytes   bigint  NOT NULL CHECK (size_bytes > 0),
  PRIMARY KEY (upload_id, part_number)
);
-- The live references of a part's blob (fsck). Parts carry no storage class: it is their
-- session's.
CREATE INDEX upload_parts_by_content ON upload_parts (content_hash);

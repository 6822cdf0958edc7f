-- bench/pgbench/schema.sql: the table pgbench writes and reads for the pg-commit and pg-lookup
-- baselines of bench/run.sh (issue 11). Shaped like castor's objects table (migrations/001_init.sql
-- and 008_object_attributes.sql): the same columns, CHECK constraints and indexes, so that an
-- INSERT maintains as many index entries as castor's does.
CREATE TABLE objects (
  id            uuid   PRIMARY KEY,
  namespace     text   NOT NULL,
  tenant_id     text   NOT NULL,
  key           text   COLLATE "C",
  storage_class text   NOT NULL CHECK (storage_class IN ('hot', 'cold')),
  status        text   NOT NULL CHECK (status IN ('WRITING', 'COMMITTED', 'DELETING', 'DELETED')),
  content_hash  text   CHECK (content_hash ~ '^[0-9a-f]{64}$'),
  size_bytes    bigint NOT NULL DEFAULT 0 CHECK (size_bytes >= 0),
  content_type  text   NOT NULL,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  metadata      jsonb NOT NULL DEFAULT '{}'::jsonb,
  attributes    jsonb NOT NULL DEFAULT '{}'::jsonb,
  etag          text  CHECK (etag ~ '^[0-9a-f]{32}(-[0-9]{1,5})?$'),
  CHECK (status = 'WRITING' OR content_hash IS NOT NULL)
);
CREATE UNIQUE INDEX objects_live_key ON objects (namespace, tenant_id, key)
  WHERE key IS NOT NULL AND status IN ('WRITING', 'COMMITTED');
CREATE INDEX objects_listing ON objects (namespace, tenant_id, (COALESCE(key, '')), id)
  WHERE status = 'COMMITTED';
CREATE INDEX objects_pending ON objects (status, updated_at)
  WHERE status IN ('WRITING', 'DELETING');

-- The rows pg-lookup reads: :rows committed keyed objects bench/t1/obj-000000 ... (psql -v rows=N).
INSERT INTO objects (id, namespace, tenant_id, key, storage_class, status, content_hash, size_bytes,
                     content_type, created_at, updated_at)
SELECT gen_random_uuid(), 'bench', 't1', 'obj-' || lpad(i::text, 6, '0'), 'hot', 'COMMITTED',
       encode(sha256(i::text::bytea), 'hex'), 4096, 'application/octet-stream', now(), now()
  FROM generate_series(0, :rows - 1) AS i;
ANALYZE objects;

-- castor's metadata: logical objects and the physical blobs they share.

-- Microsecond timestamps cross the wire as integers (microseconds since the Unix epoch).
CREATE FUNCTION castor_ts(us bigint) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT 'epoch'::timestamptz + us * interval '1 microsecond' $$;
CREATE FUNCTION castor_us(ts timestamptz) RETURNS bigint
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT (extract(epoch FROM ts) * 1000000)::bigint $$;

-- One row per stored content per storage class. ref_count counts the COMMITTED objects that point
-- at it; the garbage collector removes rows (and files) that reach zero.
CREATE TABLE blobs (
  storage_class text   NOT NULL CHECK (storage_class IN ('hot', 'cold')),
  content_hash  text   NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
  size_bytes    bigint NOT NULL CHECK (size_bytes >= 0),
  ref_count     bigint NOT NULL CHECK (ref_count >= 0),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (storage_class, content_hash)
);
CREATE INDEX blobs_unreferenced ON blobs (storage_class, content_hash) WHERE ref_count = 0;

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
  CHECK (status = 'WRITING' OR content_hash IS NOT NULL)
);

-- A key is unique among the live objects of a (namespace, tenant); deleting frees it at once.
CREATE UNIQUE INDEX objects_live_key ON objects (namespace, tenant_id, key)
  WHERE key IS NOT NULL AND status IN ('WRITING', 'COMMITTED');
-- Keyset pagination over committed objects, in (key bytes, id) order; keyless objects first.
CREATE INDEX objects_listing ON objects (namespace, tenant_id, (COALESCE(key, '')), id)
  WHERE status = 'COMMITTED';
-- The garbage collector's work queues.
CREATE INDEX objects_pending ON objects (status, updated_at)
  WHERE status IN ('WRITING', 'DELETING');

-- Blobs as an API of their own (PUT /v1/blobs/{sha256}), proof of possession and bundles: see
-- docs/BLOBS_AND_BUNDLES.md.

-- A blob stored through the blob API is kept at least until retain_until even while nothing
-- references it (NULL: no grace). The garbage collector deletes a blob only when ref_count = 0
-- and retain_until is NULL or past.
ALTER TABLE blobs ADD COLUMN retain_until timestamptz;
DROP INDEX blobs_unreferenced;
CREATE INDEX blobs_unreferenced ON blobs (storage_class, content_hash, retain_until)
  WHERE ref_count = 0;

-- Possession: a tenant may see, preflight as present and reference only content it has stored
-- itself. A grant dies with its blob row (the collector deletes both in one transaction).
CREATE TABLE blob_grants (
  tenant_id     text NOT NULL,
  storage_class text NOT NULL,
  content_hash  text NOT NULL,
  granted_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, storage_class, content_hash),
  FOREIGN KEY (storage_class, content_hash) REFERENCES blobs (storage_class, content_hash)
    ON DELETE CASCADE
);
-- The cascade from a deleted blob row.
CREATE INDEX blob_grants_by_blob ON blob_grants (storage_class, content_hash);

-- Tenants possess the content of their committed objects.
INSERT INTO blob_grants (tenant_id, storage_class, content_hash, granted_at)
SELECT o.tenant_id, o.storage_class, o.content_hash, min(o.created_at)
  FROM objects o
  JOIN blobs b ON b.storage_class = o.storage_class AND b.content_hash = o.content_hash
 WHERE o.status = 'COMMITTED'
 GROUP BY o.tenant_id, o.storage_class, o.content_hash
ON CONFLICT DO NOTHING;

-- A bundle: a manifest of relative path -> content, each file holding one reference on its blob
-- (counted in blobs.ref_count) while the bundle exists.
CREATE TABLE bundles (
  id            uuid   PRIMARY KEY,
  tenant_id     text   NOT NULL,
  storage_class text   NOT NULL CHECK (storage_class IN ('hot', 'cold')),
  created_at    timestamptz NOT NULL,
  merkle_root   text   NOT NULL CHECK (merkle_root ~ '^[0-9a-f]{64}$'),
  file_count    bigint NOT NULL CHECK (file_count >= 0),
  total_bytes   bigint NOT NULL CHECK (total_bytes >= 0),
  metadata      jsonb
);
-- Listing, newest first, keyset-paginated by (created_at, id).
CREATE INDEX bundles_listing ON bundles (tenant_id, created_at DESC, id DESC);

CREATE TABLE bundle_files (
  bundle_id    uuid   NOT NULL REFERENCES bundles (id) ON DELETE CASCADE,
  path         text   COLLATE "C" NOT NULL,
  content_hash text   NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
  size_bytes   bigint NOT NULL CHECK (size_bytes >= 0),
  mode         integer NOT NULL CHECK (mode >= 0 AND mode <= 4095),
  PRIMARY KEY (bundle_id, path)
);
-- The live references of a content held by bundles (fsck). Bundle files carry no storage class:
-- it is their bundle's.
CREATE INDEX bundle_files_by_content ON bundle_files (content_hash);

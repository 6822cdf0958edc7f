-- S3 buckets: a namespace of a tenant as a first-class row (docs/S3.md, "One store, two front
-- ends"). Bucket names are per tenant. Deleting a bucket deletes only its row, and only while the
-- namespace holds no COMMITTED object (decided under the row's FOR UPDATE lock; a committing
-- upload holds the row FOR KEY SHARE).
CREATE TABLE buckets (
  tenant_id  text NOT NULL,
  name       text COLLATE "C" NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, name)
);

-- Every namespace that already holds objects (any status but DELETED) or upload sessions is a
-- bucket, created when its first object or session was.
INSERT INTO buckets (tenant_id, name, created_at)
SELECT tenant_id, name, min(created_at)
FROM (
  SELECT tenant_id, namespace AS name, created_at FROM objects WHERE status <> 'DELETED'
  UNION ALL
  SELECT tenant_id, namespace AS name, created_at FROM upload_sessions WHERE namespace IS NOT NULL
) AS used
GROUP BY tenant_id, name;

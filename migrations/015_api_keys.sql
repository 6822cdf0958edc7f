-- API key self-service (docs/API_KEYS.md): a short name per key, and an optional restriction to
-- a list of namespaces (NULL: every namespace of the key's tenant). S3 credentials get the same
-- restriction. A keys:manage credential lists its own tenant's keys: an index serves that list.
ALTER TABLE api_keys
  ADD COLUMN name text NOT NULL DEFAULT '' CHECK (octet_length(name) <= 128),
  ADD COLUMN namespaces text[] CHECK (namespaces IS NULL OR cardinality(namespaces) > 0);

ALTER TABLE s3_credentials
  ADD COLUMN namespaces text[] CHECK (namespaces IS NULL OR cardinality(namespaces) > 0);

CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at DESC) WHERE tenant_id IS NOT NULL;

-- bench/pgbench/insert.sql: pg-commit. One single-row INSERT of a new committed keyed object,
-- run in autocommit mode: one statement = one transaction = one commit (WAL flush, fsync on).
-- Every row has a new id and a new key, so the unique index never conflicts.
INSERT INTO objects (id, namespace, tenant_id, key, storage_class, status, content_hash, size_bytes, content_type, created_at, updated_at) VALUES (gen_random_uuid(), 'bench', 't1', 'put-' || gen_random_uuid()::text, 'hot', 'COMMITTED', encode(sha256(gen_random_uuid()::text::bytea), 'hex'), 4096, 'application/octet-stream', now(), now());

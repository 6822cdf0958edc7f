-- bench/pgbench/lookup.sql: pg-lookup. One SELECT of a committed object by its unique key
-- (namespace, tenant, key: the objects_live_key index) over the pre-filled keys obj-000000 ...
-- (pgbench -D rows=N). \gset makes pgbench fail the transaction unless exactly one row comes back.
\set i random(0, :rows - 1)
SELECT id, status, content_hash, size_bytes, content_type, created_at, updated_at, etag FROM objects WHERE namespace = 'bench' AND tenant_id = 't1' AND key = 'obj-' || lpad(:i::text, 6, '0') AND status = 'COMMITTED' \gset r_

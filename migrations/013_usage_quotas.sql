-- Usage statistics and quotas (issue 12, docs/USAGE_AND_QUOTAS.md).
--
-- What is counted: COMMITTED objects. An object counts from the moment it is COMMITTED (by any
-- write path: native, upload session, S3 Put/Copy/CompleteMultipartUpload) until it leaves that
-- status (DELETING: a delete gives its space back at once, not when the collector runs). Triggers
-- on `objects` keep the counters, so every write path, present or future, is covered.
--   objects        number of COMMITTED objects
--   logical_bytes  sum of their size_bytes (what the tenant stored)
--   physical_bytes sum of the sizes of the DISTINCT contents (storage class, content hash) they
--                  reference: deduplicated. For a namespace, the distinct contents of that
--                  namespace's objects; for a tenant, the distinct contents of all its objects
--                  (content in two namespaces of one tenant counts once for the tenant and once in
--                  each namespace). Per storage class: a content stored hot and cold counts in both.

-- The writers of the trigger below must not miss rows written while this migration backfills.
LOCK TABLE objects IN SHARE ROW EXCLUSIVE MODE;

-- Counters, sharded: each (tenant, namespace, storage class) has up to kShards rows, and a
-- transaction adds its deltas to the row of its connection's shard (pg_backend_pid() % 16), so that
-- concurrent commits in one namespace do not queue on one row (each would hold it until its WAL
-- flush). A row alone means nothing (it may be negative); the sums over the shards are the figures.
-- tenant_physical_bytes: the tenant-wide distinct-content deltas, kept on the row of the namespace
-- whose write caused them; only its sum over ALL the tenant's rows means something.
CREATE TABLE usage_counters (
  tenant_id             text     NOT NULL,
  namespace             text     NOT NULL,
  storage_class         text     NOT NULL CHECK (storage_class IN ('hot', 'cold')),
  shard                 smallint NOT NULL,
  objects               bigint   NOT NULL DEFAULT 0,
  logical_bytes         bigint   NOT NULL DEFAULT 0,
  physical_bytes        bigint   NOT NULL DEFAULT 0,
  tenant_physical_bytes bigint   NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, namespace, storage_class, shard)
);

-- Reference counts of content per (tenant, namespace) and per tenant: physical bytes change when
-- one flips between 0 (no row) and 1. `content` is the SHA-256 (32 bytes, not the 64 hex digits).
-- usage_namespace_content.refs: the COMMITTED objects of (tenant, namespace) with that content;
-- usage_tenant_content.refs: the namespaces of the tenant that have a usage_namespace_content row.
CREATE TABLE usage_namespace_content (
  tenant_id     text   NOT NULL,
  namespace     text   NOT NULL,
  storage_class text   NOT NULL,
  content       bytea  NOT NULL,
  refs          bigint NOT NULL CHECK (refs >= 0),
  PRIMARY KEY (tenant_id, namespace, storage_class, content)
);
CREATE TABLE usage_tenant_content (
  tenant_id     text   NOT NULL,
  storage_class text   NOT NULL,
  content       bytea  NOT NULL,
  refs          bigint NOT NULL CHECK (refs >= 0),
  PRIMARY KEY (tenant_id, storage_class, content)
);

-- Quotas, set by an admin. namespace '' (never a valid namespace name) is the tenant as a whole.
-- NULL limit: none. Both measure COMMITTED objects, all storage classes together: max_objects
-- their number, max_bytes their logical bytes.
CREATE TABLE quotas (
  tenant_id   text        NOT NULL,
  namespace   text        NOT NULL DEFAULT '',
  max_bytes   bigint      CHECK (max_bytes >= 0),
  max_objects bigint      CHECK (max_objects >= 0),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, namespace)
);

-- Refuses (SQLSTATE CQ001, which castor maps to 403 quota_exceeded) when adding `add_objects`
-- objects of `add_bytes` bytes to (t, n) would exceed the tenant's or the namespace's quota.
-- `lock`: hold the quota rows FOR UPDATE until the transaction ends (the commit's check: the next
-- committer of the tenant waits, then sees this one's counters), else only read (the pre-check
-- before an upload's body). No quota row: one index probe, no lock.
CREATE FUNCTION castor_quota_check(t text, n text, add_objects bigint, add_bytes bigint,
                                   take_lock boolean) RETURNS void
  LANGUAGE plpgsql AS $$
DECLARE
  q record;
  used_objects bigint;
  used_bytes bigint;
  what text;
BEGIN
  IF take_lock THEN
    -- Tenant row ('') first, then the namespace's: one order for every committer.
    PERFORM 1 FROM quotas WHERE tenant_id = t AND namespace IN ('', n) ORDER BY namespace
      FOR UPDATE;
  ELSE
    PERFORM 1 FROM quotas WHERE tenant_id = t AND namespace IN ('', n);
  END IF;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  -- A new snapshot (READ COMMITTED): the counters of every committer that held the locks before.
  FOR q IN SELECT namespace, max_bytes, max_objects FROM quotas
           WHERE tenant_id = t AND namespace IN ('', n) ORDER BY namespace LOOP
    IF q.namespace = '' THEN
      SELECT COALESCE(sum(objects), 0), COALESCE(sum(logical_bytes), 0)
        INTO used_objects, used_bytes FROM usage_counters WHERE tenant_id = t;
      what := format('tenant %s', t);
    ELSE
      SELECT COALESCE(sum(objects), 0), COALESCE(sum(logical_bytes), 0)
        INTO used_objects, used_bytes FROM usage_counters WHERE tenant_id = t AND namespace = n;
      what := format('namespace %s of tenant %s', n, t);
    END IF;
    IF q.max_objects IS NOT NULL AND add_objects > 0
       AND used_objects + add_objects > q.max_objects THEN
      RAISE EXCEPTION USING ERRCODE = 'CQ001', MESSAGE = format(
        'quota exceeded: %s may hold at most %s objects (max_objects); it holds %s, this upload adds %s',
        what, q.max_objects, used_objects, add_objects);
    END IF;
    IF q.max_bytes IS NOT NULL AND add_bytes > 0 AND used_bytes + add_bytes > q.max_bytes THEN
      RAISE EXCEPTION USING ERRCODE = 'CQ001', MESSAGE = format(
        'quota exceeded: %s may hold at most %s bytes (max_bytes); it holds %s, this upload adds %s',
        what, q.max_bytes, used_bytes, add_bytes);
    END IF;
  END LOOP;
END $$;

-- Adds (sign 1) or removes (sign -1) one COMMITTED object of `size` bytes with content (c, h) in
-- (t, n) to the counters and the content reference counts.
CREATE FUNCTION castor_usage_apply(t text, n text, c text, h text, size bigint, sign integer)
  RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  hash bytea := decode(h, 'hex');
  refs_now bigint;
  physical bigint := 0;
  tenant_physical bigint := 0;
BEGIN
  IF sign > 0 THEN
    INSERT INTO usage_namespace_content AS r VALUES (t, n, c, hash, 1)
      ON CONFLICT (tenant_id, namespace, storage_class, content) DO UPDATE SET refs = r.refs + 1
      RETURNING refs INTO refs_now;
    IF refs_now = 1 THEN
      physical := size;
      INSERT INTO usage_tenant_content AS r VALUES (t, c, hash, 1)
        ON CONFLICT (tenant_id, storage_class, content) DO UPDATE SET refs = r.refs + 1
        RETURNING refs INTO refs_now;
      IF refs_now = 1 THEN
        tenant_physical := size;
      END IF;
    END IF;
  ELSE
    -- The row stays locked from the decrement to its deletion: a concurrent increment waits, then
    -- inserts a new row.
    UPDATE usage_namespace_content SET refs = refs - 1
      WHERE tenant_id = t AND namespace = n AND storage_class = c AND content = hash
      RETURNING refs INTO refs_now;
    IF refs_now = 0 THEN
      DELETE FROM usage_namespace_content
        WHERE tenant_id = t AND namespace = n AND storage_class = c AND content = hash;
      physical := -size;
      UPDATE usage_tenant_content SET refs = refs - 1
        WHERE tenant_id = t AND storage_class = c AND content = hash
        RETURNING refs INTO refs_now;
      IF refs_now = 0 THEN
        DELETE FROM usage_tenant_content
          WHERE tenant_id = t AND storage_class = c AND content = hash;
        tenant_physical := -size;
      END IF;
    END IF;
  END IF;
  INSERT INTO usage_counters AS u VALUES
    (t, n, c, pg_backend_pid() % 16, sign, sign * size, physical, tenant_physical)
    ON CONFLICT (tenant_id, namespace, storage_class, shard) DO UPDATE SET
      objects = u.objects + EXCLUDED.objects,
      logical_bytes = u.logical_bytes + EXCLUDED.logical_bytes,
      physical_bytes = u.physical_bytes + EXCLUDED.physical_bytes,
      tenant_physical_bytes = u.tenant_physical_bytes + EXCLUDED.tenant_physical_bytes;
END $$;

-- The trigger: an object's contribution is (tenant, namespace, class, content, size) while it is
-- COMMITTED, nothing otherwise; a change applies the old contribution's removal, then the new
-- one's addition. An addition that is not the same object staying in its (tenant, namespace)
-- (a new commit, not a storage-class move) passes the quotas first, under their row locks. Runs
-- at the commit (the constraint triggers below).
CREATE FUNCTION castor_usage_track() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_counts boolean := TG_OP <> 'INSERT' AND OLD.status = 'COMMITTED';
  new_counts boolean := TG_OP <> 'DELETE' AND NEW.status = 'COMMITTED';
BEGIN
  -- Bulk loads (tests, benches: millions of rows in one statement) may SET LOCAL
  -- castor.usage_tracking = 'off' and call castor_usage_recount() afterwards.
  IF current_setting('castor.usage_tracking', true) = 'off' THEN
    RETURN NULL;
  END IF;
  IF old_counts THEN
    PERFORM castor_usage_apply(OLD.tenant_id, OLD.namespace, OLD.storage_class, OLD.content_hash,
                               OLD.size_bytes, -1);
  END IF;
  IF new_counts THEN
    IF NOT (old_counts AND OLD.tenant_id = NEW.tenant_id AND OLD.namespace = NEW.namespace) THEN
      PERFORM castor_quota_check(NEW.tenant_id, NEW.namespace, 1, NEW.size_bytes, true);
    END IF;
    PERFORM castor_usage_apply(NEW.tenant_id, NEW.namespace, NEW.storage_class, NEW.content_hash,
                               NEW.size_bytes, 1);
  END IF;
  RETURN NULL;
END $$;

-- Constraint triggers, deferred to the commit: the counters and reference rows are locked last,
-- after every blob row the transaction locks (an upload locks its blob row, then inserts the
-- object; a delete updates the object, then releases the blob row). Run at once, the trigger
-- would lock a content's reference row before the blob row in a delete and after it in an upload:
-- a deadlock. Deferred, every transaction that touches a content's reference rows already holds
-- that content's blob row, which orders them. The quota check thus runs at the commit too (a
-- single-statement upload's commit is the end of its statement).
-- WHEN clauses, evaluated when the row changes, keep the rows that cannot change a count (WRITING
-- rows, tombstones, a metadata-only update) out of the queue.
CREATE CONSTRAINT TRIGGER objects_usage_insert AFTER INSERT ON objects
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (NEW.status = 'COMMITTED') EXECUTE FUNCTION castor_usage_track();
CREATE CONSTRAINT TRIGGER objects_usage_update
  AFTER UPDATE OF status, storage_class, size_bytes, content_hash, tenant_id, namespace ON objects
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN ((OLD.status = 'COMMITTED' OR NEW.status = 'COMMITTED') AND
                     (OLD.status, OLD.storage_class, OLD.size_bytes, OLD.content_hash,
                      OLD.tenant_id, OLD.namespace) IS DISTINCT FROM
                     (NEW.status, NEW.storage_class, NEW.size_bytes, NEW.content_hash,
                      NEW.tenant_id, NEW.namespace))
  EXECUTE FUNCTION castor_usage_track();
CREATE CONSTRAINT TRIGGER objects_usage_delete AFTER DELETE ON objects
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (OLD.status = 'COMMITTED') EXECUTE FUNCTION castor_usage_track();

-- Rebuilds the counters and reference counts from the objects (into shard 0), holding writers of
-- objects off meanwhile: the backfill below, and the repair after a bulk load that ran with
-- castor.usage_tracking = 'off'. The tenant-wide physical bytes of a content go to the row of the
-- first (by name) namespace that references it.
CREATE FUNCTION castor_usage_recount() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE objects IN SHARE ROW EXCLUSIVE MODE;
  DELETE FROM usage_counters;
  DELETE FROM usage_namespace_content;
  DELETE FROM usage_tenant_content;
  WITH live AS (
    SELECT tenant_id, namespace, storage_class, content_hash, size_bytes FROM objects
    WHERE status = 'COMMITTED'),
  ns_content AS (
    SELECT tenant_id, namespace, storage_class, content_hash, max(size_bytes) AS size,
           count(*) AS refs
    FROM live GROUP BY tenant_id, namespace, storage_class, content_hash),
  tenant_content AS (
    SELECT tenant_id, min(namespace) AS namespace, storage_class, content_hash, max(size) AS size
    FROM ns_content GROUP BY tenant_id, storage_class, content_hash),
  ns_refs AS (
    INSERT INTO usage_namespace_content
    SELECT tenant_id, namespace, storage_class, decode(content_hash, 'hex'), refs FROM ns_content),
  tenant_refs AS (
    INSERT INTO usage_tenant_content
    SELECT tenant_id, storage_class, decode(content_hash, 'hex'), count(*) FROM ns_content
    GROUP BY tenant_id, storage_class, content_hash),
  logical AS (
    SELECT tenant_id, namespace, storage_class, count(*) AS objects, sum(size_bytes) AS bytes
    FROM live GROUP BY tenant_id, namespace, storage_class),
  ns_physical AS (
    SELECT tenant_id, namespace, storage_class, sum(size) AS bytes
    FROM ns_content GROUP BY tenant_id, namespace, storage_class),
  tenant_physical AS (
    SELECT tenant_id, namespace, storage_class, sum(size) AS bytes
    FROM tenant_content GROUP BY tenant_id, namespace, storage_class)
  INSERT INTO usage_counters
  SELECT l.tenant_id, l.namespace, l.storage_class, 0, l.objects, l.bytes, p.bytes,
         COALESCE(t.bytes, 0)
  FROM logical l
  JOIN ns_physical p USING (tenant_id, namespace, storage_class)
  LEFT JOIN tenant_physical t USING (tenant_id, namespace, storage_class);
END $$;

SELECT castor_usage_recount();

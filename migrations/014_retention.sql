-- Retention (WORM, docs/RETENTION.md; issue 12). An object may carry a retention (a mode and a
-- retain_until date) and a legal hold; while either binds, the object may be neither deleted nor
-- overwritten. The application decides that under the object row's FOR UPDATE lock (DeleteObject,
-- claim_key); the triggers below are the backstop that no code path (nor a hand-written UPDATE)
-- gets past, and the place where a namespace's default retention is applied, so that every commit
-- path (the one-statement small upload included) gets it without a round trip of its own.

-- Adding nullable columns, and one with a constant default, rewrites nothing (PostgreSQL 11+).
ALTER TABLE objects
  ADD COLUMN retain_until   timestamptz,
  ADD COLUMN retention_mode text,
  ADD COLUMN legal_hold     boolean NOT NULL DEFAULT false;
-- NOT VALID then VALIDATE: the check of existing rows does not block writers.
ALTER TABLE objects ADD CONSTRAINT objects_retention_mode
  CHECK (retention_mode IN ('governance', 'compliance')
         AND retain_until IS NOT NULL OR retention_mode IS NULL AND retain_until IS NULL) NOT VALID;
ALTER TABLE objects VALIDATE CONSTRAINT objects_retention_mode;

-- A namespace's WORM configuration (PUT /v1/admin/namespaces/{tenant}/{namespace}/retention).
-- Namespaces are per tenant, like buckets; no foreign key to buckets: a configuration may precede
-- the namespace's first object.
CREATE TABLE namespace_retention (
  tenant_id              text NOT NULL,
  namespace              text COLLATE "C" NOT NULL,
  mode                   text NOT NULL CHECK (mode IN ('governance', 'compliance')),
  default_retention_days integer NOT NULL CHECK (default_retention_days BETWEEN 0 AND 36500),
  allow_overwrite        boolean NOT NULL,
  updated_at             timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, namespace)
);

-- The namespace default, applied when a row becomes COMMITTED (inserted so by the small-object
-- path, S3 CopyObject and upload-session completions; updated to it by the streamed path): the
-- later of the object's own date and commit time (updated_at) + default days, compliance if
-- either says so (domain/retention.h, apply_namespace_default). Cost: one primary-key probe of
-- namespace_retention per commit, inside the commit's own statement.
CREATE FUNCTION castor_retention_default() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cfg record;
  until timestamptz;
BEGIN
  SELECT mode, default_retention_days INTO cfg FROM namespace_retention
    WHERE tenant_id = NEW.tenant_id AND namespace = NEW.namespace;
  IF NOT FOUND OR cfg.default_retention_days = 0 THEN
    RETURN NEW;
  END IF;
  until := NEW.updated_at + make_interval(days => cfg.default_retention_days);
  IF NEW.retain_until IS NULL OR NEW.retain_until < until THEN
    NEW.retain_until := until;
  END IF;
  IF cfg.mode = 'compliance' OR NEW.retention_mode = 'compliance' THEN
    NEW.retention_mode := 'compliance';
  ELSE
    NEW.retention_mode := 'governance';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER objects_retention_default_insert BEFORE INSERT ON objects
  FOR EACH ROW WHEN (NEW.status = 'COMMITTED') EXECUTE FUNCTION castor_retention_default();
CREATE TRIGGER objects_retention_default_commit BEFORE UPDATE OF status ON objects
  FOR EACH ROW WHEN (OLD.status <> 'COMMITTED' AND NEW.status = 'COMMITTED')
  EXECUTE FUNCTION castor_retention_default();

-- The backstop: a locked COMMITTED row never leaves COMMITTED (DELETING is what the garbage
-- collector acts on) nor is deleted, and an active compliance retention is never shortened,
-- removed or turned into governance. SQLSTATE CR001, which castor reports as 409 object_locked.
-- Runs only for rows that carry a retention or a hold (the WHEN clauses), so the updates of the
-- other objects pay nothing. Time is the database's wall clock (clock_timestamp()); castor decides
-- first with its own, so a skew between the two can only keep an expiring object locked longer.
CREATE FUNCTION castor_retention_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  locked boolean := OLD.status = 'COMMITTED'
    AND (OLD.legal_hold OR OLD.retain_until > clock_timestamp());
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF locked THEN
      RAISE EXCEPTION 'object % is locked (retention or legal hold)', OLD.id USING ERRCODE = 'CR001';
    END IF;
    RETURN OLD;
  END IF;
  IF locked AND NEW.status <> 'COMMITTED' THEN
    RAISE EXCEPTION 'object % is locked (retention or legal hold)', OLD.id USING ERRCODE = 'CR001';
  END IF;
  IF OLD.retention_mode = 'compliance' AND OLD.retain_until > clock_timestamp()
     AND (NEW.retention_mode IS DISTINCT FROM 'compliance' OR NEW.retain_until IS NULL
          OR NEW.retain_until < OLD.retain_until) THEN
    RAISE EXCEPTION 'object % is under compliance retention until %', OLD.id, OLD.retain_until
      USING ERRCODE = 'CR001';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER objects_retention_guard BEFORE UPDATE ON objects
  FOR EACH ROW WHEN (OLD.retain_until IS NOT NULL OR OLD.legal_hold)
  EXECUTE FUNCTION castor_retention_guard();
CREATE TRIGGER objects_retention_guard_delete BEFORE DELETE ON objects
  FOR EACH ROW WHEN (OLD.retain_until IS NOT NULL OR OLD.legal_hold)
  EXECUTE FUNCTION castor_retention_guard();

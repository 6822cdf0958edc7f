-- Search and listing (issue 12, docs/SEARCH.md): the indexes behind POST /v1/objects/search and
-- GET /v1/objects?sort=natural|content_hash=. All are partial (COMMITTED rows only: searches never
-- see anything else) so WRITING and DELETED rows cost them nothing.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The text a search's `query` matches (case-insensitively, as a substring): the key and the JSON
-- text of the metadata. IMMUTABLE so that an index can be built over it; jsonb's text form is a
-- pure function of its value.
CREATE OR REPLACE FUNCTION castor_search_text(key text, metadata jsonb) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN COALESCE(key, '') || ' ' || metadata::text;

-- Containment (metadata @> '{"model":{"family":"llama"}}'): jsonb_path_ops is the small GIN
-- opclass that answers exactly @>.
CREATE INDEX IF NOT EXISTS objects_metadata ON objects USING gin (metadata jsonb_path_ops)
  WHERE status = 'COMMITTED';
-- key_contains (key LIKE '%x%') and key_prefix across namespaces (LIKE 'x%'): trigrams of the key.
CREATE INDEX IF NOT EXISTS objects_key_trgm ON objects USING gin (key gin_trgm_ops)
  WHERE status = 'COMMITTED' AND key IS NOT NULL;
-- query: trigrams of key + metadata text (ILIKE '%x%').
CREATE INDEX IF NOT EXISTS objects_search_text ON objects USING gin (castor_search_text(key, metadata) gin_trgm_ops)
  WHERE status = 'COMMITTED';
-- GET /v1/objects?content_hash=: a tenant's objects with one content, in id order (keyset).
CREATE INDEX IF NOT EXISTS objects_tenant_content ON objects (tenant_id, content_hash, id)
  WHERE status = 'COMMITTED';

-- Natural order (CompactVault: "file2" before "file10"): an ICU collation with numeric ordering.
-- ICU collations are deterministic by default (ties broken by the bytes), so (key, id) stays a
-- total order for keyset pagination. A server built without ICU gets castor_natural as a copy of
-- "C" instead: sort=natural then lists in byte order (docs/SEARCH.md says so) rather than failing.
DO $$
BEGIN
  CREATE COLLATION IF NOT EXISTS castor_natural (provider = icu, locale = 'und-u-kn-true');
EXCEPTION WHEN OTHERS THEN
  RAISE WARNING 'castor: no ICU collation (%); sort=natural falls back to byte order', SQLERRM;
  CREATE COLLATION castor_natural FROM "C";
END
$$;
CREATE INDEX IF NOT EXISTS objects_natural ON objects
  (namespace, tenant_id, (COALESCE(key, '') COLLATE castor_natural), id)
  WHERE status = 'COMMITTED';

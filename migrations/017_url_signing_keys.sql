-- The key presigned URLs are signed with (issue 14, docs/PRESIGNED_URLS.md): 32 random bytes as
-- lowercase hex, shared by every replica so that a URL one replica signed verifies on any other.
-- The first process to start creates it (INSERT ... ON CONFLICT DO NOTHING, then it reads the row
-- that won); every process loads it once at start. Replacing the row (and restarting every
-- replica) invalidates every URL issued before.
CREATE TABLE url_signing_keys (
  id         smallint    PRIMARY KEY CHECK (id = 1),
  secret     text        NOT NULL CHECK (secret ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);

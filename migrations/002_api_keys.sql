-- API keys: credentials for services. Only a SHA-256 of each key's secret is stored.
CREATE TABLE api_keys (
  id           text PRIMARY KEY CHECK (id ~ '^[a-z0-9]{12}$'),
  secret_hash  text NOT NULL CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
  tenant_id    text,                      -- NULL: every tenant ('*')
  scopes       text NOT NULL,             -- space-separated scope names
  description  text NOT NULL DEFAULT '',
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz,
  revoked_at   timestamptz,
  last_used_at timestamptz
);

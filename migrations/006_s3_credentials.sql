-- S3 credentials (docs/S3.md, "Credentials"): an access key id and a secret access key, bound to
-- one tenant and a set of scopes. AWS Signature Version 4 needs the secret itself on the server,
-- so it is stored sealed: AES-256-GCM under the master key (S3_MASTER_KEY_FILE), with the access
-- key id as associated data (layout: version | nonce | ciphertext | tag). Without that key the
-- column is useless to whoever reads the table.
CREATE TABLE s3_credentials (
  access_key_id text PRIMARY KEY CHECK (access_key_id ~ '^CK[A-Z2-7]{18}$'),
  tenant_id     text NOT NULL,              -- one tenant, never '*'
  scopes        text NOT NULL,              -- space-separated scope names
  description   text NOT NULL DEFAULT '',
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz,
  revoked_at    timestamptz,
  last_used_at  timestamptz,
  sealed_secret bytea NOT NULL CHECK (octet_length(sealed_secret) > 29)
);

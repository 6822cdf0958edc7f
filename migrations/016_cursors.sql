-- Progress markers of incremental jobs (application/ports/cursor_repository.h): the collector's
-- orphan scan of each storage class through a backend listing, and `castor migrate-storage`. One
-- row per job; the value is opaque to the database (a content hash in hex, today).
CREATE TABLE cursors (
  name text PRIMARY KEY CHECK (octet_length(name) BETWEEN 1 AND 128),
  value text CHECK (octet_length(value) <= 1024),
  updated_at timestamptz NOT NULL DEFAULT now()
);

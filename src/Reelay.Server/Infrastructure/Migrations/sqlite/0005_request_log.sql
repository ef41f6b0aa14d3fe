-- The request log: one row per API request, written behind the request by a background writer.
-- `at` is when the request started (Unix ms); history pages walk (at, id) newest first with keyset
-- pagination, so every index below ends in `at` (and, implicitly, the rowid `id`).
CREATE TABLE request_log (
  id                  INTEGER PRIMARY KEY,
  at                  INTEGER NOT NULL,
  org_id              TEXT,
  key_id              TEXT,
  key_prefix          TEXT,
  method              TEXT NOT NULL,
  path                TEXT NOT NULL,
  query               TEXT,
  endpoint            TEXT NOT NULL,
  status              INTEGER NOT NULL,
  latency_ms          REAL NOT NULL,
  request_id          TEXT NOT NULL,
  request_type        TEXT,
  request_bytes       INTEGER NOT NULL DEFAULT 0,
  request_body        TEXT,
  response_body       TEXT
);
-- An organization's history, and the same restricted to errors, to one endpoint or to one key.
CREATE INDEX ix_request_log_org_at ON request_log(org_id, at);
CREATE INDEX ix_request_log_org_errors ON request_log(org_id, at) WHERE status >= 400;
CREATE INDEX ix_request_log_org_endpoint ON request_log(org_id, endpoint, at);
CREATE INDEX ix_request_log_org_key ON request_log(org_id, key_id, at);
-- The operator view (every organization) and retention pruning.
CREATE INDEX ix_request_log_at ON request_log(at);
CREATE INDEX ix_request_log_errors ON request_log(at) WHERE status >= 400;

-- Portal sign-ins: the cookie holds a random id, only its SHA-256 is stored. Operator sessions
-- (signed in with Admin:Token) have no organization and remember a hash of the token they used.
CREATE TABLE portal_sessions (
  id_hash              BLOB PRIMARY KEY,
  org_id               TEXT,
  key_id               TEXT,
  operator_token_hash  BLOB,
  csrf_token           TEXT NOT NULL,
  created_at           INTEGER NOT NULL,
  expires_at           INTEGER NOT NULL
);
CREATE INDEX ix_portal_sessions_expires ON portal_sessions(expires_at);

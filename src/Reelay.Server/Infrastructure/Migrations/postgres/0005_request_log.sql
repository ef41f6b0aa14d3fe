-- The PostgreSQL twin of sqlite/0005_request_log.sql: the same tables and columns. PostgreSQL indexes do
-- not end in the row id implicitly as SQLite's do, so `id` is spelled out where keyset pages order by it.
CREATE TABLE request_log (
  id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at                  BIGINT NOT NULL,
  org_id              TEXT,
  key_id              TEXT,
  key_prefix          TEXT,
  method              TEXT NOT NULL,
  path                TEXT NOT NULL,
  query               TEXT,
  endpoint            TEXT NOT NULL,
  status              BIGINT NOT NULL,
  latency_ms          DOUBLE PRECISION NOT NULL,
  request_id          TEXT NOT NULL,
  request_type        TEXT,
  request_bytes       BIGINT NOT NULL DEFAULT 0,
  request_body        TEXT,
  response_body       TEXT
);
CREATE INDEX ix_request_log_org_at ON request_log(org_id, at, id);
CREATE INDEX ix_request_log_org_errors ON request_log(org_id, at, id) WHERE status >= 400;
CREATE INDEX ix_request_log_org_endpoint ON request_log(org_id, endpoint, at, id);
CREATE INDEX ix_request_log_org_key ON request_log(org_id, key_id, at, id);
CREATE INDEX ix_request_log_at ON request_log(at, id);
CREATE INDEX ix_request_log_errors ON request_log(at, id) WHERE status >= 400;

CREATE TABLE portal_sessions (
  id_hash              BYTEA PRIMARY KEY,
  org_id               TEXT,
  key_id               TEXT,
  operator_token_hash  BYTEA,
  csrf_token           TEXT NOT NULL,
  created_at           BIGINT NOT NULL,
  expires_at           BIGINT NOT NULL
);
CREATE INDEX ix_portal_sessions_expires ON portal_sessions(expires_at);

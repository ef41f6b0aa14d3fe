-- The PostgreSQL twin of sqlite/0001_initial.sql: the same tables and columns. Times are Unix milliseconds
-- (UTC) and amounts whole credits, both BIGINT (SQLite's INTEGER is 64-bit too); every other integer is
-- BIGINT as well, so Dapper reads it into the same `long` on both engines. BLOB is BYTEA, REAL is DOUBLE
-- PRECISION, and AUTOINCREMENT keys are identity columns.
CREATE TABLE organizations (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  suspended   BIGINT NOT NULL DEFAULT 0,
  created_at  BIGINT NOT NULL
);

CREATE TABLE api_keys (
  id           TEXT PRIMARY KEY,
  org_id       TEXT NOT NULL REFERENCES organizations(id),
  name         TEXT NOT NULL,
  prefix       TEXT NOT NULL,
  key_hash     BYTEA NOT NULL UNIQUE,
  disabled_at  BIGINT,
  created_at   BIGINT NOT NULL
);
CREATE INDEX ix_api_keys_org ON api_keys(org_id);

CREATE TABLE model_limits (
  org_id          TEXT NOT NULL REFERENCES organizations(id),
  model           TEXT NOT NULL,
  max_concurrent  BIGINT NOT NULL,
  max_daily       BIGINT NOT NULL,
  PRIMARY KEY (org_id, model)
);

-- Append-only: every balance is SUM(amount) over an organization's entries.
CREATE TABLE ledger_entries (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id      TEXT NOT NULL REFERENCES organizations(id),
  kind        TEXT NOT NULL CHECK (kind IN ('grant', 'hold', 'release', 'charge')),
  amount      BIGINT NOT NULL,
  task_id     TEXT,
  model       TEXT,
  reason      TEXT,
  created_at  BIGINT NOT NULL
);
CREATE INDEX ix_ledger_org ON ledger_entries(org_id, created_at);
CREATE INDEX ix_ledger_task ON ledger_entries(task_id);

CREATE TABLE tasks (
  seq               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id                TEXT NOT NULL UNIQUE,
  org_id            TEXT NOT NULL REFERENCES organizations(id),
  key_id            TEXT,
  model             TEXT NOT NULL,
  endpoint          TEXT NOT NULL,
  params            TEXT NOT NULL,
  simulate          TEXT,
  status            TEXT NOT NULL CHECK (status IN ('queued', 'throttled', 'running', 'succeeded', 'failed', 'cancelled')),
  progress          DOUBLE PRECISION,
  failure           TEXT,
  failure_code      TEXT,
  output_blob       TEXT,
  price_credits     BIGINT NOT NULL,
  created_at        BIGINT NOT NULL,
  started_at        BIGINT,
  finished_at       BIGINT,
  deleted_at        BIGINT,
  hold_until        BIGINT,
  lease_owner       TEXT,
  lease_token       TEXT,
  lease_expires_at  BIGINT,
  attempts          BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX ix_tasks_status_seq ON tasks(status, seq);
CREATE INDEX ix_tasks_org_model_status ON tasks(org_id, model, status);
CREATE INDEX ix_tasks_org_created ON tasks(org_id, created_at);

CREATE TABLE settings (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);

-- Times are Unix milliseconds (UTC) so range checks and ordering are plain integer comparisons.
CREATE TABLE organizations (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  suspended   INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL
);

CREATE TABLE api_keys (
  id           TEXT PRIMARY KEY,
  org_id       TEXT NOT NULL REFERENCES organizations(id),
  name         TEXT NOT NULL,
  prefix       TEXT NOT NULL,
  key_hash     BLOB NOT NULL UNIQUE,
  disabled_at  INTEGER,
  created_at   INTEGER NOT NULL
);
CREATE INDEX ix_api_keys_org ON api_keys(org_id);

CREATE TABLE model_limits (
  org_id          TEXT NOT NULL REFERENCES organizations(id),
  model           TEXT NOT NULL,
  max_concurrent  INTEGER NOT NULL,
  max_daily       INTEGER NOT NULL,
  PRIMARY KEY (org_id, model)
);

-- Append-only: every balance is SUM(amount) over an organization's entries.
CREATE TABLE ledger_entries (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id      TEXT NOT NULL REFERENCES organizations(id),
  kind        TEXT NOT NULL CHECK (kind IN ('grant', 'hold', 'release', 'charge')),
  amount      INTEGER NOT NULL,
  task_id     TEXT,
  model       TEXT,
  reason      TEXT,
  created_at  INTEGER NOT NULL
);
CREATE INDEX ix_ledger_org ON ledger_entries(org_id, created_at);
CREATE INDEX ix_ledger_task ON ledger_entries(task_id);

CREATE TABLE tasks (
  seq               INTEGER PRIMARY KEY AUTOINCREMENT,
  id                TEXT NOT NULL UNIQUE,
  org_id            TEXT NOT NULL REFERENCES organizations(id),
  key_id            TEXT,
  model             TEXT NOT NULL,
  endpoint          TEXT NOT NULL,
  params            TEXT NOT NULL,
  simulate          TEXT,
  status            TEXT NOT NULL CHECK (status IN ('queued', 'throttled', 'running', 'succeeded', 'failed', 'cancelled')),
  progress          REAL,
  failure           TEXT,
  failure_code      TEXT,
  output_blob       TEXT,
  price_credits     INTEGER NOT NULL,
  created_at        INTEGER NOT NULL,
  started_at        INTEGER,
  finished_at       INTEGER,
  deleted_at        INTEGER,
  hold_until        INTEGER,
  lease_owner       TEXT,
  lease_token       TEXT,
  lease_expires_at  INTEGER,
  attempts          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_tasks_status_seq ON tasks(status, seq);
CREATE INDEX ix_tasks_org_model_status ON tasks(org_id, model, status);
CREATE INDEX ix_tasks_org_created ON tasks(org_id, created_at);

CREATE TABLE settings (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);

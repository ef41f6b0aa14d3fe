-- The PostgreSQL twin of sqlite/0003_surfaces_idempotency_webhooks.sql.
-- Which surface created a task (its webhook payload and status names follow it), and where to call back.
ALTER TABLE tasks ADD COLUMN surface TEXT NOT NULL DEFAULT 'runway';
ALTER TABLE tasks ADD COLUMN callback_url TEXT;
ALTER TABLE tasks ADD COLUMN prompt TEXT;

-- Idempotency-Key claims, per organization, kept 24 h. Only successful creates are stored.
CREATE TABLE idempotency_keys (
  org_id           TEXT NOT NULL,
  key              TEXT NOT NULL,
  request_hash     BYTEA NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('in_flight', 'done')),
  response_status  BIGINT,
  response_body    TEXT,
  task_id          TEXT,
  created_at       BIGINT NOT NULL,
  PRIMARY KEY (org_id, key)
);
CREATE INDEX ix_idempotency_created ON idempotency_keys(created_at);

-- Webhook signing secrets per organization; during a rotation the previous one keeps signing until retired_at.
CREATE TABLE webhook_secrets (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id      TEXT NOT NULL REFERENCES organizations(id),
  secret      TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  retired_at  BIGINT
);
CREATE INDEX ix_webhook_secrets_org ON webhook_secrets(org_id);

-- The durable outbox: one row per delivery, written in the transaction that ends the task.
CREATE TABLE webhook_deliveries (
  id               TEXT PRIMARY KEY,
  org_id           TEXT NOT NULL,
  task_id          TEXT NOT NULL,
  url              TEXT NOT NULL,
  payload          TEXT NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts         BIGINT NOT NULL DEFAULT 0,
  next_attempt_at  BIGINT NOT NULL,
  lease_until      BIGINT,
  created_at       BIGINT NOT NULL,
  finished_at      BIGINT
);
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries(state, next_attempt_at);
CREATE UNIQUE INDEX ux_webhook_deliveries_task ON webhook_deliveries(task_id);

-- One row per delivery attempt, for the delivery log.
CREATE TABLE webhook_attempts (
  id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id    TEXT NOT NULL REFERENCES webhook_deliveries(id),
  attempt        BIGINT NOT NULL,
  started_at     BIGINT NOT NULL,
  status_code    BIGINT,
  latency_ms     BIGINT NOT NULL,
  error          TEXT,
  response_snippet TEXT
);
CREATE INDEX ix_webhook_attempts_delivery ON webhook_attempts(delivery_id);

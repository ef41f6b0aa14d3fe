-- Webhooks for every task: endpoints an organization registers, with event types and optional filters. After
-- failure_streak consecutive failed attempts reach Webhooks:DisableAfterFailures the endpoint is disabled, and why.
CREATE TABLE webhook_endpoints (
  id               TEXT PRIMARY KEY,
  org_id           TEXT NOT NULL,
  url              TEXT NOT NULL,
  events           TEXT NOT NULL,
  models           TEXT,
  endpoints        TEXT,
  description      TEXT,
  enabled          INTEGER NOT NULL DEFAULT 1,
  disabled_reason  TEXT,
  disabled_at      INTEGER,
  failure_streak   INTEGER NOT NULL DEFAULT 0,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);
CREATE INDEX ix_webhook_endpoints_org ON webhook_endpoints(org_id);

-- Deliveries to endpoints share the outbox with callback_url deliveries (endpoint_id NULL). event_key makes an
-- event's delivery to one endpoint happen once (progress events have none: each is its own).
ALTER TABLE webhook_deliveries ADD COLUMN endpoint_id TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN event_type TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN event_key TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN trace_parent TEXT;
DROP INDEX ux_webhook_deliveries_task;
CREATE UNIQUE INDEX ux_webhook_deliveries_callback ON webhook_deliveries(task_id) WHERE endpoint_id IS NULL;
CREATE UNIQUE INDEX ux_webhook_deliveries_event ON webhook_deliveries(event_key) WHERE event_key IS NOT NULL;
CREATE INDEX ix_webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, created_at);

-- The create request's W3C traceparent: the run, upload and webhooks continue its trace.
ALTER TABLE tasks ADD COLUMN trace_parent TEXT;
-- The dashboard's recent-work window reads tasks by when they ended.
CREATE INDEX ix_tasks_finished ON tasks(finished_at);

-- Remote workers as last seen by any node (a lease request), so operators can tell which models have workers.
CREATE TABLE workers (
  id            TEXT PRIMARY KEY,
  models        TEXT NOT NULL,
  address       TEXT,
  last_seen_at  BIGINT NOT NULL
);
CREATE INDEX ix_workers_seen ON workers(last_seen_at);

-- The PostgreSQL twin of sqlite/0002_uploads.sql.
CREATE TABLE uploads (
  id            TEXT PRIMARY KEY,
  org_id        TEXT NOT NULL REFERENCES organizations(id),
  filename      TEXT NOT NULL,
  token_hash    BYTEA NOT NULL,
  created_at    BIGINT NOT NULL,
  expires_at    BIGINT NOT NULL,
  completed_at  BIGINT,
  size          BIGINT,
  media_type    TEXT,
  blob_key      TEXT
);
CREATE INDEX ix_uploads_org ON uploads(org_id);
CREATE INDEX ix_uploads_expires ON uploads(expires_at);

CREATE TABLE uploads (
  id            TEXT PRIMARY KEY,
  org_id        TEXT NOT NULL REFERENCES organizations(id),
  filename      TEXT NOT NULL,
  token_hash    BLOB NOT NULL,
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL,
  completed_at  INTEGER,
  size          INTEGER,
  media_type    TEXT,
  blob_key      TEXT
);
CREATE INDEX ix_uploads_org ON uploads(org_id);
CREATE INDEX ix_uploads_expires ON uploads(expires_at);

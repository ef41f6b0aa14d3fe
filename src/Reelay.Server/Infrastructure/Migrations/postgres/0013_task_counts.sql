-- Creates per organization, model and hour (hour = created_at / 3600000), counted in the create's own transaction
-- (TaskCreation), so the daily cap reads at most 25 counter rows plus the tasks of the one hour that straddles the
-- window's start, instead of every task the organization created in the last 24 hours. The tasks table stays the
-- source of truth: each row equals COUNT(*) of its organization, model and hour (checked by TaskCounterTests).
CREATE TABLE task_counts (
  org_id   TEXT NOT NULL REFERENCES organizations(id),
  model    TEXT NOT NULL,
  hour     BIGINT NOT NULL,
  created  BIGINT NOT NULL,
  PRIMARY KEY (org_id, model, hour)
);
INSERT INTO task_counts (org_id, model, hour, created)
SELECT org_id, model, created_at / 3600000, COUNT(*) FROM tasks GROUP BY org_id, model, created_at / 3600000;

-- Reads of one organization that must not walk its whole history (README, Performance: 1,000,000 earlier tasks).
--
-- The organization read's usage sums the organization's counters of every model in the last 24 hours
-- (TaskCounts.TodayByModelSql). The primary key (org_id, model, hour) serves that only model by model, so without
-- this index the read walked every counter row the organization ever had. A create adds an entry only for a new
-- organization, model and hour: incrementing a counter does not touch it.
CREATE INDEX ix_task_counts_org_hour ON task_counts(org_id, hour);

-- The task lists (GET /v1/tasks, the RunBlob lists) page an organization's tasks newest first by seq. Without an
-- index in that order they read all of its tasks and sorted them (1.2 s a page at 1,000,000). seq never changes, so
-- only the create writes this index.
CREATE INDEX ix_tasks_org_seq ON tasks(org_id, seq);

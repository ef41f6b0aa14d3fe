-- The organization read's usage sums an organization's counters of every model in the last 24 hours
-- (TaskCounts.TodayByModelSql). The primary key (org_id, model, hour) serves it only model by model, so without this
-- index the read walked every counter row the organization ever had. Creates add an entry only for a new
-- organization, model and hour: incrementing a counter does not touch it.
CREATE INDEX ix_task_counts_org_hour ON task_counts(org_id, hour);

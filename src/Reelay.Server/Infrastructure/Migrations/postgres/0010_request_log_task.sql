-- The PostgreSQL twin of sqlite/0010_request_log_task.sql.
ALTER TABLE request_log ADD COLUMN task_id TEXT;
CREATE INDEX ix_request_log_org_task ON request_log(org_id, task_id) WHERE task_id IS NOT NULL;
CREATE INDEX ix_request_log_request_id ON request_log(request_id);

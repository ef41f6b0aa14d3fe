-- The task a logged request is about (the id in GET/DELETE /v1/tasks/{id}, or the id a create answered with), so the
-- portal's history can be searched by task id and a create links to its task; and a lookup by request id.
ALTER TABLE request_log ADD COLUMN task_id TEXT;
CREATE INDEX ix_request_log_org_task ON request_log(org_id, task_id) WHERE task_id IS NOT NULL;
CREATE INDEX ix_request_log_request_id ON request_log(request_id);

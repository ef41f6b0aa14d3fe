-- A task relayed to an upstream provider: the upstream's task id (persisted before anything else happens, so a
-- restarted node follows the same upstream task), which engine served it ("relay:NAME") and the credits the
-- upstream reported for it.
ALTER TABLE tasks ADD COLUMN upstream_task_id TEXT;
ALTER TABLE tasks ADD COLUMN upstream_engine TEXT;
ALTER TABLE tasks ADD COLUMN upstream_cost INTEGER;

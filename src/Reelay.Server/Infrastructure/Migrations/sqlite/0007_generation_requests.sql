-- What a task is charged when it succeeds, when that is less than its hold (a duration of "auto" is held at the maximum).
ALTER TABLE tasks ADD COLUMN charge_credits INTEGER;

-- Which surface's words a webhook body is in (its task's surface renders it).
ALTER TABLE webhook_deliveries ADD COLUMN surface TEXT;

-- Every output of a task (a JSON list of blob keys) when it has more than one; output_blob keeps the first.
ALTER TABLE tasks ADD COLUMN outputs TEXT;

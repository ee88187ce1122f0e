-- 0008_cost: the estimated cost of a task's model calls (by the prices configured for its model) and the sum of a
-- job's, beside their tokens. NULL while nothing priced was used (no prices configured).

ALTER TABLE tasks ADD COLUMN cost numeric(20, 8) NULL;
ALTER TABLE jobs ADD COLUMN cost numeric(20, 8) NULL;

-- 0009_job_budget: what a job's model calls may use in all (tokens, estimated cost); NULL: no cap of that kind.

ALTER TABLE jobs
    ADD COLUMN budget_tokens bigint         NULL CHECK (budget_tokens > 0),
    ADD COLUMN budget_cost   numeric(20, 8) NULL CHECK (budget_cost > 0);

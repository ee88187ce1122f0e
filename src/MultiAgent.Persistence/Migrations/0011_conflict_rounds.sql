-- 0011_conflict_rounds: how many times a job went back to the Coder because its pull request no longer merged into
-- the base branch (bounded by MultiAgent:Workflow:MaxConflictRounds).

ALTER TABLE jobs ADD COLUMN conflict_rounds integer NOT NULL DEFAULT 0 CHECK (conflict_rounds >= 0);

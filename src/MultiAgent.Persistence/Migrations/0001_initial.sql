-- 0001_initial: jobs, the tasks the agents work on, and the append-only job event log.
-- Enum columns hold the contracts' wire names (UPPER_SNAKE_CASE), written by the stores.

CREATE TABLE jobs (
    id                  text        PRIMARY KEY,
    repository          text        NOT NULL,
    title               text        NOT NULL,
    description         text        NOT NULL DEFAULT '',
    requirements        jsonb       NOT NULL DEFAULT '[]'::jsonb,
    base_branch         text        NULL,
    status              text        NOT NULL,
    priority            text        NOT NULL,
    iteration           integer     NOT NULL DEFAULT 0 CHECK (iteration >= 0),
    max_iterations      integer     NOT NULL CHECK (max_iterations >= 1),
    require_approval    boolean     NOT NULL DEFAULT false,
    pull_request_number integer     NULL,
    pull_request_url    text        NULL,
    branch              text        NULL,
    head_sha            text        NULL,
    merge_commit_sha    text        NULL,
    error               text        NULL,
    input_tokens        bigint      NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
    output_tokens       bigint      NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    completed_at        timestamptz NULL
);

CREATE INDEX ix_jobs_status ON jobs (status);
CREATE INDEX ix_jobs_repository ON jobs (repository);
CREATE INDEX ix_jobs_created_at ON jobs (created_at DESC);

-- No foreign key to jobs: a task may be recorded before the component that owns its job has created the job,
-- and a poison message may name a job that does not exist at all.
CREATE TABLE tasks (
    id            text        PRIMARY KEY,
    job_id        text        NOT NULL,
    agent_type    text        NOT NULL,
    message_type  text        NOT NULL,
    status        text        NOT NULL,
    attempts      integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    payload       jsonb       NULL,
    outcome       jsonb       NULL,
    error         text        NULL,
    input_tokens  bigint      NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
    output_tokens bigint      NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
    created_at    timestamptz NOT NULL,
    started_at    timestamptz NULL,
    completed_at  timestamptz NULL,
    duration_ms   bigint      NULL,
    updated_at    timestamptz NOT NULL
);

CREATE INDEX ix_tasks_job_id ON tasks (job_id);

CREATE TABLE job_events (
    id         bigserial   PRIMARY KEY,
    job_id     text        NOT NULL,
    type       text        NOT NULL,
    message    text        NOT NULL,
    data       jsonb       NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX ix_job_events_job_id_id ON job_events (job_id, id);

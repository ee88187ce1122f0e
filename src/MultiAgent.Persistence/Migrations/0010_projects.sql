-- 0010_projects: projects (a plan of features made from requirements) and their features, each run as a job.
-- A project's own events and planning task use the project id where a job's use the job id (job_events, tasks).

CREATE TABLE projects (
    id                    text           PRIMARY KEY,
    repository            text           NOT NULL,
    title                 text           NOT NULL,
    requirements          text           NOT NULL,
    base_branch           text           NULL,
    status                text           NOT NULL,
    require_plan_approval boolean        NOT NULL,
    max_iterations        integer        NOT NULL CHECK (max_iterations >= 1),
    require_approval      boolean        NOT NULL DEFAULT false,
    budget_tokens         bigint         NULL CHECK (budget_tokens > 0),
    budget_cost           numeric(20, 8) NULL CHECK (budget_cost > 0),
    requested_by          text           NULL,
    error                 text           NULL,
    created_at            timestamptz    NOT NULL,
    updated_at            timestamptz    NOT NULL,
    completed_at          timestamptz    NULL
);

CREATE INDEX ix_projects_created_at ON projects (created_at DESC);

-- One row per planned feature (plan order in position), and one per job attached with submit-feature --project.
-- job_id is set when the feature's job is started; a job belongs to at most one project.
CREATE TABLE project_features (
    project_id          text    NOT NULL REFERENCES projects (id),
    key                 text    NOT NULL,
    position            integer NOT NULL,
    title               text    NOT NULL,
    description         text    NOT NULL DEFAULT '',
    acceptance_criteria jsonb   NOT NULL DEFAULT '[]'::jsonb,
    depends_on          jsonb   NOT NULL DEFAULT '[]'::jsonb,
    job_id              text    NULL UNIQUE,
    status              text    NOT NULL,
    reason              text    NULL,
    PRIMARY KEY (project_id, key),
    UNIQUE (project_id, position)
);

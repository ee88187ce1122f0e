-- 0003_task_transcripts: the trajectory of each task's LLM work, written by MultiAgent.Llm's TranscriptStore.
-- One row per model call (request, options, response or error, usage, duration) or tool result, numbered per task
-- from 1 (a later attempt of the task continues the numbering). Content is redacted of secrets before it is stored.
-- No foreign key to tasks: the transcript of an attempt is worth keeping whatever happens to the task row.

CREATE TABLE task_transcripts (
    id         bigserial   PRIMARY KEY,
    task_id    text        NOT NULL,
    job_id     text        NOT NULL,
    seq        integer     NOT NULL CHECK (seq >= 1),
    kind       text        NOT NULL,
    content    jsonb       NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE UNIQUE INDEX ux_task_transcripts_task_seq ON task_transcripts (task_id, seq);
CREATE INDEX ix_task_transcripts_job_id ON task_transcripts (job_id);

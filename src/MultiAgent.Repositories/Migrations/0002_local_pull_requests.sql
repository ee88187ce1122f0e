-- 0002_local_pull_requests: pull requests of repositories on the local disk (the local-git host keeps them here,
-- since a plain git repository has none). Written by MultiAgent.Repositories' LocalPullRequestStore.

CREATE TABLE local_pull_requests (
    id                bigserial   PRIMARY KEY,
    repository        text        NOT NULL,  -- the repository reference's key: the absolute path
    number            integer     NOT NULL CHECK (number >= 1),
    state             text        NOT NULL CHECK (state IN ('OPEN', 'CLOSED', 'MERGED')),
    head_branch       text        NOT NULL,
    base_branch       text        NOT NULL,
    title             text        NOT NULL,
    body              text        NOT NULL DEFAULT '',
    head_sha          text        NULL,      -- last head seen; the branch itself is the truth
    pending_merge_sha text        NULL,      -- a merge commit being pushed (recovers a merge interrupted after the push)
    merge_commit_sha  text        NULL,
    merge_method      text        NULL CHECK (merge_method IN ('MERGE', 'SQUASH')),
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    closed_at         timestamptz NULL,
    CONSTRAINT ux_local_pull_requests_number UNIQUE (repository, number)
);

-- One open pull request per head branch: what makes create-or-update idempotent.
CREATE UNIQUE INDEX ux_local_pull_requests_open_head ON local_pull_requests (repository, head_branch) WHERE state = 'OPEN';

CREATE TABLE local_pull_request_reviews (
    id              bigserial   PRIMARY KEY,
    pull_request_id bigint      NOT NULL REFERENCES local_pull_requests (id) ON DELETE CASCADE,
    decision        text        NOT NULL,  -- the contracts' wire name: APPROVE, REQUEST_CHANGES
    summary         text        NOT NULL,
    comments        jsonb       NOT NULL DEFAULT '[]'::jsonb,
    commit_sha      text        NOT NULL,
    created_at      timestamptz NOT NULL
);

CREATE INDEX ix_local_pull_request_reviews_pr ON local_pull_request_reviews (pull_request_id, id);

CREATE TABLE local_pull_request_comments (
    id              bigserial   PRIMARY KEY,
    pull_request_id bigint      NOT NULL REFERENCES local_pull_requests (id) ON DELETE CASCADE,
    body            text        NOT NULL,
    created_at      timestamptz NOT NULL
);

CREATE INDEX ix_local_pull_request_comments_pr ON local_pull_request_comments (pull_request_id, id);

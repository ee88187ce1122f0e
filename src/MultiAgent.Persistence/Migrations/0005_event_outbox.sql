-- 0005_event_outbox: the job event log is also the outbox of the event stream. Every stored entry is published to
-- JetStream from its row (the entry's id is the message id, so the stream stores it once), and published_at says it
-- went out. The writer publishes at once after its commit; the relay in the Repo Manager publishes whatever is left
-- (NATS was down, the writer died), so nothing stored is missing from the stream and nothing unstored is on it.
-- task_id and agent_type make an entry the whole event the stream carries.

ALTER TABLE job_events
    ADD COLUMN task_id      text        NULL,
    ADD COLUMN agent_type   text        NULL,
    ADD COLUMN published_at timestamptz NULL;

-- Entries from before were published (best effort) when they were written: the relay does not send them again.
UPDATE job_events SET published_at = created_at;

CREATE INDEX ix_job_events_unpublished ON job_events (id) WHERE published_at IS NULL;

-- 0007_notification_digest: the rate limit's digest survives a restart. An event past a channel's rate is recorded
-- 'held' with its title and level; the digest sent at the end of the window names the held ones and marks them
-- 'digested'. Before this, the digest was kept in memory and lost with the process.

ALTER TABLE notification_deliveries
    ADD COLUMN title text NULL,
    ADD COLUMN level text NULL;

CREATE INDEX ix_notification_deliveries_held ON notification_deliveries (channel, recorded_at) WHERE outcome = 'held';

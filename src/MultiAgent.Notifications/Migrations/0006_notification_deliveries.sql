-- 0006_notification_deliveries: what each notification channel did with each event it was to send, so that an event
-- is handled once per channel across restarts (the event stream may deliver it again after a crash).
-- outcome: sent, digested (folded into a digest by the rate limit), refused (the channel rejected it for good),
-- expired (older than MaxAge when the channel could take it).

CREATE TABLE notification_deliveries (
    channel     text        NOT NULL,
    event_key   text        NOT NULL,
    event_type  text        NOT NULL,
    outcome     text        NOT NULL,
    detail      text        NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (channel, event_key)
);

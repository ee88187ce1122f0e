-- 0004_task_leases: which delivery is running a task, and until when its claim holds.
-- JetStream can hand a task out again while a delivery of it is still running (an in-progress acknowledgement that
-- came late, or nats-server returning a message held by an instance that left). The lease makes that second delivery
-- step aside: only the holder runs the task, and it renews the lease with its in-progress acknowledgements. A lease
-- whose holder died expires by itself; the next delivery then takes the task over. Cleared when the task ends.

ALTER TABLE tasks
    ADD COLUMN lease_holder     text        NULL,
    ADD COLUMN lease_expires_at timestamptz NULL;

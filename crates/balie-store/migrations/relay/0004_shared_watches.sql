-- Issue 12: a payment's watch was first come, first served. Any clerk who named a payment id
-- first took its hints, and its own clerk's watch was refused. Now every clerk who asks is
-- told; a hint only says that a payment they named changed.
CREATE TABLE payment_watch_new (
    provider TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    clerk_id INTEGER NOT NULL REFERENCES clerk(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (provider, provider_id, clerk_id)
) STRICT;

INSERT INTO payment_watch_new (provider, provider_id, clerk_id, created_at)
SELECT provider, provider_id, clerk_id, created_at FROM payment_watch;

DROP TABLE payment_watch;
ALTER TABLE payment_watch_new RENAME TO payment_watch;

CREATE INDEX payment_watch_created_at ON payment_watch(created_at);
CREATE INDEX payment_watch_by_clerk ON payment_watch(clerk_id);

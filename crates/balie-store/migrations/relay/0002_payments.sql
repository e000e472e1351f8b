-- The sandbox provider's payments: a Mollie-shaped test API served by the relay. Nothing
-- here is real money; the checkout page says so. `checkout_token` is the random part of
-- the checkout page's address (it only lets someone decide a test payment's outcome).
CREATE TABLE sandbox_payment (
    id TEXT PRIMARY KEY,
    clerk_id INTEGER NOT NULL REFERENCES clerk(id),
    idempotency_key TEXT NOT NULL,
    checkout_token TEXT NOT NULL UNIQUE,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    description TEXT NOT NULL,
    redirect_url TEXT,
    locale TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'paid', 'failed', 'canceled', 'expired')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    decided_at INTEGER,
    UNIQUE (clerk_id, idempotency_key)
) STRICT;

-- Which clerk asked to hear about a provider's payment: a webhook for it becomes a hint on
-- that clerk's hint socket. Ids only, no amounts or descriptions.
CREATE TABLE payment_watch (
    provider TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    clerk_id INTEGER NOT NULL REFERENCES clerk(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (provider, provider_id)
) STRICT;

CREATE INDEX payment_watch_created_at ON payment_watch(created_at);

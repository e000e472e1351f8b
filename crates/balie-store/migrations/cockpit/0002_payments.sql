-- Payments asked in calls. A row is written before its QR code or link is shown, so a
-- cockpit that stops mid-payment finds it again (and its idempotency key) at start.
CREATE TABLE payment (
    id TEXT PRIMARY KEY,                 -- ours
    idempotency_key TEXT NOT NULL UNIQUE,
    provider TEXT NOT NULL,              -- mollie | bancontact | stripe | transfer | sandbox
    provider_id TEXT,                    -- once the provider made it
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    description TEXT NOT NULL,
    reference TEXT,                      -- the OGM's twelve digits
    room_id TEXT,                        -- the conversation it was asked in
    case_id TEXT,                        -- the case file, once there are case files
    status TEXT NOT NULL CHECK (status IN ('created', 'open', 'paid', 'failed', 'canceled', 'expired')),
    checkout_url TEXT,
    expires_at TEXT,                     -- RFC 3339, as the provider wrote it
    created_at_ms INTEGER NOT NULL
) STRICT;

CREATE INDEX payment_by_status ON payment (status);
CREATE UNIQUE INDEX payment_by_provider_id ON payment (provider, provider_id) WHERE provider_id IS NOT NULL;

-- Every status step, in order (the domain's PaymentState replays it).
CREATE TABLE payment_status (
    payment_id TEXT NOT NULL REFERENCES payment (id),
    seq INTEGER NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    source TEXT NOT NULL,                -- balie | provider | clerk
    PRIMARY KEY (payment_id, seq)
) STRICT;

-- What was done to payments, by whom: never citizen data, only ids, amounts and statuses.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
    actor TEXT NOT NULL,                 -- clerk | provider | balie
    action TEXT NOT NULL,
    payment_id TEXT REFERENCES payment (id),
    detail TEXT NOT NULL                 -- JSON
) STRICT;

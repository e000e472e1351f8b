-- Issue 12, "paid means paid". Two things a payment row could not say:
-- * `mismatch`: the provider's answer named another amount, currency or payment than was
--   asked; such an answer never counts as paid (the audit log holds both sides);
-- * `mode`: test or real money, as the provider said when the payment was made (Mollie's
--   `mode`, Stripe's `livemode`, the Bancontact environment). It used to be worked out
--   when shown, from whichever key was connected by then.
-- SQLite cannot change a CHECK, so the table is made again (its own recipe: new table,
-- copy, drop, rename; the migration runs with foreign keys off and checks them after).
CREATE TABLE payment_new (
    id TEXT PRIMARY KEY,                 -- ours
    idempotency_key TEXT NOT NULL UNIQUE,
    provider TEXT NOT NULL,              -- mollie | bancontact | stripe | transfer | sandbox
    provider_id TEXT,                    -- once the provider made it
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    description TEXT NOT NULL,
    reference TEXT,                      -- the OGM's twelve digits
    room_id TEXT,                        -- the conversation it was asked in
    case_id TEXT,                        -- the case file it belongs to
    status TEXT NOT NULL CHECK (status IN ('created', 'open', 'paid', 'failed', 'canceled', 'expired', 'mismatch')),
    checkout_url TEXT,
    expires_at TEXT,                     -- RFC 3339, as the provider wrote it
    created_at_ms INTEGER NOT NULL,
    payer_locale TEXT,
    -- Test or real money, from the provider's answer; NULL until it answered. The sandbox
    -- is always test money, a bank transfer always real.
    mode TEXT CHECK (mode IN ('test', 'live')),
    CHECK (provider != 'sandbox' OR mode IS NULL OR mode = 'test')
) STRICT;

INSERT INTO payment_new (id, idempotency_key, provider, provider_id, amount_cents, description,
                         reference, room_id, case_id, status, checkout_url, expires_at,
                         created_at_ms, payer_locale, mode)
SELECT id, idempotency_key, provider, provider_id, amount_cents, description, reference, room_id,
       case_id, status, checkout_url, expires_at, created_at_ms, payer_locale,
       CASE provider WHEN 'sandbox' THEN 'test' WHEN 'transfer' THEN 'live' END
FROM payment;

DROP TABLE payment;
ALTER TABLE payment_new RENAME TO payment;

CREATE INDEX payment_by_status ON payment (status);
CREATE UNIQUE INDEX payment_by_provider_id ON payment (provider, provider_id) WHERE provider_id IS NOT NULL;
CREATE INDEX payment_by_case ON payment (case_id) WHERE case_id IS NOT NULL;

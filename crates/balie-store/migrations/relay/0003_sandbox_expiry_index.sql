-- Every look at a sandbox payment (the checkout page, which anyone with its address can
-- open) first expires the open ones past their time. Without an index that UPDATE read the
-- whole table each time; with this one it reads only the open payments that are due.
CREATE INDEX sandbox_payment_open_expiry ON sandbox_payment(expires_at) WHERE status = 'open';

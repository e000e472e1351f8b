-- The mail to citizens: what is to be sent about which appointment, when, and how it went.
-- The text is made when it is sent, from the appointment, so nothing of the citizen is
-- kept twice; a row goes with its appointment when that is purged.
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY,
    appointment_id TEXT NOT NULL REFERENCES appointment(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('confirmation', 'reminder', 'canceled')),
    -- When it should go out (a reminder: so long before the start).
    due_at INTEGER NOT NULL,
    -- The appointment's manage token, for the links in the mail: the database otherwise
    -- holds only its digest. Kept only while the mail is unsent, cleared when it is sent
    -- or given up, deleted with the row when the appointment is cancelled or moved.
    manage_token TEXT,
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at INTEGER NOT NULL,
    -- A relay that is sending it holds it until then (several relays share a database).
    claimed_until INTEGER,
    sent_at INTEGER,
    -- Given up on: shown to the clerk.
    failed_at INTEGER,
    -- The last attempt's error, for the clerk.
    last_error TEXT CHECK (last_error IS NULL OR length(last_error) <= 500)
) STRICT;

CREATE INDEX mail_outbox_due ON mail_outbox(next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX mail_outbox_appointment ON mail_outbox(appointment_id);

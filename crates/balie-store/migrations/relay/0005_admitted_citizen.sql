-- The admitted citizen's resume secret, as SHA-256, while their conversation runs: a relay
-- restarted mid-call (an update, a crash) lets the citizen back in with it, without a new
-- knock for the clerk to answer. Cleared when the citizen hangs up or the clerk ends.
ALTER TABLE room ADD COLUMN admitted_resume_sha256 BLOB
    CHECK (admitted_resume_sha256 IS NULL OR length(admitted_resume_sha256) = 32);

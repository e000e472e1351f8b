-- Issue 16: the citizen's survey after a call. A ticket is made when the clerk lets the
-- citizen in, keyed by the SHA-256 of the admission's resume secret (which only that
-- citizen's page holds), so only someone who was in the call can answer, once. Anonymous:
-- no name, no address, no link to the citizen; the clerk's cockpit reads the answers about
-- its own rooms and keeps them; the relay forgets them after `SURVEY_KEPT`.
CREATE TABLE survey (
    id INTEGER PRIMARY KEY,
    token_sha256 BLOB NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    room_id TEXT NOT NULL,
    clerk_id INTEGER NOT NULL REFERENCES clerk(id) ON DELETE CASCADE,
    product_id TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    score INTEGER CHECK (score BETWEEN 1 AND 5),
    comment TEXT CHECK (comment IS NULL OR length(comment) BETWEEN 1 AND 500),
    locale TEXT CHECK (locale IN ('nl', 'fr', 'en')),
    answered_at INTEGER,
    -- The order answers came in, for the cockpit's cursor.
    answered_seq INTEGER UNIQUE,
    CHECK ((score IS NULL) = (answered_at IS NULL))
) STRICT;

CREATE INDEX survey_by_clerk_seq ON survey (clerk_id, answered_seq) WHERE answered_seq IS NOT NULL;
CREATE INDEX survey_by_created ON survey (created_at);

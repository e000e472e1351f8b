-- Issue 16: the municipality's impact figures, from the cockpits' anonymous summaries
-- (balie_impact::summary): per clerk, one row per day (conversations, questions,
-- payments) and one whole part (register entries without notes, imported figures, the
-- catalog's history). A new summary of a day replaces the old one.
CREATE TABLE impact_day (
    clerk_id INTEGER NOT NULL REFERENCES clerk(id) ON DELETE CASCADE,
    day TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    facts TEXT NOT NULL,
    uploaded_at INTEGER NOT NULL,
    PRIMARY KEY (clerk_id, day)
) STRICT;

CREATE INDEX impact_day_by_day ON impact_day (day);

CREATE TABLE impact_whole (
    clerk_id INTEGER PRIMARY KEY REFERENCES clerk(id) ON DELETE CASCADE,
    facts TEXT NOT NULL,
    uploaded_at INTEGER NOT NULL
) STRICT;

-- The people who read the municipality's figures on the relay's admin page
-- (`balie-relay admin add NAME`); their token is stored as SHA-256 only.
CREATE TABLE admin (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    token_sha256 BLOB NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;

-- Issue 15: who is on the other side.
-- A citizen party may hold the national register number (11 digits, checked by Balie)
-- and the birth date, completed from a confirmed identity when the clerk says so.
ALTER TABLE party ADD COLUMN national_number TEXT CHECK (national_number IS NULL OR (length(national_number) = 11 AND national_number NOT GLOB '*[^0-9]*'));
ALTER TABLE party ADD COLUMN birth_date TEXT CHECK (birth_date IS NULL OR birth_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]');

-- That an identity was checked in a case's conversation: when, by which clerk, by what
-- means and at what level, and whether it matched the case's party. No name, no number:
-- the case's party holds what the case needs.
CREATE TABLE case_identity (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES case_file(id) ON DELETE CASCADE,
    room_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    checked_by TEXT NOT NULL,
    provider TEXT NOT NULL,
    means TEXT NOT NULL CHECK (length(means) BETWEEN 1 AND 100),
    level TEXT NOT NULL CHECK (level IN ('low', 'substantial', 'high')),
    party_match TEXT NOT NULL CHECK (party_match IN ('match', 'no_match', 'party_has_none', 'not_given'))
) STRICT;
CREATE INDEX case_identity_case ON case_identity (case_id, at_ms);

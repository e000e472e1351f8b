-- Clerks who may create rooms. The token itself is never stored: only its SHA-256.
CREATE TABLE clerk (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    token_sha256 BLOB NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;

-- Rooms and their join links. The join token is stored only as its SHA-256 so a copy of
-- this file lets nobody join a conversation.
CREATE TABLE room (
    id TEXT PRIMARY KEY,
    token_sha256 BLOB NOT NULL UNIQUE,
    clerk_id INTEGER NOT NULL REFERENCES clerk(id),
    locale TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE INDEX room_expires_at ON room(expires_at);

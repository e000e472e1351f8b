-- Issue 17: a clerk's cockpits enrol with a one-time code IT gives them
-- (`balie-relay clerk invite NAME`); each enrolled device has its own token, listed and
-- revoked on its own (`clerk devices`, `clerk revoke NAME --device ID`). The clerk's own
-- token (`clerk add`) stays for scripts. Codes and tokens are stored as SHA-256 only.
CREATE TABLE clerk_invite (
    id INTEGER PRIMARY KEY,
    clerk_id INTEGER NOT NULL REFERENCES clerk(id) ON DELETE CASCADE,
    code_sha256 BLOB NOT NULL UNIQUE CHECK (length(code_sha256) = 32),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
) STRICT;

CREATE TABLE clerk_device (
    id INTEGER PRIMARY KEY,
    clerk_id INTEGER NOT NULL REFERENCES clerk(id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    token_sha256 BLOB NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    enrolled_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;

CREATE INDEX clerk_device_by_clerk ON clerk_device (clerk_id);

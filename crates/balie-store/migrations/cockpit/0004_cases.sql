-- Case files (dossiers): who asked (a party), what for (a product), where it stands, and
-- what happened (notes, calls, payments, documents). Searched with FTS5.

-- Whether a product can be handled through the digital counter.
ALTER TABLE product ADD COLUMN digital INTEGER NOT NULL DEFAULT 1 CHECK (digital IN (0, 1));

CREATE TABLE party (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('citizen', 'company', 'association')),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    enterprise_number TEXT UNIQUE,            -- ten digits, checked by Balie (KBO/BCE)
    email TEXT,
    phone TEXT,
    address TEXT,
    external_id TEXT UNIQUE,                  -- the id in the municipality's own system
    created_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE case_file (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE CHECK (length(number) BETWEEN 1 AND 40),
    party_id INTEGER NOT NULL REFERENCES party (id),
    product_id TEXT REFERENCES product (id),
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    status TEXT NOT NULL CHECK (status IN ('new', 'in_progress', 'waiting', 'approved', 'refused', 'closed')),
    assigned_clerk TEXT,
    handled_in_one_go INTEGER NOT NULL DEFAULT 0 CHECK (handled_in_one_go IN (0, 1)),
    room_id TEXT,                             -- the conversation it is linked to now
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
) STRICT;

CREATE INDEX case_by_updated ON case_file (updated_at_ms DESC, id DESC);
CREATE INDEX case_by_party ON case_file (party_id);
CREATE INDEX case_by_room ON case_file (room_id) WHERE room_id IS NOT NULL;

CREATE TABLE case_note (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES case_file (id),
    at_ms INTEGER NOT NULL,
    author TEXT NOT NULL,
    body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 10000)
) STRICT;

CREATE INDEX note_by_case ON case_note (case_id, at_ms);

-- Calls held about a case: metadata only (no recordings exist anywhere).
CREATE TABLE case_call (
    case_id INTEGER NOT NULL REFERENCES case_file (id),
    room_id TEXT NOT NULL,
    started_at_ms INTEGER NOT NULL,
    ended_at_ms INTEGER,
    PRIMARY KEY (case_id, room_id)
) STRICT;

CREATE INDEX call_by_start ON case_call (started_at_ms);

-- Attached files: the bytes live on disk under their SHA-256; this is what they are.
CREATE TABLE case_document (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES case_file (id),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
    added_at_ms INTEGER NOT NULL,
    added_by TEXT NOT NULL
) STRICT;

CREATE INDEX document_by_case ON case_document (case_id);

-- Who viewed or changed a case, and what (never the content itself).
CREATE TABLE case_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES case_file (id),
    at_ms INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL
) STRICT;

CREATE INDEX audit_by_case ON case_audit (case_id, at_ms);

CREATE INDEX payment_by_case ON payment (case_id) WHERE case_id IS NOT NULL;

-- Full-text search. `case_fts` holds each case with its party (number, title, and the
-- party's name, enterprise number and e-mail), so "dirk parkeerkaart" finds Dirk's parking
-- card (prefix indexes for two and three letters keep "pe…" fast); `note_fts` indexes the
-- notes (external content). Triggers keep both in step; diacritics are folded, so "jozef"
-- finds "Jozéf".
CREATE VIRTUAL TABLE case_fts USING fts5 (
    number, title, party, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
CREATE VIRTUAL TABLE note_fts USING fts5 (
    body,
    content = 'case_note', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER case_fts_insert AFTER INSERT ON case_file BEGIN
    INSERT INTO case_fts (rowid, number, title, party)
    SELECT new.id, new.number, new.title,
           p.name || ' ' || coalesce(p.enterprise_number, '') || ' ' || coalesce(p.email, '')
    FROM party p WHERE p.id = new.party_id;
END;
CREATE TRIGGER case_fts_delete AFTER DELETE ON case_file BEGIN
    DELETE FROM case_fts WHERE rowid = old.id;
END;
CREATE TRIGGER case_fts_update AFTER UPDATE OF number, title, party_id ON case_file BEGIN
    DELETE FROM case_fts WHERE rowid = old.id;
    INSERT INTO case_fts (rowid, number, title, party)
    SELECT new.id, new.number, new.title,
           p.name || ' ' || coalesce(p.enterprise_number, '') || ' ' || coalesce(p.email, '')
    FROM party p WHERE p.id = new.party_id;
END;
CREATE TRIGGER party_fts_update AFTER UPDATE OF name, enterprise_number, email ON party BEGIN
    UPDATE case_fts
    SET party = new.name || ' ' || coalesce(new.enterprise_number, '') || ' ' || coalesce(new.email, '')
    WHERE rowid IN (SELECT id FROM case_file WHERE party_id = new.id);
END;

CREATE TRIGGER note_fts_insert AFTER INSERT ON case_note BEGIN
    INSERT INTO note_fts (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER note_fts_delete AFTER DELETE ON case_note BEGIN
    INSERT INTO note_fts (note_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER note_fts_update AFTER UPDATE OF body ON case_note BEGIN
    INSERT INTO note_fts (note_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO note_fts (rowid, body) VALUES (new.id, new.body);
END;

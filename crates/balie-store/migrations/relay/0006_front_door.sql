-- Issue 14: the citizen's way in. What the digital counter offers and who serves it (the
-- organisation's shared truth, managed by IT with `balie-relay product`), the
-- municipality's opening hours, each clerk's availability for appointments (published by
-- their cockpit) and the appointments booked on the front door.

-- A product as the front door offers it. A removed product is kept (with `removed_at`) so
-- its appointments and the catalog's history stay readable; it is no longer offered.
CREATE TABLE product (
    id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
    name_nl TEXT NOT NULL CHECK (length(name_nl) BETWEEN 1 AND 200),
    name_fr TEXT NOT NULL CHECK (length(name_fr) BETWEEN 1 AND 200),
    name_en TEXT NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    -- What to have ready ("uw identiteitskaart"), per language; may be empty.
    prepare_nl TEXT NOT NULL DEFAULT '' CHECK (length(prepare_nl) <= 1000),
    prepare_fr TEXT NOT NULL DEFAULT '' CHECK (length(prepare_fr) <= 1000),
    prepare_en TEXT NOT NULL DEFAULT '' CHECK (length(prepare_en) <= 1000),
    -- 0: free of charge.
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 5 AND 480),
    -- Whether it can be handled through the digital counter (only those are offered).
    digital INTEGER NOT NULL CHECK (digital IN (0, 1)),
    position INTEGER NOT NULL,
    changed_at INTEGER NOT NULL,
    removed_at INTEGER
) STRICT;

-- Teams a clerk belongs to ("burgerzaken", "vrije-tijd").
CREATE TABLE clerk_team (
    clerk_id INTEGER NOT NULL REFERENCES clerk(id) ON DELETE CASCADE,
    team TEXT NOT NULL CHECK (length(team) BETWEEN 1 AND 64),
    PRIMARY KEY (clerk_id, team)
) STRICT;

-- Who serves a product: one clerk, or every clerk of a team.
CREATE TABLE product_server (
    product_id TEXT NOT NULL REFERENCES product(id) ON DELETE CASCADE,
    clerk_id INTEGER REFERENCES clerk(id) ON DELETE CASCADE,
    team TEXT,
    CHECK ((clerk_id IS NULL) <> (team IS NULL)),
    UNIQUE (product_id, clerk_id),
    UNIQUE (product_id, team)
) STRICT;

-- Hours are one day's windows in Europe/Brussels wall-clock time as
-- '09:00-12:00,13:30-16:00', '-' when closed (balie_domain::agenda::DayHours).
CREATE TABLE opening_week (
    weekday INTEGER PRIMARY KEY CHECK (weekday BETWEEN 1 AND 7), -- 1 = Monday
    hours TEXT NOT NULL
) STRICT;

-- A holiday (closed) or a day with other hours; `note` names it ("Kerstmis").
CREATE TABLE opening_exception (
    date TEXT PRIMARY KEY CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    hours TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 200)
) STRICT;

-- When a clerk takes appointments: a week pattern and dated exceptions.
CREATE TABLE availability_week (
    clerk_id INTEGER NOT NULL REFERENCES clerk(id) ON DELETE CASCADE,
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    hours TEXT NOT NULL,
    PRIMARY KEY (clerk_id, weekday)
) STRICT;

CREATE TABLE availability_exception (
    clerk_id INTEGER NOT NULL REFERENCES clerk(id) ON DELETE CASCADE,
    date TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    hours TEXT NOT NULL,
    PRIMARY KEY (clerk_id, date)
) STRICT;

-- An appointment. Citizen data is the minimum a booking needs, and is deleted
-- `--booking-retention-days` after the appointment. The manage link's token (cancel,
-- move) is stored only as SHA-256, like join tokens; `room_id` is the appointment's room
-- (purged with the room table's own rules, hence no foreign key).
CREATE TABLE appointment (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES product(id),
    clerk_id INTEGER NOT NULL REFERENCES clerk(id),
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL CHECK (ends_at > starts_at),
    outside_hours INTEGER NOT NULL CHECK (outside_hours IN (0, 1)),
    status TEXT NOT NULL CHECK (status IN ('booked', 'canceled', 'moved')),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email TEXT CHECK (email IS NULL OR length(email) BETWEEN 3 AND 254),
    phone TEXT CHECK (phone IS NULL OR length(phone) BETWEEN 6 AND 20),
    locale TEXT NOT NULL CHECK (locale IN ('nl', 'fr', 'en')),
    question TEXT NOT NULL DEFAULT '' CHECK (length(question) <= 2000),
    manage_sha256 BLOB NOT NULL UNIQUE CHECK (length(manage_sha256) = 32),
    room_id TEXT NOT NULL,
    -- The appointment this one replaced (moved from), if any.
    moved_from TEXT REFERENCES appointment(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    -- When it was cancelled or moved.
    withdrawn_at INTEGER,
    CHECK (email IS NOT NULL OR phone IS NOT NULL)
) STRICT;

-- Never the same start twice for one clerk: the last guard behind the booking's own check
-- for overlaps (which runs in an immediate transaction).
CREATE UNIQUE INDEX appointment_one_start_per_clerk ON appointment(clerk_id, starts_at)
    WHERE status = 'booked';
CREATE INDEX appointment_booked_by_clerk ON appointment(clerk_id, ends_at)
    WHERE status = 'booked';
CREATE INDEX appointment_ends_at ON appointment(ends_at);

-- The appointment's room opens to its citizen 15 minutes before the start; before that
-- the page says when it begins.
ALTER TABLE room ADD COLUMN opens_at INTEGER;
ALTER TABLE room ADD COLUMN starts_at INTEGER;

-- Issue 16: the impact the project sheet measures.

-- Every conversation the cockpit opened, and whether a citizen came: nothing about the
-- citizen but how far they live (the one-way trip, worked out from their postcode when it
-- was known) and their answer to the survey, which is anonymous.
CREATE TABLE conversation (
    room_id TEXT PRIMARY KEY,
    origin TEXT NOT NULL CHECK (origin IN ('direct', 'appointment', 'walk_in')),
    product_id TEXT,
    -- When the citizen asked: the booking made, the queue ticket drawn.
    requested_at_ms INTEGER,
    opened_at_ms INTEGER NOT NULL,
    -- When the citizen was let in (NULL: nobody came).
    admitted_at_ms INTEGER,
    ended_at_ms INTEGER,
    -- Outside the municipality's opening hours when let in (NULL: hours not known).
    outside_hours INTEGER CHECK (outside_hours IN (0, 1)),
    -- Where the clerk worked that day (NULL: not said).
    place TEXT CHECK (place IN ('office', 'home', 'elsewhere')),
    trip_m INTEGER CHECK (trip_m IS NULL OR trip_m BETWEEN 0 AND 2000000),
    citizen_score INTEGER CHECK (citizen_score BETWEEN 1 AND 5),
    citizen_comment TEXT CHECK (citizen_comment IS NULL OR length(citizen_comment) BETWEEN 1 AND 500),
    citizen_answered_at_ms INTEGER,
    clerk_score INTEGER CHECK (clerk_score BETWEEN 1 AND 5)
) STRICT;

CREATE INDEX conversation_by_admitted ON conversation (admitted_at_ms)
    WHERE admitted_at_ms IS NOT NULL;

-- One row per working day of this cockpit's clerk: where they worked (asked once a day)
-- and whether they were asked the day's survey (at most once a day).
CREATE TABLE clerk_day (
    day TEXT PRIMARY KEY CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    place TEXT CHECK (place IN ('office', 'home', 'elsewhere')),
    surveyed_room TEXT
) STRICT;

-- A file of figures or complaints imported from another system, all or nothing.
CREATE TABLE impact_import (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('figures', 'complaints')),
    file_name TEXT NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    rows INTEGER NOT NULL CHECK (rows >= 0),
    imported_at_ms INTEGER NOT NULL,
    imported_by TEXT NOT NULL
) STRICT;

-- The registers: complaints and aggression incidents, filled in by a clerk or imported
-- (then `reference` is the complaint system's own id, so a file imported twice adds
-- nothing twice). The note is the clerk's and never leaves the cockpit.
CREATE TABLE incident (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('complaint_after_hours', 'complaint', 'aggression')),
    channel TEXT NOT NULL CHECK (channel IN ('digital', 'front_desk', 'phone', 'email', 'web', 'post', 'other')),
    at_ms INTEGER NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at_ms INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    import_id INTEGER REFERENCES impact_import (id),
    reference TEXT UNIQUE CHECK (reference IS NULL OR length(reference) BETWEEN 1 AND 100)
) STRICT;

CREATE INDEX incident_by_time ON incident (at_ms);

-- Figures from other channels: front-desk visitors, contacts, throughput, clerk
-- satisfaction; values in thousandths.
CREATE TABLE channel_figure (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES impact_import (id),
    kind TEXT NOT NULL CHECK (kind IN ('visitors', 'contacts', 'throughput_days', 'clerk_satisfaction')),
    channel TEXT NOT NULL CHECK (channel IN ('digital', 'front_desk', 'phone', 'email', 'web', 'post', 'other')),
    product_id TEXT,
    first_day TEXT NOT NULL CHECK (first_day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    last_day TEXT NOT NULL CHECK (last_day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    value_milli INTEGER NOT NULL CHECK (value_milli >= 0),
    CHECK (last_day >= first_day)
) STRICT;

CREATE INDEX figure_by_day ON channel_figure (first_day);

-- The catalog's history: each product as it was from `at_ms` on (also the free ones the
-- relay offers, which the payment catalog leaves out). Written when the cockpit starts and
-- whenever it reads the relay's products, only when something changed.
CREATE TABLE catalog_change (
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    product_id TEXT NOT NULL,
    digital INTEGER NOT NULL CHECK (digital IN (0, 1)),
    takes_payment INTEGER NOT NULL CHECK (takes_payment IN (0, 1)),
    removed INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1))
) STRICT;

CREATE INDEX catalog_change_by_product ON catalog_change (product_id, at_ms);

-- Payments by when they were asked, for the figures of a period.
CREATE INDEX payment_by_created ON payment (created_at_ms);

-- Window placement per monitor layout: the key names the monitors (name, position, size),
-- so a layout that changes never reuses a position meant for a monitor that is gone.
CREATE TABLE window_layout (
    layout_key TEXT PRIMARY KEY,
    placements TEXT NOT NULL,        -- JSON, see balie_store::cockpit::window_layout
    updated_at INTEGER NOT NULL      -- unix seconds
) STRICT;

-- Small settings (relay URL, chosen language…). Secrets never go here: they live in the
-- OS keyring.
CREATE TABLE setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

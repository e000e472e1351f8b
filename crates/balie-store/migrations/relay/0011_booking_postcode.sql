-- Issue 16: the citizen may give their postcode when booking (not required), so the
-- impact figures can count how far they did not have to travel. Deleted with the rest of
-- the booking's citizen data.
ALTER TABLE appointment ADD COLUMN postcode TEXT
    CHECK (postcode IS NULL OR (length(postcode) = 4 AND postcode NOT GLOB '*[^0-9]*'));

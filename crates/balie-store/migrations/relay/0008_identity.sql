-- Issue 15: a product may require the citizen to prove who they are; the relay then asks
-- by itself when the citizen of one of its rooms is let in. A room made for a product
-- (an appointment's, a walk-in's) knows which.
ALTER TABLE product ADD COLUMN identity_required INTEGER NOT NULL DEFAULT 0 CHECK (identity_required IN (0, 1));
ALTER TABLE room ADD COLUMN product_id TEXT;

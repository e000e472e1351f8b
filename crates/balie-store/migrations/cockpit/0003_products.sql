-- The payer's language, so a create repeated after a restart sends exactly what the
-- first one sent (providers compare the parameters of an idempotent request).
ALTER TABLE payment ADD COLUMN payer_locale TEXT;

-- What a clerk can ask payment for, with a price the municipality may change. Seeded with
-- the three cases the digital counter was built for; names in the three languages.
CREATE TABLE product (
    id TEXT PRIMARY KEY,
    name_nl TEXT NOT NULL,
    name_fr TEXT NOT NULL,
    name_en TEXT NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents > 0),
    position INTEGER NOT NULL
) STRICT;

INSERT INTO product (id, name_nl, name_fr, name_en, price_cents, position) VALUES
    ('sociaal-restaurant', 'Abonnement sociaal restaurant (10 maaltijden)',
     'Abonnement restaurant social (10 repas)', 'Social restaurant subscription (10 meals)',
     6000, 1),
    ('verkeersborden', 'Verkeersborden voor een evenement op openbaar domein',
     'Panneaux de signalisation pour un événement sur le domaine public',
     'Traffic signs for an event on public land', 4500, 2),
    ('feestzaal', 'Huur feestzaal (één dag)', 'Location de la salle des fêtes (un jour)',
     'Party hall rent (one day)', 25000, 3);

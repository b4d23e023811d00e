-- Plan add-ons per organization (the Enori document's extra monitors and 30 s interval).
ALTER TABLE organizations ADD COLUMN addons jsonb NOT NULL DEFAULT '{}';

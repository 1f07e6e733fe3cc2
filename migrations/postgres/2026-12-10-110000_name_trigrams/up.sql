-- The name search (`q`: a substring of the asset's or the owner's name, `LIKE '%…%'`)
-- reads trigram indexes instead of every name: PostgreSQL at 1M assets scanned the
-- whole table for a page (183 ms). `pg_trgm` ships with PostgreSQL's contrib (Debian's
-- `postgresql` package includes it); creating it needs a role that may create
-- extensions (README, "PostgreSQL"). SQLite has no such index: its search reads the
-- names in code order (migration of the same name there is empty).

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX assets_name_trigrams ON assets USING gin (name gin_trgm_ops);
CREATE INDEX assets_owner_name_trigrams ON assets USING gin (owner_name gin_trgm_ops);

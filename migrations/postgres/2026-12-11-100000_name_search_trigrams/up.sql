-- The names a list as of a date searches (`search_names`, `LIKE '%…%'`) read by a
-- trigram index, as the assets' names are (migration 2026-12-10-110000_name_trigrams):
-- a register whose assets' names are each their own holds about as many search names
-- as assets, and a text in no name read them all. SQLite's migration of this name
-- builds FTS5 trigram tables for both searches.

CREATE INDEX search_names_trigrams ON search_names USING gin (name gin_trgm_ops);

-- PostgreSQL's trigram indexes for the name search (see the migration of the same name
-- there). SQLite has no trigram index in its core: its name search walks the names in
-- code order and stops at a page; nothing changes here.
SELECT 1;

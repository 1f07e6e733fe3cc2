-- Codes are compared as people read them: after Unicode NFKC with case ignored
-- (`ＦＷ１-01`, `fw1-01` and `FW1-01` are one code). `code_key` holds that form, filled
-- by the application (SQL has no NFKC on SQLite): on insert, and for rows of earlier
-- releases when the database is opened. The unique indexes make a look-alike of a
-- registered code impossible to insert, whatever path writes it.
ALTER TABLE projects ADD COLUMN code_key TEXT;
ALTER TABLE assets ADD COLUMN code_key TEXT;
CREATE UNIQUE INDEX projects_by_code_key ON projects (code_key);
CREATE UNIQUE INDEX assets_by_code_key ON assets (code_key);

DROP INDEX assets_by_code_key;
DROP INDEX projects_by_code_key;
ALTER TABLE assets DROP COLUMN code_key;
ALTER TABLE projects DROP COLUMN code_key;

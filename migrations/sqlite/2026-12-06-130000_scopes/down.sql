ALTER TABLE import_batches DROP COLUMN scope;
ALTER TABLE access_tokens DROP COLUMN scope;
DROP INDEX projects_department;
ALTER TABLE projects DROP COLUMN department;

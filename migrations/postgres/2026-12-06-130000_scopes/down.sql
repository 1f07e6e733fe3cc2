DELETE FROM access_tokens WHERE role = 'approver' OR scope <> 'county';
ALTER TABLE access_tokens DROP COLUMN scope;
ALTER TABLE access_tokens DROP CONSTRAINT access_tokens_role_check;
ALTER TABLE access_tokens ADD CONSTRAINT access_tokens_role_check
    CHECK (role IN ('reader', 'clerk', 'auditor', 'admin'));
ALTER TABLE import_batches DROP COLUMN scope;
DROP INDEX projects_department;
ALTER TABLE projects DROP COLUMN department;

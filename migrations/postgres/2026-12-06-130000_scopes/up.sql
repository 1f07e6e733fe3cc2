-- Scopes (issue #15): the sector department (行业主管部门) of a project, which the
-- department scope matches (its assets inherit it through their project); the scope of
-- each access token (`county`, `town:<镇街>`, `village:<镇街>/<村>`,
-- `department:<部门>`) and of the token that made each import batch, so that a scoped
-- token sees the batches made in its scope only; and the `approver` role.
ALTER TABLE projects ADD COLUMN department TEXT;
CREATE INDEX projects_department ON projects (department);
ALTER TABLE import_batches ADD COLUMN scope TEXT NOT NULL DEFAULT 'county';
ALTER TABLE access_tokens DROP CONSTRAINT access_tokens_role_check;
ALTER TABLE access_tokens ADD CONSTRAINT access_tokens_role_check
    CHECK (role IN ('reader', 'clerk', 'auditor', 'admin', 'approver'));
ALTER TABLE access_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'county';

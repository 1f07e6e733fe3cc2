-- Scopes (issue #15): the sector department (行业主管部门) of a project, which the
-- department scope matches (its assets inherit it through their project); the scope of
-- each access token (`county`, `town:<镇街>`, `village:<镇街>/<村>`,
-- `department:<部门>`) and of the token that made each import batch, so that a scoped
-- token sees the batches made in its scope only; and the `approver` role.
ALTER TABLE projects ADD COLUMN department TEXT;
CREATE INDEX projects_department ON projects (department);
ALTER TABLE import_batches ADD COLUMN scope TEXT NOT NULL DEFAULT 'county';
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt (nothing
-- references it).
CREATE TABLE access_tokens_scoped (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('reader', 'clerk', 'auditor', 'admin', 'approver')),
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    scope TEXT NOT NULL DEFAULT 'county'
);
INSERT INTO access_tokens_scoped (id, name, role, token_sha256, created_at, revoked_at)
    SELECT id, name, role, token_sha256, created_at, revoked_at FROM access_tokens;
DROP TABLE access_tokens;
ALTER TABLE access_tokens_scoped RENAME TO access_tokens;

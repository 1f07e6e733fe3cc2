CREATE TABLE access_tokens_county (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('reader', 'clerk', 'auditor', 'admin')),
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
INSERT INTO access_tokens_county (id, name, role, token_sha256, created_at, revoked_at)
    SELECT id, name, role, token_sha256, created_at, revoked_at FROM access_tokens
    WHERE role <> 'approver' AND scope = 'county';
DROP TABLE access_tokens;
ALTER TABLE access_tokens_county RENAME TO access_tokens;
ALTER TABLE import_batches DROP COLUMN scope;
DROP INDEX projects_department;
ALTER TABLE projects DROP COLUMN department;

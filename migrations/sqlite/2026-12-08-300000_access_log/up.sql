-- The record of personal-data access (个人信息访问记录): one row for every response
-- that carried an unmasked ID or phone number — who (token id, name, role, scope), when,
-- which route, which asset codes (newline-delimited, one leading and one trailing
-- newline, so that a code is found as `%\nCODE\n%`) and, for an export, its row count.
-- Append-only for every role of the application, like the ledger.

CREATE TABLE access_log (
    id TEXT PRIMARY KEY NOT NULL,
    at TEXT NOT NULL,
    request_id TEXT NOT NULL,
    token_id TEXT NOT NULL,
    token_name TEXT NOT NULL,
    role TEXT NOT NULL,
    scope TEXT NOT NULL,
    method TEXT NOT NULL,
    route TEXT NOT NULL,
    status INTEGER NOT NULL,
    codes TEXT NOT NULL,
    code_count BIGINT NOT NULL,
    export_rows BIGINT
);

CREATE INDEX access_log_at ON access_log (at, id);
CREATE INDEX access_log_name ON access_log (token_name, at);

CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;

CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;

-- The projection of income entries, idempotency keys of ledger writes, and a guard
-- that keeps ledger entries append-only for every role of the application.

ALTER TABLE assets ADD COLUMN income_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE assets ADD COLUMN distributed_fen BIGINT NOT NULL DEFAULT 0;

CREATE TABLE idempotency_keys (
    idempotency_key TEXT PRIMARY KEY NOT NULL,
    request_sha256 TEXT NOT NULL,
    seq BIGINT NOT NULL REFERENCES ledger_entries (seq),
    created_at TEXT NOT NULL
);

CREATE INDEX ledger_entries_kind ON ledger_entries (kind, asset_id);

CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only');
END;

CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only');
END;

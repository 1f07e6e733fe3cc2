DROP TRIGGER ledger_entries_no_delete;
DROP TRIGGER ledger_entries_no_update;
DROP INDEX ledger_entries_kind;
DROP TABLE idempotency_keys;
ALTER TABLE assets DROP COLUMN distributed_fen;
ALTER TABLE assets DROP COLUMN income_fen;

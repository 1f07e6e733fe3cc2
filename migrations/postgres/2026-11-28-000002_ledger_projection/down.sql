DROP TRIGGER ledger_entries_no_update ON ledger_entries;
DROP FUNCTION ledger_entries_append_only();
DROP INDEX ledger_entries_kind;
DROP TABLE idempotency_keys;
ALTER TABLE assets DROP COLUMN distributed_fen;
ALTER TABLE assets DROP COLUMN income_fen;

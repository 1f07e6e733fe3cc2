ALTER TABLE ledger_entries DROP COLUMN salt;
ALTER TABLE ledger_entries DROP COLUMN encoding;

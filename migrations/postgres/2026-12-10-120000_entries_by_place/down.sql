DROP INDEX ledger_entries_department;
DROP INDEX ledger_entries_town;
ALTER TABLE ledger_entries DROP COLUMN asset_department;
ALTER TABLE ledger_entries DROP COLUMN asset_town;

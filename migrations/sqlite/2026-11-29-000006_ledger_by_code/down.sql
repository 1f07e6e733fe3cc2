DROP INDEX ledger_entries_asset_code;
CREATE INDEX ledger_entries_asset ON ledger_entries (asset_id, seq);

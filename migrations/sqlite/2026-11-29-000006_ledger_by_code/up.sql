-- An asset's history is found by its code: codes arrive in file order, so the index
-- grows at its end during an import, where the random UUID of (asset_id, seq) touched
-- a page anywhere in it for every row.
DROP INDEX ledger_entries_asset;
CREATE INDEX ledger_entries_asset_code ON ledger_entries (asset_code, seq);

-- The change feed of a town or a department reads an index of its entries in `seq`
-- order: each entry holds its asset's town and its asset's project's department, which
-- never change (registered fields, guarded). Without them the feed of a town walked the
-- ledger in `seq` order testing each entry's asset, or took every entry of the town's
-- assets and sorted them (PostgreSQL at 1M assets: 197 ms). Neither column is part of
-- what an entry's hash covers: they are the asset's, copied beside the entry, like its
-- code; verification checks them against the asset. A village's feed reads its few
-- assets' entries by code.


ALTER TABLE ledger_entries ADD COLUMN asset_town TEXT NOT NULL DEFAULT '';
ALTER TABLE ledger_entries ADD COLUMN asset_department TEXT;

-- The append-only guard stands aside while the copies are filled, in the migration's
-- transaction.
ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_no_update;
UPDATE ledger_entries e SET asset_town = a.town, asset_department = a.project_department
FROM assets a WHERE a.id = e.asset_id;
ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_no_update;

CREATE INDEX ledger_entries_town ON ledger_entries (asset_town, seq);
CREATE INDEX ledger_entries_department ON ledger_entries (asset_department, seq);

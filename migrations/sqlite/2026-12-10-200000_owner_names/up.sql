-- Every name an asset's owner has been given, for the name search of a list as of a
-- date (`q`): the owner then may since have been renamed or replaced, so the search
-- keeps the assets that ever had an owner of a matching name and the fold of their
-- entries decides. `asset_owner_names` holds one row per name and asset — the name its
-- `registered` entry gives and each name an `ownership_transferred` entry gives (a
-- corrected transfer's too: the fold decides) — written in the transaction of the entry;
-- `owner_names` holds each name once, so that a search reads the few distinct names,
-- not a row per asset. Verification recomputes both from the entries. Filled here from
-- the ledger and the registered fields held apart from it.

CREATE TABLE owner_names (
    name TEXT PRIMARY KEY NOT NULL
);

CREATE TABLE asset_owner_names (
    owner_name TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    PRIMARY KEY (owner_name, asset_id)
);
CREATE INDEX asset_owner_names_by_asset ON asset_owner_names (asset_id);

INSERT INTO asset_owner_names (owner_name, asset_id)
SELECT json_extract(data, '$.owner.name'), asset_id FROM ledger_entries
WHERE kind IN ('registered', 'ownership_transferred')
  AND json_extract(data, '$.owner.name') IS NOT NULL
UNION
SELECT owner_name, asset_id FROM registered_fields;

INSERT INTO owner_names (name) SELECT DISTINCT owner_name FROM asset_owner_names;

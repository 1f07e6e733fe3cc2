-- The names a list as of a date searches (`q`): an asset's own name and every name its
-- owner has been given — the owner then may since have been renamed or replaced. The
-- search reads the few distinct names (`search_names`, each once) that hold the text,
-- then the assets known by them (`asset_search_names`, one row per name and asset: the
-- asset's name and the owner's name its `registered` entry gives, and each name an
-- `ownership_transferred` entry gives — a corrected transfer's too), and the fold of
-- their entries decides; it reads no entry's data. Written in the transaction of the
-- asset's registration or the entry; verification recomputes both from the entries.
-- Filled here from the ledger, the assets and the registered fields held apart.

CREATE TABLE search_names (
    name TEXT PRIMARY KEY NOT NULL
);

CREATE TABLE asset_search_names (
    name TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    PRIMARY KEY (name, asset_id)
);
CREATE INDEX asset_search_names_by_asset ON asset_search_names (asset_id);

INSERT INTO asset_search_names (name, asset_id)
SELECT data::jsonb #>> '{owner,name}', asset_id FROM ledger_entries
WHERE kind IN ('registered', 'ownership_transferred')
  AND data::jsonb #>> '{owner,name}' IS NOT NULL
UNION
SELECT owner_name, asset_id FROM registered_fields
UNION
SELECT a.name, a.id FROM assets a;

INSERT INTO search_names (name) SELECT DISTINCT name FROM asset_search_names;

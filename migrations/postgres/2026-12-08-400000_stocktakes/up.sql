-- Annual stock-take (年度清查盘点, issue #17). A campaign (`stocktakes`) covers every
-- asset not disposed in its scope when it is opened: that list is kept in
-- `stocktake_assets`, with each asset's town and village (progress is counted by them),
-- its value (at opening, frozen again at closing so that the report stays as it was
-- closed), and its latest result. Every result recorded through a campaign is an
-- `inspection` entry of the ledger; `stocktake_results` ties each such entry (`seq`) to
-- its campaign and asset.
CREATE TABLE stocktakes (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    year INTEGER NOT NULL,
    scope TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    opened_at TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    closed_at TEXT,
    closed_by TEXT,
    closed_on TEXT,
    closed_seq BIGINT
);
CREATE INDEX stocktakes_opened ON stocktakes (opened_at, id);

CREATE TABLE stocktake_assets (
    stocktake_id TEXT NOT NULL REFERENCES stocktakes (id),
    asset_id TEXT NOT NULL REFERENCES assets (id),
    asset_code TEXT NOT NULL,
    town TEXT NOT NULL,
    village TEXT NOT NULL,
    value_fen BIGINT NOT NULL,
    result TEXT CHECK (result IN ('normal', 'idle', 'damaged', 'missing')),
    checked_on TEXT,
    seq BIGINT,
    PRIMARY KEY (stocktake_id, asset_id)
);
-- A village's checklist and the progress by town and village read this index.
CREATE INDEX stocktake_assets_by_village ON stocktake_assets
    (stocktake_id, town, village, asset_code);
-- The finding `not_stocktaken` looks for an asset's later campaigns by it.
CREATE INDEX stocktake_assets_by_asset ON stocktake_assets (asset_id);

CREATE TABLE stocktake_results (
    seq BIGINT PRIMARY KEY NOT NULL REFERENCES ledger_entries (seq),
    stocktake_id TEXT NOT NULL REFERENCES stocktakes (id),
    asset_id TEXT NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('normal', 'idle', 'damaged', 'missing')),
    checked_on TEXT NOT NULL
);
CREATE INDEX stocktake_results_by_campaign ON stocktake_results (stocktake_id, seq);

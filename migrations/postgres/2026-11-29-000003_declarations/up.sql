-- Declared figures and what reconciliation needs to answer "as of" quickly: the day each
-- asset was registered, and whether its value or existence has a history in the ledger
-- (disposal, value adjustment, correction) that only a fold of its entries can tell.

ALTER TABLE assets ADD COLUMN registered_on TEXT NOT NULL DEFAULT '0001-01-01';
UPDATE assets SET registered_on = COALESCE(
    (SELECT e.occurred_on FROM ledger_entries e WHERE e.asset_id = assets.id AND e.kind = 'registered'),
    substr(created_at, 1, 10));
ALTER TABLE assets ADD COLUMN has_value_events INTEGER NOT NULL DEFAULT 0;
UPDATE assets SET has_value_events = 1 WHERE id IN (
    SELECT asset_id FROM ledger_entries WHERE kind IN ('disposed', 'value_adjusted', 'correction'));

CREATE INDEX assets_reconcile ON assets (class, project_code, registered_on, value_fen, has_value_events);
CREATE INDEX assets_value_events ON assets (has_value_events, project_code);
CREATE INDEX assets_project_registered ON assets (project_code, registered_on);

CREATE TABLE declarations (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    as_of TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE declaration_lines (
    declaration_id TEXT NOT NULL REFERENCES declarations (id),
    ordinal BIGINT NOT NULL,
    scope TEXT NOT NULL,
    projects BIGINT NOT NULL CHECK (projects >= 0),
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    PRIMARY KEY (declaration_id, ordinal)
);

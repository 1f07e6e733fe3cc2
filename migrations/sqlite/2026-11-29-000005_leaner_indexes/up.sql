-- Fewer, narrower indexes: every index is written for every imported row.
-- (project_code) is the prefix of (project_code, registered_on).
DROP INDEX assets_project_code;
-- Only the few assets with value events need finding by project.
DROP INDEX assets_value_events;
CREATE INDEX assets_value_events ON assets (project_code) WHERE has_value_events = 1;
-- The maintained totals answer reconciliation; folding as of an earlier day scans.
DROP INDEX assets_reconcile;
CREATE INDEX assets_class ON assets (class);
-- Registration entries are never looked up by kind.
DROP INDEX ledger_entries_kind;
CREATE INDEX ledger_entries_kind ON ledger_entries (kind, occurred_on) WHERE kind <> 'registered';
-- (town) is the prefix of (town, year, funds_fen).
DROP INDEX projects_town_village;

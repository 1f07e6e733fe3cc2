CREATE INDEX projects_town_village ON projects (town, village);
DROP INDEX ledger_entries_kind;
CREATE INDEX ledger_entries_kind ON ledger_entries (kind, occurred_on);
DROP INDEX assets_class;
CREATE INDEX assets_reconcile ON assets (class, project_code, registered_on, value_fen, has_value_events);
DROP INDEX assets_value_events;
CREATE INDEX assets_value_events ON assets (has_value_events, project_code);
CREATE INDEX assets_project_code ON assets (project_code);

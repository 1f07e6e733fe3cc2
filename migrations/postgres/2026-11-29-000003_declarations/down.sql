DROP TABLE declaration_lines;
DROP TABLE declarations;
DROP INDEX assets_project_registered;
DROP INDEX assets_value_events;
DROP INDEX assets_reconcile;
ALTER TABLE assets DROP COLUMN has_value_events;
ALTER TABLE assets DROP COLUMN registered_on;
